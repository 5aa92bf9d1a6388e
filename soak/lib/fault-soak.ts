// The fault soak behind the `faults` and `writes` parts: one flow (gizwits-account → gizwits-device-in
// following every device, and three gizwits-device-control nodes writing to random devices, with a Catch
// node), one simulator, and faults injected at random through the simulator's switches while devices
// change state. It runs once per process for a given seed and size: the two parts read their figures
// from the same run, as the writes happen during the faults.
import { performance } from 'node:perf_hooks';
import type { SimulatorFaults } from '../../src/simulator';
import type { SoakPartOptions } from '../types';
import { accountNode, changeDevice, cloudState, stableJson, startCloud, writeValues } from './cloud';
import { onTab, sleep, startRuntime, until, watchCrashes, type Json } from './node-red';
import { Random } from './random';

/** Quick pings, reconnects and reconciliation, so that recovery takes seconds rather than minutes. */
export const FAULT_TUNING = {
  pingIntervalMs: 500,
  loginTimeoutMs: 1500,
  backoffBaseMs: 50,
  backoffCapMs: 500,
  stableMs: 300,
  reconcileIntervalMs: 2000,
  silentAfterMs: 3000,
  // The budget's pauses, a minute at most by default (docs/budget.md), shortened as the socket's are:
  // this part checks that the state comes back right, the request-rate part that the pauses hold.
  loginBackoffBaseMs: 100,
  loginBackoffCapMs: 2000,
  breakerBaseMs: 100,
  breakerCapMs: 2000,
};

/** A write's `timeout` in the node (seconds), and how long past it a write may still end before it hangs. */
export const WRITE_TIMEOUT_S = 3;
/** The REST leg of a write has the client's own 15 s request timeout; 5 s more for the node and the flow. */
export const WRITE_MARGIN_MS = 20_000;

/** Fault switches another branch adds to the simulator; they join the mix when present at run time. */
interface LaterFaults {
  sendRawFrame?(text: string, did?: string): void;
  corruptBinding?(did: string, patch: Record<string, unknown> | null): void;
}

export interface FaultFigures {
  devices: number;
  faultsInjected: number;
  byKind: Record<string, number>;
  stateChanges: number;
  deviceInMessages: number;
  matched: number;
  sharePercent: number;
  /** From the end of the last fault to every device's last message equal to the cloud's state. */
  convergeMs: number;
  openSocketsAtEnd: string;
  crashes: number;
  crashLines: string[];
  warnings: string[];
  mismatches: string[];
  seconds: number;
}

export interface WriteFigures {
  sent: number;
  outputs: number;
  caught: number;
  caughtByCode: Record<string, number>;
  /** Ended after the node's timeout but within the margin. */
  late: number;
  hung: number;
  endedTwice: number;
  slowestMs: number;
}

export interface FaultSoakResult {
  faults: FaultFigures;
  writes: WriteFigures;
}

const runs = new Map<string, Promise<FaultSoakResult>>();

export function faultSoak(options: SoakPartOptions): Promise<FaultSoakResult> {
  const key = `${options.full}:${options.seed}`;
  let run = runs.get(key);
  if (!run) {
    run = runFaultSoak(options);
    runs.set(key, run);
  } else {
    options.log('fault soak: figures of the run already made in this process with this seed');
  }
  return run;
}

type FaultKind =
  | 'drop-sockets'
  | 'invalid-1009'
  | 'invalid-1011'
  | 'lost-pongs'
  | 'expire-tokens'
  | 'throttle-9041'
  | 'fail-5xx'
  | 'slow-answers'
  | 'raw-frame'
  | 'corrupt-binding';

const MALFORMED_FRAMES = [
  '{',
  'null',
  '[]',
  '"s2c_noti"',
  '{"cmd":"s2c_noti"}',
  '{"cmd":"s2c_noti","data":null}',
  '{"cmd":"s2c_noti","data":{"did":42,"attrs":"x"}}',
  '{"cmd":"s2c_noti","data":{"attrs":{"__proto__":{"polluted":1}}}}',
  '{"cmd":"s2c_online_status","data":{"did":[],"online":"yes"}}',
  '{"cmd":"pong","data":{"extra":' + '['.repeat(200) + ']'.repeat(200) + '}}',
  '{"cmd":"s2c_raw","data":{"did":"x","raw":[999,-1,"a"]}}',
  '\u0000\u0001binary?',
];

const BINDING_PATCHES: Array<Record<string, unknown>> = [
  { host: '' },
  { ws_port: 'eighty' },
  { ws_port: -1 },
  { product_key: null },
  { did: 42 },
  { is_online: 'maybe' },
  { dev_alias: { nested: true } },
];

