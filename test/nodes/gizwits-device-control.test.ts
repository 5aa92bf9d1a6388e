// gizwits-device-control in a real Node-RED runtime, writing to and reading the simulated cloud's devices.
import assert from 'node:assert/strict';
import { SIM_DEVICES } from '../../src/simulator';
import type { GizwitsAccountNode } from '../../src/nodes/common/account-node';
import {
  accountNode,
  helper,
  loadNode,
  nextError,
  nodeModule,
  onTab,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { useSimulator } from '../helpers/simulator';
import { deviceState, FAST_SOCKET, waitFor, type Msg } from '../helpers/live';

const controlNode = nodeModule('gizwits-device-control');

describe('gizwits-device-control', function () {
  this.timeout(15_000);
  const ctx = useSimulator();
  useNodeRed();
  before(() => helper.settings({ gizwits: FAST_SOCKET }));
  after(() => helper.settings({}));

  let mark = 0;
  async function start(config: Record<string, unknown> = {}) {
    mark = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-device-control',
      id: 'control',
      config: {
        device: SIM_DEVICES.demoPlug1,
        transport: 'auto',
        confirm: false,
        timeout: 3,
        configVersion: 1,
        ...config,
      },
    });
    return { node: flow.node, out: flow.out, caught: flow.caught };
  }

  /** What the device was sent from now on: websocket writes and REST control calls. */
  function watchWrites() {
    const seq = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    const calls = ctx.sim.calls.length;
    return {
      socket: () =>
        ctx.sim.ws.received.filter((f) => f.seq > seq && (f.cmd === 'c2s_write' || f.cmd === 'c2s_raw')),
      rest: () =>
        ctx.sim.calls.slice(calls).filter((c) => c.method === 'POST' && c.path.startsWith('/app/control/')),
    };
  }

  /** Waits until the socket of this flow has logged in, subscribed and read the node's device. */
  const online = () => waitFor(() => ctx.sim.ws.received.some((f) => f.seq > mark && f.cmd === 'c2s_read'));

  it('writes over the websocket when the device is online (transport auto), and the device takes it', async () => {
    const { node, out } = await start({ device: SIM_DEVICES.demoLamp1 });
    await online();
    const writes = watchWrites();
    node.receive({ payload: { brightness: 33, mode: '呼吸' } });
    const [msg] = await out.next();
    assert.equal(msg.did, SIM_DEVICES.demoLamp1);
    assert.equal(msg.payload.brightness, 33);
    const real = await deviceState(ctx.sim, SIM_DEVICES.demoLamp1);
    assert.equal(real.attrs.brightness, 33);
    assert.equal(real.attrs.mode, '呼吸');
    assert.equal(writes.socket().length, 1);
    assert.equal(writes.rest().length, 0);
  });

  it('writes over REST when told to, and over the websocket when told to', async () => {
    const { node, out } = await start({ transport: 'rest' });
    let writes = watchWrites();
    node.receive({ payload: { countdown: 17 } });
    await out.next();
    assert.equal(writes.rest().length, 1);
    assert.equal(writes.socket().length, 0);
    assert.equal((await deviceState(ctx.sim, SIM_DEVICES.demoPlug1)).attrs.countdown, 17);
    await helper.unload();

    const ws = await start({ transport: 'websocket' });
    await online();
    writes = watchWrites();
    ws.node.receive({ payload: { countdown: 18 } });
    await ws.out.next();
    assert.equal(writes.socket().length, 1);
    assert.equal(writes.rest().length, 0);
    assert.equal((await deviceState(ctx.sim, SIM_DEVICES.demoPlug1)).attrs.countdown, 18);
  });

  it('falls back to REST for an offline device (transport auto) and reports the cloud’s refusal', async () => {
    const { node, caught, out } = await start({ device: SIM_DEVICES.demoPlug2Offline });
    const writes = watchWrites();
    node.receive({ payload: { switch: true } });
    const [error] = await caught.next();
    assert.match(error.error.message, /offline|9042/i);
    assert.equal(writes.rest().length, 1, 'one REST attempt, not repeated');
    assert.equal(writes.socket().length, 0);
    assert.equal(out.all.length, 0);
  });

  it('refuses at once a websocket write to an offline device (transport websocket), sending nothing', async () => {
    const { node, caught, out } = await start({
      device: SIM_DEVICES.demoPlug2Offline,
      transport: 'websocket',
      timeout: 10,
    });
    await waitFor(() => ctx.sim.ws.received.some((f) => f.seq > mark && f.cmd === 'subscribe_req'));
    const writes = watchWrites();
    const started = Date.now();
    node.receive({ payload: { switch: true } });
    const [error] = await caught.next();
    assert.match(error.error.message, /9042 GIZ_OPENAPI_DEVICE_OFFLINE/);
    assert.ok(Date.now() - started < 3000, 'not left to the 10 s timeout');
    assert.equal(writes.socket().length + writes.rest().length, 0);
    assert.equal(out.all.length, 0);
  });

  it('with confirm, answers with the device’s reported state after the write', async () => {
    const { node, out } = await start({ device: SIM_DEVICES.demoAc, confirm: true });
    await online();
    node.receive({ payload: { set_temp: 23, mode: 2 } });
    const [msg] = await out.next();
    assert.equal(msg.payload.set_temp, 23);
    assert.equal(msg.payload.mode, '制热', 'an enum index is written and reported as its label');
    const real = await deviceState(ctx.sim, SIM_DEVICES.demoAc);
    assert.equal(real.attrs.set_temp, 23);
    assert.equal(msg.payload.room_temp, real.attrs.room_temp, 'the whole state, not only the written points');
  });

  it('with confirm, fails with a clear error after the timeout when the device never reports', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { node, out, caught } = await start({ device: did, confirm: true, timeout: 0.5 });
    await online();
    ctx.sim.faults.ignoreWrites(did, true);
    const started = Date.now();
    node.receive({ payload: { countdown: 99 } });
    const [error] = await caught.next();
    assert.ok(Date.now() - started >= 450, 'waited for the timeout');
    assert.match(error.error.message, new RegExp(did));
    assert.match(error.error.message, /confirm|report/i);
    assert.match(error.error.message, /countdown/);
    assert.equal(out.all.length, 0, 'nothing is sent on as if done');
  });

  it('refuses bad values before anything is sent, saying what was wrong', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [SIM_DEVICES.demoPlug1, { nosuch: 1 }, /nosuch/],
      [SIM_DEVICES.demoPlug1, { power: 10 }, /power.*(read-only|read only|not writable)/i],
      [SIM_DEVICES.demoPlug1, { countdown: 100000 }, /countdown/],
      [SIM_DEVICES.demoPlug1, { switch: 'maybe' }, /switch/],
      [SIM_DEVICES.demoAc, { mode: '冰冻' }, /mode/],
      [SIM_DEVICES.demoAc, { mode: 9 }, /mode/],
      [SIM_DEVICES.demoAc, { alert_full: true }, /alert_full/],
      [SIM_DEVICES.demoAc, { fault_roomtemp: true }, /fault_roomtemp/],
      [SIM_DEVICES.demoAc, { set_temp: -100 }, /set_temp/],
      [SIM_DEVICES.demoLamp1, { scene_data: 'zz' }, /scene_data/],
      [SIM_DEVICES.demoLamp1, { scene_data: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, /scene_data/],
      [SIM_DEVICES.demoLamp1, { LED_R: 256 }, /LED_R/],
    ];
    const { node, out } = await start();
    await online();
    const writes = watchWrites();
    for (const [did, payload, expected] of cases) {
      const failed = nextError(node);
      node.receive({ did, payload });
      const [message] = await failed;
      assert.match(String(message), expected, `${JSON.stringify(payload)} → ${String(message)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(writes.socket().length, 0);
    assert.equal(writes.rest().length, 0);
    assert.equal(out.all.length, 0);
  });

  it('names the device by its alias and did, and logs the sentence as text when no Catch node takes it', async () => {
    const { node, caught } = await start({ device: SIM_DEVICES.demoLamp1 });
    await online();
    // A Catch node gets the Error itself, with its code; nothing is logged.
    node.receive({ payload: { brightness: 150 } });
    await waitFor(() => caught.all.length === 1);
    const error = (caught.all[0] as Msg & { error: { message: string; code?: unknown } }).error;
    assert.match(error.message, /Cannot write to 卧室彩灯 \(DemoLampOne5Gs2Jx7Pk4F\): "brightness"/);
    assert.equal(error.code, 'INVALID_PARAMS');
    const errorLogs = () =>
      (helper.log().args as Array<[{ level: number; id?: string; msg: unknown }]>)
        .map(([entry]) => entry)
        .filter((entry) => entry.level === 20 && entry.id === 'control');
    assert.deepEqual(errorLogs(), [], 'a caught error is not logged');

    // Without a Catch node: one log entry, the sentence as text (the debug sidebar shows it as such).
    await helper.unload();
    await helper.load(
      [accountNode, controlNode],
      onTab([
        simAccount(ctx.sim).node,
        {
          id: 'control',
          type: 'gizwits-device-control',
          account: 'account',
          device: SIM_DEVICES.demoLamp1,
          transport: 'auto',
          confirm: false,
          timeout: 3,
          configVersion: 1,
          wires: [[]],
        },
      ]),
      simAccount(ctx.sim).credentials,
    );
    const uncaught = helper.getNode('control');
    const statuses: unknown[] = [];
    uncaught.on('call:status', (call: { args: unknown[] }) => statuses.push(call.args[0]));
    uncaught.receive({ payload: { brightness: 150 } });
    await waitFor(() => errorLogs().length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = errorLogs();
    assert.equal(logged.length, 1, 'logged once');
    assert.equal(typeof logged[0].msg, 'string');
    assert.match(
      String(logged[0].msg),
      /^Cannot write to 卧室彩灯 \(DemoLampOne5Gs2Jx7Pk4F\): "brightness" must be between 0 and 100/,
    );
    await waitFor(() => statuses.some((s) => JSON.stringify(s).includes('brightness 150 > 100')));
  });

  it('starts without the red ring of the node it replaces once a wrong password is fixed and deployed', async () => {
    const control = {
      id: 'control',
      type: 'gizwits-device-control',
      account: 'account',
      device: SIM_DEVICES.demoPlug1,
      transport: 'rest',
      confirm: false,
      timeout: 3,
      configVersion: 1,
      wires: [[]],
    };
    const account = simAccount(ctx.sim);
    const statuses: Array<{ fill?: string; text?: string }> = [];
    const watch = () =>
      helper
        .getNode('control')
        .on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) =>
          statuses.push(call.args[0]),
        );
    await helper.load([accountNode, controlNode], onTab([account.node, control]), {
      account: { ...account.credentials.account, password: 'wrong-password' },
    });
    watch();
    helper.getNode('control').receive({ payload: { switch: true } });
    await waitFor(() => statuses.some((s) => s.fill === 'red'));

    // The fix, deployed: Node-RED keeps showing a node's last status until the new node sets one.
    await helper.unload();
    statuses.length = 0;
    await helper.load([accountNode, controlNode], onTab([account.node, control]), account.credentials);
    watch();
    await waitFor(() => statuses.length > 0);
    assert.deepEqual(statuses[0], {}, 'the stale red ring is cleared at start');
  });

  it('reads the device’s current state with msg.action "read"', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const { node, out } = await start({ device: did });
    ctx.sim.model.reportFromDevice(did, new Map([['LED_G', 77]]) as never);
    node.receive({ action: 'read' });
    const [msg] = await out.next();
    const real = await deviceState(ctx.sim, did);
    assert.equal(msg.payload.LED_G, 77);
    assert.equal(msg.payload.brightness, real.attrs.brightness);
    assert.equal(msg.did, did);
  });

  it('takes the device from msg.did and refuses a message without any device', async () => {
    const { node, out } = await start({ device: '' });
    node.receive({ did: SIM_DEVICES.demoLamp1, payload: { LED_B: 12 } });
    const [msg] = await out.next();
    assert.equal(msg.did, SIM_DEVICES.demoLamp1);
    assert.equal((await deviceState(ctx.sim, SIM_DEVICES.demoLamp1)).attrs.LED_B, 12);
    const failed = nextError(node);
    node.receive({ payload: { LED_B: 13 } });
    assert.match(String((await failed)[0]), /no device/);
  });

  it('sends raw bytes in the P0 envelope, and refuses bytes that are not bytes', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const { node, out } = await start({ device: did, transport: 'websocket' });
    await online();
    const writes = watchWrites();
    node.receive({ payload: [0x01, 0x02, 0x03] });
    await out.next();
    assert.equal(writes.socket().length, 1);
    const entry = ctx.sim.model.devices.get(did)!.log.at(-1)!;
    assert.equal(entry.type, 'app2dev');
    const failed = nextError(node);
    node.receive({ raw: [1, 300] });
    assert.match(String((await failed)[0]), /raw data must be an array of bytes/);
    assert.equal(writes.socket().length, 1);
  });

  it('keeps working after the socket drops and after the tokens expire', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const { node, out, caught } = await start({ device: did, transport: 'websocket', confirm: true });
    await online();
    // Sent while the socket is down: waits for the reconnect instead of failing. "Down" as the client
    // knows it: sent before the client has seen the drop, a write goes out on the dying socket and
    // rightly fails with it, so it is sent from the first state change the drop causes.
    const registry = (helper.getNode('account') as unknown as GizwitsAccountNode).devices();
    const sent = new Promise<void>((resolve) => {
      const onState = (state: string) => {
        if (state === 'online') return;
        registry.off('state', onState);
        node.receive({ payload: { LED_R: 1 } });
        resolve();
      };
      registry.on('state', onState);
    });
    ctx.sim.faults.dropAllSockets();
    await sent;
    await waitFor(() => out.all.length + caught.all.length > 0);
    assert.deepEqual(
      caught.all.map((m) => m.error.message),
      [],
      'the write waited for the reconnect',
    );
    assert.equal(out.all[0].payload.LED_R, 1);

    const logins = ctx.sim.ws.logins;
    ctx.sim.faults.expireAllTokens();
    // Sent as the session dies: it either goes through or fails at once with a clear error, never hangs.
    node.receive({ payload: { LED_R: 2 } });
    await waitFor(() => out.all.length + caught.all.length === 2, 2500);
    if (caught.all.length) assert.match(caught.all[0].error.message, /session ended \(1009\)/);
    await waitFor(() => ctx.sim.ws.logins > logins);
    node.receive({ payload: { LED_R: 3 } });
    assert.equal((await out.next((m) => m.payload.LED_R === 3))[0].did, did);
    assert.equal((await deviceState(ctx.sim, did)).attrs.LED_R, 3);
  });

  it('never puts a secret in a message, an error or the status', async () => {
    const { node, out, caught } = await start({ device: SIM_DEVICES.demoPlug2Offline });
    const statuses: unknown[] = [];
    node.on('call:status', (call: { args: unknown[] }) => statuses.push(call.args[0]));
    node.receive({ payload: { switch: true } });
    await caught.next();
    node.receive({ did: SIM_DEVICES.demoPlug1, payload: { switch: true } });
    await out.next();
    const seen = JSON.stringify([out.all, caught.all.map((m: Msg) => m.error), statuses]);
    assert.ok(!seen.includes('Demo-Pass-2026'));
    const tokens = [...(ctx.sim.model.accounts as unknown as { tokens: Map<string, unknown> }).tokens.keys()];
    assert.ok(tokens.length > 0);
    for (const token of tokens) assert.ok(!seen.includes(token));
  });
});
