// Nothing the network sends can take the process down: frames that once threw inside the websocket's
// message listener, frames too large, bytes, polluting keys, and bindings that name no usable websocket
// address, each sent by the real simulator to a live DeviceRegistry (and DeviceSocket) on loopback.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import {
  DeviceRegistry,
  DeviceSocket,
  GizwitsError,
  MAX_FRAME_BYTES,
  checkServerFrame,
  isAttrName,
  isDid,
  socketEndpoint,
} from '../../src/client';
import { WarningGate } from '../../src/client/warning-gate';
import { SIM_APP_ID, SIM_DEVICES, type Simulator } from '../../src/simulator';
import { record } from '../helpers/events';
import { CLIENT_SOCKET, waitFor } from '../helpers/live';
import { watchProcessFaults, type ProcessFaults } from '../helpers/process-faults';
import { simClient, useSimulator } from '../helpers/simulator';

const { demoAc, demoPlug1, demoLamp1, demoLamp2 } = SIM_DEVICES;
const ONLINE_DEMO = [demoAc, demoPlug1, demoLamp1, demoLamp2];

/** The frames that each used to end the process with an uncaught exception. */
const CRASHERS: Array<[string, string]> = [
  ['the text frame null', 'null'],
  ['subscribe_res with null in success', '{"cmd":"subscribe_res","data":{"success":[null],"failed":[null]}}'],
  [
    's2c_noti whose did is an object',
    '{"cmd":"s2c_noti","req_sn":5,"data":{"did":{"toString":1},"attrs":{}}}',
  ],
  [
    's2c_invalid_msg with an object error_code',
    '{"cmd":"s2c_invalid_msg","data":{"error_code":{"valueOf":1,"toString":1},"msg":"x"}}',
  ],
  [
    's2c_online_status whose did has no string form',
    '{"cmd":"s2c_online_status","data":{"did":{"toString":{}}}}',
  ],
  ['s2c_raw with bytes out of range', `{"cmd":"s2c_raw","data":{"did":"${demoAc}","raw":[1e309,-1,"x"]}}`],
  ['truncated JSON', '{"cmd":"s2c_noti","data":{"did":"'],
];

/** `wanted`, or the next number if the device already holds it (a report that changes nothing is not pushed). */
function otherValue(sim: Simulator, did: string, name: string, wanted: number): number {
  return sim.model.devices.get(did)!.values.get(name) === wanted ? wanted + 1 : wanted;
}

