// Frame fuzzer: random and mutated frames of every server command, sent by the real simulator over its
// device websocket to a DeviceRegistry that trusts it (in this process), with a seeded PRNG. Goal: no
// uncaught exception, no unhandled rejection, Object.prototype untouched, every bad frame counted, and
// the well-formed devices' state still exactly the cloud's afterwards.
import { DeviceRegistry, GizwitsClient, MAX_FRAME_BYTES, checkServerFrame } from '../../src/client';
import {
  SIM_APP_ID,
  SIM_APP_SECRET,
  SIM_DEVICES,
  SIM_USERS,
  startSimulator,
  type Simulator,
} from '../../src/simulator';
import type { SoakPart, SoakPartResult } from '../types';

const GOAL =
  '0 uncaught exceptions, 0 unhandled rejections, Object.prototype unpolluted, no frame that breaks the handler, devices state correct afterwards';

/** Devices whose state is checked: online, with a data point to change. */
const CHECKED: Array<{ did: string; point: string; values: [number, number] }> = [
  { did: SIM_DEVICES.demoAc, point: 'set_temp', values: [20, 21] },
  { did: SIM_DEVICES.demoLamp2, point: 'brightness', values: [30, 31] },
];

type Random = () => number;

/** mulberry32: small, fast, good enough to choose mutations, and the same sequence for the same seed. */
function prng(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

class Fuzzer {
  constructor(
    private readonly random: Random,
    private readonly hugeMax: number,
  ) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A did that looks real but is nobody's: fuzz never speaks for the devices whose state is checked. */
  fakeDid(): string {
    let did = 'Fuzz';
    for (let i = 0; i < 18; i++) did += ALNUM[this.int(ALNUM.length)];
    return did;
  }

  text(): string {
    const kinds = [
      () => '',
      () => 'x'.repeat(this.int(300)),
      () => '\u0000\u0001\u001f',
      () => '\ud800\udfff\ud83d\ude00 制冷 \u202e',
      () => '"},{"cmd":"login_res","data":{"success":false}}',
      () => 'x'.repeat(1 + this.int(this.hugeMax)),
      () => String.fromCharCode(...Array.from({ length: 1 + this.int(40) }, () => this.int(0x10000))),
    ];
    return this.pick(kinds)();
  }

  /** Any JSON value, or a value where an object should be, nested up to `depth`. */
  value(depth = 0): unknown {
    const kinds: Array<() => unknown> = [
      () => null,
      () => this.chance(0.5),
      () => this.int(2 ** 31) * (this.chance(0.5) ? -1 : 1),
      () => this.pick([0, -0, 1.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -1]),
      () => this.text(),
      () => (depth > 3 ? [] : Array.from({ length: this.int(5) }, () => this.value(depth + 1))),
      () =>
        depth > 3
          ? {}
          : Object.fromEntries(
              Array.from({ length: this.int(4) }, () => [this.key(), this.value(depth + 1)]),
            ),
      () => this.fakeDid(),
      () => ({ toString: 1, valueOf: {} }),
      () => Array.from({ length: this.int(300) }, () => this.int(512) - 128),
    ];
    return this.pick(kinds)();
  }

  key(): string {
    return this.pick([
      'did',
      'attrs',
      'cmd',
      'data',
      'req_sn',
      'res_sn',
      'success',
      '__proto__',
      'constructor',
      'prototype',
      'x',
      '',
      this.text().slice(0, 20),
    ]);
  }

  /** A well-formed frame of a command, for a fake device. */
  validFrame(): Record<string, unknown> {
    const did = this.fakeDid();
    const frames: Array<() => Record<string, unknown>> = [
      () => ({ cmd: 'login_res', data: { success: true } }),
      () => ({
        cmd: 'subscribe_res',
        data: {
          success: [{ did, error_code: 0, msg: 'ok' }],
          failed: [{ did: this.fakeDid(), error_code: 9014, msg: 'no such device' }],
        },
      }),
      () => ({
        cmd: 's2c_noti',
        data: { did, attrs: { switch: true, mode: '制冷', set_temp: 25, blob: [0, 1, 255] } },
      }),
      () => ({ cmd: 's2c_noti', req_sn: this.int(1000), data: { did, attrs: { alarm: true } } }),
      () => ({ cmd: 's2c_noti', res_sn: this.int(1000), data: { did, attrs: {} } }),
      () => ({ cmd: 's2c_ack', res_sn: this.int(1000), did }),
      () => ({ cmd: 's2c_raw', data: { did: `${did}/usr/x`, raw: [0, 0, 0, 3, 4, 0, 0, 0x91, 9] } }),
      () => ({ cmd: 's2c_online_status', data: { did, passcode: 'P', mac: 'm', online: this.chance(0.5) } }),
      () => ({ cmd: 's2c_binding_changed', data: { did, bind: this.chance(0.5) } }),
      () => ({ cmd: 's2c_invalid_msg', data: { error_code: 9015, msg: 'bad request' } }),
      () => ({ cmd: 'pong' }),
    ];
    return this.pick(frames)();
  }

  /** Changes one place in a frame: a value of another type, a key gone, a polluting key, a wrapper. */
  mutate(frame: Record<string, unknown>): unknown {
    const containers: Array<Record<string, unknown> | unknown[]> = [];
    const walk = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return;
      containers.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    };
    walk(frame);
    const target = this.pick(containers);
    const keys = Object.keys(target);
    const key = keys.length ? this.pick(keys) : this.key();
    switch (this.int(6)) {
      case 0:
      case 1:
        (target as Record<string, unknown>)[key] = this.value();
        return frame;
      case 2:
        delete (target as Record<string, unknown>)[key];
        return frame;
      case 3:
        // An own "__proto__" key, as JSON.parse makes one.
        Object.defineProperty(target, this.pick(['__proto__', 'constructor', 'prototype']), {
          value: { polluted: true, toString: 'x' },
          enumerable: true,
          configurable: true,
          writable: true,
        });
        return frame;
      case 4:
        return this.pick([[frame], { cmd: frame.cmd, data: [frame.data] }, { ...frame, cmd: this.value() }]);
      default:
        (target as Record<string, unknown>)[key] = this.value(1);
        return frame;
    }
  }

  /** Changes the text itself: truncated, numbers JSON has not, keys injected, bytes flipped. */
  mutateText(text: string): string {
    switch (this.int(6)) {
      case 0:
        return text.slice(0, this.int(text.length));
      case 1:
        return text.replace(/-?\d+(\.\d+)?/, this.pick(['NaN', '1e309', '-Infinity', '0x10', '01']));
      case 2:
        return text.replace(
          '{',
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
        );
      case 3: {
        const at = this.int(text.length);
        return text.slice(0, at) + String.fromCharCode(this.int(0x10000)) + text.slice(at + 1);
      }
      case 4:
        return `${'['.repeat(1 + this.int(20_000))}${text}`;
      default:
        return this.text();
    }
  }

  /** The next frame to send: text, and whether it goes as a binary frame. */
  next(): { text: string; binary: boolean } {
    const roll = this.random();
    let text: string;
    if (roll < 0.1) text = JSON.stringify(this.validFrame());
    else if (roll < 0.6) {
      let frame: unknown = this.validFrame();
      for (let i = 1 + this.int(3); i > 0; i--)
        frame = this.mutate(frame as Record<string, unknown>) as Record<string, unknown>;
      text = JSON.stringify(frame) ?? 'undefined';
    } else if (roll < 0.9) text = this.mutateText(JSON.stringify(this.validFrame()));
    else text = JSON.stringify(this.value()) ?? this.text();
    return { text, binary: this.chance(0.05) };
  }
}