async function runFaultSoak(options: SoakPartOptions): Promise<FaultSoakResult> {
  const { full, log } = options;
  const random = new Random(options.seed).fork('faults');
  const plan = full
    ? { devices: 18, sandbox: 3, faults: 100, hold: [300, 1500], silence: [800, 2500], gap: [200, 700] }
    : { devices: 8, sandbox: 2, faults: 15, hold: [100, 400], silence: [600, 1000], gap: [50, 200] };
  const hardEnd = performance.now() + (full ? 300_000 : 75_000);
  const begun = performance.now();

  const cloud = await startCloud(random, plan.devices, plan.sandbox);
  const runtime = await startRuntime(FAULT_TUNING);
  const crashes = watchCrashes();
  try {
    const faults = cloud.sim.faults as SimulatorFaults & LaterFaults;
    const kinds: FaultKind[] = [
      'drop-sockets',
      'invalid-1009',
      'invalid-1011',
      'lost-pongs',
      'expire-tokens',
      'throttle-9041',
      'fail-5xx',
      'slow-answers',
    ];
    if (typeof faults.sendRawFrame === 'function') kinds.push('raw-frame');
    if (typeof faults.corruptBinding === 'function') kinds.push('corrupt-binding');
    log(`fault kinds: ${kinds.join(', ')}`);

    // gizwits-device-in: each device's last status payload.
    const last = new Map<string, string>();
    let deviceInMessages = 0;
    // gizwits-device-control: each write by its id, until it ends.
    const pending = new Map<number, { startedAt: number }>();
    const writes: WriteFigures = {
      sent: 0,
      outputs: 0,
      caught: 0,
      caughtByCode: {},
      late: 0,
      hung: 0,
      endedTwice: 0,
      slowestMs: 0,
    };
    const ended = new Set<number>();
    const endWrite = (id: unknown, how: 'output' | 'caught', code?: unknown) => {
      if (typeof id !== 'number') return;
      const write = pending.get(id);
      if (!write) {
        if (ended.has(id)) writes.endedTwice++;
        return;
      }
      pending.delete(id);
      ended.add(id);
      const took = performance.now() - write.startedAt;
      writes.slowestMs = Math.max(writes.slowestMs, took);
      if (took > WRITE_TIMEOUT_S * 1000 + WRITE_MARGIN_MS) {
        writes.hung++;
        return;
      }
      if (took > WRITE_TIMEOUT_S * 1000) writes.late++;
      if (how === 'output') writes.outputs++;
      else {
        writes.caught++;
        const name = String(code ?? 'no code');
        writes.caughtByCode[name] = (writes.caughtByCode[name] ?? 0) + 1;
      }
    };
    runtime.onSink((nodeId, msg) => {
      if (nodeId === 'in-sink') {
        deviceInMessages++;
        if (msg.event === 'status' && typeof msg.did === 'string') last.set(msg.did, stableJson(msg.payload));
      } else if (nodeId === 'control-sink') {
        endWrite(msg.soakWrite, 'output');
      } else if (nodeId === 'catch-sink') {
        endWrite(msg.soakWrite, 'caught', (msg.error as Json | undefined)?.code);
      }
    });

    const account = accountNode(cloud);
    const control = (id: string, transport: string, confirm: boolean): Json => ({
      id,
      type: 'gizwits-device-control',
      account: 'account',
      device: '',
      deviceType: 'str',
      transport,
      confirm,
      timeout: WRITE_TIMEOUT_S,
      configVersion: 1,
      wires: [['control-sink']],
    });
    await runtime.deploy(
      onTab([
        account.node,
        {
          id: 'in',
          type: 'gizwits-device-in',
          account: 'account',
          devices: [],
          attrs: [],
          events: ['status', 'online'],
          onlyChanged: false,
          initial: true,
          configVersion: 1,
          wires: [['in-sink']],
        },
        { id: 'in-sink', type: 'bench-sink', wires: [] },
        control('control-rest', 'rest', false),
        control('control-websocket', 'websocket', false),
        control('control-auto-confirm', 'auto', true),
        { id: 'control-sink', type: 'bench-sink', wires: [] },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['catch-sink']] },
        { id: 'catch-sink', type: 'bench-sink', wires: [] },
      ]),
      account.credentials,
    );
    const matching = () => cloud.dids.filter((did) => last.get(did) === stableJson(cloudState(cloud, did)));
    if (!(await until(() => last.size === cloud.dids.length, 20_000)))
      throw new Error(`gizwits-device-in sent the state of ${last.size} of ${cloud.dids.length} devices`);
    log(`deployed: ${cloud.dids.length} devices followed, ${matching().length} in step`);

    // In the background until the faults end: devices change, and writes go out (at most 6 at a time).
    let stateChanges = 0;
    let writeId = 0;
    const controls = ['control-rest', 'control-websocket', 'control-auto-confirm'];
    let busy = true;
    const background = (async () => {
      while (busy) {
        if (random.chance(0.6)) {
          changeDevice(cloud, random.pick(cloud.dids), random);
          stateChanges++;
        }
        if (random.chance(0.25) && pending.size < 6) {
          const did = random.pick(cloud.dids);
          const id = ++writeId;
          pending.set(id, { startedAt: performance.now() });
          writes.sent++;
          runtime
            .node(random.pick(controls))
            .receive({ did, payload: writeValues(cloud, did, random), soakWrite: id });
        }
        await sleep(50);
      }
    })();

    const byKind: Record<string, number> = {};
    let injected = 0;
    for (; injected < plan.faults && performance.now() < hardEnd - 40_000; injected++) {
      const kind = random.pick(kinds);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      let clear = () => {};
      let hold = random.int(plan.hold[0], plan.hold[1]);
      switch (kind) {
        case 'drop-sockets':
          faults.dropAllSockets();
          break;
        case 'invalid-1009':
          faults.sendInvalid(1009);
          break;
        case 'invalid-1011':
          faults.sendInvalid(1011);
          break;
        case 'lost-pongs':
          // Long enough that the watchdog (no pong within a ping interval) must notice.
          hold = random.int(plan.silence[0], plan.silence[1]);
          faults.stopAnsweringPings(true);
          clear = () => faults.stopAnsweringPings(false);
          break;
        case 'expire-tokens':
          faults.expireAllTokens(random.pick([9004, 9006] as const));
          break;
        case 'throttle-9041':
          faults.throttle(random.int(1, 8), random.pick([400, 429] as const));
          break;
        case 'fail-5xx':
          faults.failNext(random.int(1, 8), random.pick([500, 502, 503, 504] as const));
          break;
        case 'slow-answers':
          faults.setLatency(random.int(100, 1500));
          clear = () => faults.setLatency(0);
          break;
        case 'raw-frame':
          faults.sendRawFrame!(
            random.pick(MALFORMED_FRAMES),
            random.chance(0.5) ? random.pick(cloud.dids) : undefined,
          );
          break;
        case 'corrupt-binding': {
          const did = random.pick(cloud.dids);
          faults.corruptBinding!(did, random.pick(BINDING_PATCHES));
          clear = () => faults.corruptBinding!(did, null);
          break;
        }
      }
      await sleep(hold);
      clear();
      await sleep(random.int(plan.gap[0], plan.gap[1]));
      if (injected % 10 === 9)
        log(`${injected + 1} faults, ${matching().length}/${cloud.dids.length} in step`);
    }
    busy = false;
    await background;
    // Runs of 9041 and 5xx not used up yet end here too: from now on the cloud behaves.
    faults.reset();
    const faultsEnded = performance.now();

    // Every write ends within its timeout and the margin, or it is counted as hung.
    await until(() => pending.size === 0, WRITE_TIMEOUT_S * 1000 + WRITE_MARGIN_MS, 50);
    writes.hung += pending.size;

    // Quiet: nothing changes any more; the node must come back in step with the cloud, and stay so for
    // two reconciliation rounds.
    await until(() => matching().length === cloud.dids.length, full ? 40_000 : 25_000, 50);
    const convergeMs = performance.now() - faultsEnded;
    await sleep(2 * FAULT_TUNING.reconcileIntervalMs);
    const matched = matching();
    const mismatches = cloud.dids
      .filter((did) => !matched.includes(did))
      .slice(0, 5)
      .map(
        (did) => `${did}: node ${last.get(did) ?? 'nothing'} ≠ cloud ${stableJson(cloudState(cloud, did))}`,
      );
    const figures: FaultFigures = {
      devices: cloud.dids.length,
      faultsInjected: injected,
      byKind,
      stateChanges,
      deviceInMessages,
      matched: matched.length,
      sharePercent: (100 * matched.length) / cloud.dids.length,
      convergeMs: Math.round(convergeMs),
      openSocketsAtEnd: `main ${cloud.sim.ws.openSockets('main')}, sandbox ${cloud.sim.ws.openSockets('sandbox')}`,
      crashes: crashes.count(),
      crashLines: crashes.lines,
      warnings: crashes.warnings,
      mismatches,
      seconds: Math.round((performance.now() - begun) / 1000),
    };
    return { faults: figures, writes };
  } finally {
    crashes.stop();
    await runtime.stop();
    await cloud.sim.close();
  }
}