describe('hostile frames and bindings against a live registry', function () {
  this.timeout(20_000);
  const ctx = useSimulator();
  const registries: DeviceRegistry[] = [];
  let faults: ProcessFaults;
  beforeEach(() => {
    faults = watchProcessFaults();
  });
  afterEach(() => {
    faults.stop();
    for (const registry of registries.splice(0)) registry.close();
  });

  function assertNoProcessFaults(): void {
    assert.deepEqual(faults.uncaught.map(String), [], 'uncaught exceptions');
    assert.deepEqual(faults.unhandled.map(String), [], 'unhandled rejections');
  }

  async function followAll(options: { warnIntervalMs?: number } = {}) {
    const client = simClient(ctx.sim);
    const registry = new DeviceRegistry(client, {
      secure: false,
      reconcileIntervalMs: 60_000,
      socket: { ...CLIENT_SOCKET, ...options },
    });
    registries.push(registry);
    const events = record(registry, ['status', 'state', 'warning', 'unusable', 'error']);
    registry.follow('test', 'all');
    await waitFor(
      () => ONLINE_DEMO.every((did) => registry.stateOf(did)) && registry.state === 'online',
      5000,
      () => `state ${registry.state}`,
    );
    return { registry, events };
  }

  /** Makes a device report a new value and waits until the registry holds it. */
  async function liveChange(
    made: Awaited<ReturnType<typeof followAll>>,
    did: string,
    name: string,
    base: number,
  ) {
    const value = otherValue(ctx.sim, did, name, base);
    const mark = made.events.mark();
    ctx.sim.model.reportFromDevice(did, new Map([[name, value]]));
    await made.events.next('status', (e) => e.did === did && e.attrs[name] === value, 3000, mark);
    assert.deepEqual(made.registry.stateOf(did)!.attrs, ctx.sim.model.devices.get(did)!.socketSnapshot());
  }

  for (const [name, text] of CRASHERS) {
    it(`skips and counts ${name}, staying online on the same connection`, async () => {
      const sim = ctx.sim;
      const made = await followAll();
      const connections = sim.ws.connections('main');
      const before = made.registry.skipped;
      sim.faults.sendRawFrame(text, demoAc);
      await waitFor(() => made.registry.skipped.frames === before.frames + 1, 3000);
      await liveChange(made, demoAc, 'set_temp', 20);
      assert.equal(made.registry.state, 'online');
      assert.equal(sim.ws.connections('main'), connections, 'the socket was dropped');
      assert.equal(made.registry.skipped.internal, 0);
      // One warning, in the catalogue's words, that names the command but nothing from the frame.
      const warnings = made.events.of('warning') as GizwitsError[];
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /skipped 1 malformed frame\(s\) since the last warning/);
      assert.equal(warnings[0].text?.key, 'device.skipped.frames');
      assertNoProcessFaults();
    });
  }

  it('warns once a minute per kind with the count, not once per bad frame', async () => {
    const made = await followAll();
    for (let i = 0; i < 5; i++) ctx.sim.faults.sendRawFrame('[]', demoAc);
    await waitFor(() => made.registry.skipped.frames === 5, 3000);
    await liveChange(made, demoAc, 'set_temp', 22);
    assert.equal(made.events.of('warning').length, 1);
    assertNoProcessFaults();
  });

  it('skips bytes and keeps Object.prototype clean of polluting keys', async () => {
    const sim = ctx.sim;
    const made = await followAll();
    const connections = sim.ws.connections('main');
    const stateBefore = made.registry.stateOf(demoAc)!.attrs;
    sim.faults.sendRawFrame(`{"cmd":"s2c_noti","data":{"did":"${demoAc}","attrs":{"set_temp":0}}}`, demoAc, {
      binary: true,
    });
    sim.faults.sendRawFrame(
      `{"cmd":"s2c_noti","data":{"did":"${demoAc}","attrs":{"__proto__":{"polluted":1},"set_temp":0}}}`,
      demoAc,
    );
    sim.faults.sendRawFrame(
      `{"cmd":"s2c_noti","__proto__":{"polluted":1},"data":{"did":"${demoAc}"}}`,
      demoAc,
    );
    await waitFor(() => made.registry.skipped.frames === 2, 3000);
    assert.deepEqual(made.registry.stateOf(demoAc)!.attrs, stateBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await liveChange(made, demoAc, 'set_temp', 23);
    assert.equal(sim.ws.connections('main'), connections);
    assertNoProcessFaults();
  });

  it('reconnects with backoff after a frame over the limit (ws closes it with 1009), counted', async () => {
    const sim = ctx.sim;
    const made = await followAll();
    const logins = sim.ws.logins;
    const mark = made.events.mark();
    sim.faults.sendRawFrame(`{"cmd":"s2c_noti","pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`, demoAc);
    await made.events.next('state', (state) => state === 'reconnecting', 3000, mark);
    // Back, subscribed and read again.
    await made.events.next('status', (e) => e.did === demoAc && e.initial, 5000, mark);
    assert.ok(sim.ws.logins > logins);
    assert.equal(made.registry.skipped.oversized, 1);
    assert.ok(
      (made.events.of('warning') as GizwitsError[]).some((w) => w.text?.key === 'device.skipped.oversized'),
    );
    await liveChange(made, demoAc, 'set_temp', 24);
    assertNoProcessFaults();
  });

  it('takes a frame just under the limit', async () => {
    const made = await followAll();
    const pad = 'x'.repeat(MAX_FRAME_BYTES - 1000);
    const connections = ctx.sim.ws.connections('main');
    ctx.sim.faults.sendRawFrame(`{"cmd":"pong","pad":"${pad}"}`, demoAc);
    await liveChange(made, demoAc, 'set_temp', 25);
    assert.equal(made.registry.skipped.oversized + made.registry.skipped.frames, 0);
    assert.equal(ctx.sim.ws.connections('main'), connections);
  });

  const BAD_BINDINGS: Array<[string, Record<string, unknown>, string]> = [
    ['a port above 65535', { ws_port: 99999 }, 'ws_port'],
    ['a host that is no host name', { host: 'bad host/../x' }, 'host'],
    ['a port that is text', { ws_port: 'x' }, 'ws_port'],
    ['no ports', { ws_port: null, wss_port: null }, 'ws_port'],
    ['a host that would add a user and a path', { host: 'evil.example@127.0.0.1/x?' }, 'host'],
  ];
  for (const [name, patch, field] of BAD_BINDINGS) {
    it(`reports a device whose binding has ${name} on its own; the others stay online`, async () => {
      const sim = ctx.sim;
      sim.faults.corruptBinding(demoPlug1, patch);
      const made = await followAll();
      const error = made.registry.addressError(demoPlug1);
      assert.ok(error instanceof GizwitsError);
      assert.equal(error.text?.key, 'device.badAddress');
      assert.deepEqual(error.text?.params, { did: demoPlug1, field });
      assert.deepEqual(
        made.events.of('unusable').map((e) => e.did),
        [demoPlug1],
      );
      // Its state still comes, over REST, and writes that may use REST still work.
      await waitFor(() => made.registry.stateOf(demoPlug1) !== undefined, 3000);
      await made.registry.write(demoPlug1, { switch: true });
      await assert.rejects(
        made.registry.write(demoPlug1, { switch: false }, { transport: 'websocket', timeoutMs: 2000 }),
        (rejected) => rejected === error,
      );
      // Devices on the same host and on the other host are unaffected.
      assert.equal(made.registry.state, 'online');
      await liveChange(made, demoAc, 'set_temp', 26);
      await liveChange(made, demoLamp2, 'brightness', 40);
      assertNoProcessFaults();
    });
  }

  it('takes a binding that turned bad, and back, on refresh', async () => {
    const sim = ctx.sim;
    const made = await followAll();
    sim.faults.corruptBinding(demoLamp2, { host: '[not-an-ip]' });
    await made.registry.refreshBindings();
    assert.equal(made.registry.addressError(demoLamp2)?.text?.params?.field, 'host');
    await waitFor(() => sim.ws.openSockets('sandbox') === 0, 3000);
    await liveChange(made, demoAc, 'set_temp', 27);
    sim.faults.corruptBinding(demoLamp2, null);
    const mark = made.events.mark();
    await made.registry.refreshBindings();
    assert.equal(made.registry.addressError(demoLamp2), undefined);
    await made.events.next('status', (e) => e.did === demoLamp2 && e.initial, 5000, mark);
    await liveChange(made, demoLamp2, 'brightness', 41);
    assertNoProcessFaults();
  });

  it('skips a binding whose did or product key is unusable, warning once', async () => {
    const sim = ctx.sim;
    sim.faults.corruptBinding(demoLamp1, { did: { toString: 1 } });
    sim.faults.corruptBinding(demoPlug1, { product_key: ['x'] });
    const client = simClient(sim);
    const registry = new DeviceRegistry(client, { secure: false, socket: CLIENT_SOCKET });
    registries.push(registry);
    const events = record(registry, ['warning']);
    registry.follow('test', 'all');
    await registry.ready();
    assert.deepEqual(
      registry
        .list()
        .map((d) => d.did)
        .sort(),
      [demoAc, SIM_DEVICES.demoPlug2Offline, demoLamp2].sort(),
    );
    assert.equal(registry.skipped.bindings, 2);
    await waitFor(() => events.of('warning').length > 0, 2000);
    assert.match((events.of('warning') as Error[])[0].message, /skipped 1 binding/);
    assertNoProcessFaults();
  });
});