/**
 * Frames that would make a trusting client do what the real cloud asks of it (log in again, reconnect):
 * correct handling, but they would turn the fuzz into a reconnect test. They are not sent.
 */
function steersSession(text: string): boolean {
  const frame = checkServerFrame(text);
  if (frame.cmd === 'login_res') return true;
  return frame.cmd === 's2c_invalid_msg' && [1003, 1009, 1011].includes(frame.code);
}

function newClient(sim: Simulator): GizwitsClient {
  return new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: SIM_USERS.demo.username, password: SIM_USERS.demo.password },
    appSecret: SIM_APP_SECRET,
    retry: { baseMs: 1, capMs: 5 },
  });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A real change of each checked device, waited for in the registry: the link still carries the truth. */
async function realChanges(sim: Simulator, registry: DeviceRegistry, round: number): Promise<void> {
  for (const { did, point, values } of CHECKED) {
    const value = values[round % 2];
    sim.model.reportFromDevice(did, new Map([[point, value]]));
    await until(() => registry.stateOf(did)?.attrs[point] === value, 15_000, `${did} ${point}=${value}`);
  }
}

export const run: SoakPart = async ({ full, seed, log }) => {
  const total = full ? 10_000 : 1_000;
  const batch = 50;
  const fuzzer = new Fuzzer(prng(seed), full ? 300 * 1024 : 64 * 1024);
  const failures: string[] = [];
  const uncaught: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).length;
  const started = Date.now();
  let sent = 0;
  let binary = 0;
  let oversized = 0;
  let withheld = 0;
  let stateCorrect = false;
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const client = newClient(sim);
  const registry = new DeviceRegistry(client, {
    secure: false,
    reconcileIntervalMs: 60_000,
    socket: {
      pingIntervalMs: 5_000,
      loginTimeoutMs: 5_000,
      backoffBaseMs: 20,
      backoffCapMs: 500,
      stableMs: 1_000,
    },
  });
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  const loginsBefore = () => sim.ws.logins;
  let logins = 0;
  try {
    registry.follow('soak-frames', 'all');
    await until(
      () => CHECKED.every(({ did }) => registry.stateOf(did)) && registry.state === 'online',
      15_000,
      'registry online',
    );
    logins = loginsBefore();
    for (let round = 0; sent < total; round++) {
      for (let i = 0; i < batch && sent < total; i++) {
        const frame = fuzzer.next();
        if (steersSession(frame.text)) {
          withheld++;
          continue;
        }
        sim.faults.sendRawFrame(frame.text, undefined, { binary: frame.binary });
        sent++;
        if (frame.binary) binary++;
      }
      // Now and then one frame over the limit: ws closes the socket, the registry reconnects.
      if (round % (full ? 40 : 8) === 7) {
        sim.faults.sendRawFrame(`{"cmd":"pong","pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`);
        sent++;
        oversized++;
      }
      await realChanges(sim, registry, round);
      if (round % 20 === 0) log(`frames: ${sent}/${total} sent, ${registry.skipped.frames} counted bad`);
    }
    await realChanges(sim, registry, 1);
    await until(() => registry.state === 'online', 15_000, 'registry online at the end');
    stateCorrect = CHECKED.every(({ did }) => {
      const held = JSON.stringify(registry.stateOf(did)?.attrs);
      const truth = JSON.stringify(sim.model.devices.get(did)!.socketSnapshot());
      if (held !== truth) failures.push(`state of ${did} differs from the cloud's: ${held} vs ${truth}`);
      return held === truth;
    });
  } catch (error) {
    failures.push(`the run stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    registry.close();
    client.close();
    await sim.close();
  }
  const skipped = registry.skipped;
  const prototypeClean =
    Object.getOwnPropertyNames(Object.prototype).length === protoKeysBefore &&
    ({} as Record<string, unknown>).polluted === undefined;
  if (uncaught.length) failures.push(`${uncaught.length} uncaught exception(s): ${String(uncaught[0])}`);
  if (unhandled.length) failures.push(`${unhandled.length} unhandled rejection(s): ${String(unhandled[0])}`);
  if (!prototypeClean) failures.push('Object.prototype was changed');
  if (skipped.internal > 0)
    failures.push(`${skipped.internal} frame(s) broke the handler (caught by its guard)`);
  if (skipped.frames === 0) failures.push('no frame was counted as bad: the fuzz did not reach the client');
  const result: SoakPartResult = {
    name: 'frames',
    goal: GOAL,
    pass: failures.length === 0 && stateCorrect,
    figures: {
      seed,
      framesSent: sent,
      binaryFrames: binary,
      oversizedFrames: oversized,
      withheldSessionFrames: withheld,
      // Each frame reaches both of the account's sockets (main and sandbox hosts), so up to twice framesSent.
      framesCountedBad: skipped.frames,
      oversizedCounted: skipped.oversized,
      handlerFailures: skipped.internal,
      uncaughtExceptions: uncaught.length,
      unhandledRejections: unhandled.length,
      relogins: Math.max(0, loginsBefore() - logins),
      stateCorrectAfterwards: stateCorrect,
      prototypeUnpolluted: prototypeClean,
      durationMs: Date.now() - started,
    },
    failures,
  };
  return result;
};