describe('device socket given an unusable address', () => {
  let faults: ProcessFaults;
  beforeEach(() => {
    faults = watchProcessFaults();
  });
  afterEach(() => faults.stop());

  for (const url of [
    'ws://127.0.0.1:99999/ws/app/v1',
    'ws://bad host/ws/app/v1',
    'http://127.0.0.1:1/',
    'ws://u:p@h:1/',
  ]) {
    it(`fails for good (no connection, no stray rejection): ${url}`, async () => {
      const credentials = sinon.fake.resolves({ uid: 'u', token: 't' });
      const socket = new DeviceSocket({ url, appId: SIM_APP_ID, credentials });
      const states = record(socket, ['state']);
      socket.setWanted([demoAc]);
      await states.next('state', (state) => state === 'failed', 2000, 0);
      assert.equal((socket.error as GizwitsError).code, 'INVALID_CONFIG');
      assert.equal((socket.error as GizwitsError).text?.key, 'device.badUrl');
      assert.equal(credentials.callCount, 0);
      socket.close();
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual([...faults.uncaught, ...faults.unhandled], []);
    });
  }
});

describe('frame and binding checks', () => {
  it('accepts the frames of the protocol as the cloud sends them', () => {
    const good = [
      '{"cmd":"login_res","data":{"success":true}}',
      `{"cmd":"subscribe_res","data":{"success":[{"did":"${demoAc}","error_code":0,"msg":"ok"}],"failed":[]}}`,
      `{"cmd":"s2c_noti","req_sn":3,"res_sn":4,"data":{"did":"${demoAc}","attrs":{"switch":true,"mode":"制冷","set_temp":25.5,"blob":[0,255]}}}`,
      `{"cmd":"s2c_ack","res_sn":1,"did":"${demoAc}"}`,
      `{"cmd":"s2c_raw","data":{"did":"${demoAc}/usr/abc","raw":[0,0,0,3]}}`,
      `{"cmd":"s2c_online_status","data":{"did":"${demoAc}","passcode":"P","mac":"m","online":false}}`,
      `{"cmd":"s2c_binding_changed","data":{"did":"${demoAc}","bind":true}}`,
      '{"cmd":"s2c_invalid_msg","data":{"error_code":1009,"msg":"M2M socket has closed, please login again!"}}',
      '{"cmd":"pong"}',
      '{"cmd":"s2c_something_newer","data":7}',
    ];
    for (const text of good) assert.notEqual(checkServerFrame(text).cmd, 'malformed', text);
  });

  it('takes as dids and data point names exactly what their definitions say, whatever the characters', () => {
    // The checks loop over character codes for speed; these are the definitions they must keep.
    const did = /^[A-Za-z0-9]{1,32}$/;
    const name = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
    // Every character next to a range boundary, and some far outside ASCII (full-width digits, a lone
    // surrogate, a combining mark, NUL).
    const alphabet = [...'/09:@AZ[`az{_-. $', '\u0000', '\u00e9', '\uff10', '\ud800', '\u0301', '\u0660'];
    let seed = 7;
    const next = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const samples = ['', 'a', '_', '0', '0a', 'a0', '__proto__', 'constructor', 'prototype', 'x'.repeat(32)];
    for (const length of [1, 2, 22, 31, 32, 33, 63, 64, 65])
      samples.push(
        'A'.repeat(length),
        '_'.repeat(length),
        '7'.repeat(length),
        `a${'Z9_'.repeat(30)}`.slice(0, length),
      );
    for (let i = 0; i < 5000; i++) {
      const length = next(70);
      let text = '';
      for (let c = 0; c < length; c++) text += alphabet[next(alphabet.length)];
      samples.push(text);
    }
    let taken = 0;
    for (const text of samples) {
      assert.equal(isDid(text), did.test(text), `did ${JSON.stringify(text)}`);
      const reserved = ['__proto__', 'constructor', 'prototype'].includes(text);
      assert.equal(isAttrName(text), name.test(text) && !reserved, `name ${JSON.stringify(text)}`);
      if (isDid(text) || isAttrName(text)) taken++;
    }
    assert.ok(taken > 50, `enough samples are valid to check both answers (${taken})`);
    for (const value of [undefined, null, 7, ['a'], { length: 3 }]) assert.equal(isDid(value), false);

    // Dids and names found well-formed are remembered, up to a limit, and forgotten all at once past it:
    // the answers stay those of the definitions, the second time and after more dids than the limit.
    const answers = () => samples.map((text) => [isDid(text), isAttrName(text)].join());
    const first = answers();
    assert.deepEqual(answers(), first);
    for (let i = 0; i < 25_000; i++) assert.equal(isDid(`d${i}`), true);
    for (let i = 0; i < 5_000; i++) assert.equal(isAttrName(`n_${i}`), true);
    assert.deepEqual(answers(), first);
    assert.equal(isDid('d1_'), false);
    assert.equal(isAttrName('1n'), false);
  });

  it('refuses numbers that are not finite or not whole where a sequence number is due', () => {
    for (const sn of ['1e309', '-1', '1.5', '"1"', '9007199254740993'])
      assert.deepEqual(
        checkServerFrame(`{"cmd":"s2c_ack","res_sn":${sn}}`),
        { cmd: 'malformed', of: 's2c_ack' },
        sn,
      );
  });

  it('builds websocket URLs only of host names, IP literals and ports 1..65535', () => {
    assert.deepEqual(socketEndpoint({ host: 'm2m.gizwits.com', ws_port: 8080, wss_port: 8880 }, true), {
      url: 'wss://m2m.gizwits.com:8880/ws/app/v1',
    });
    assert.deepEqual(socketEndpoint({ host: '::1', ws_port: 1, wss_port: 0 }, false), {
      url: 'ws://[::1]:1/ws/app/v1',
    });
    for (const host of ['', 'a b', 'x/../y', 'u@h', 'h:1', '-x.com', 'a'.repeat(64) + '.com'])
      assert.deepEqual(socketEndpoint({ host, ws_port: 80, wss_port: 443 }, false), { field: 'host' }, host);
    for (const port of [0, 65536, 1.5, -1, NaN, '80x', null])
      assert.deepEqual(
        socketEndpoint({ host: 'h', ws_port: port as number, wss_port: 443 }, false),
        { field: 'ws_port' },
        String(port),
      );
  });

  it('gates warnings: the first at once, then one per interval with the count since', () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000 });
    try {
      const said: Array<[string, number]> = [];
      const gate = new WarningGate<'a' | 'b'>((kind, count) => said.push([kind, count]), 60_000);
      gate.note('a');
      gate.note('a');
      gate.note('a');
      gate.note('b');
      assert.deepEqual(said, [
        ['a', 1],
        ['b', 1],
      ]);
      clock.tick(59_999);
      assert.equal(said.length, 2);
      clock.tick(1);
      assert.deepEqual(said.at(-1), ['a', 2]);
      clock.tick(120_000);
      assert.equal(said.length, 3);
      gate.note('a');
      assert.deepEqual(said.at(-1), ['a', 1]);
      gate.note('a');
      gate.close();
      clock.tick(120_000);
      assert.equal(said.length, 4);
    } finally {
      clock.restore();
    }
  });
});
