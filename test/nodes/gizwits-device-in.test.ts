// gizwits-device-in in a real Node-RED runtime, fed by the simulated cloud's device websocket.
import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_USERS, simManyPlugDid } from '../../src/simulator';
import { StatusBlock } from '../../src/simulator/lan/status-block';
import type { GizwitsAccountNode } from '../../src/nodes/common/account-node';
import { DEVICE_IN_DEFAULTS, type SimUser } from '../helpers/flows';
import {
  accountNode,
  deployFlows,
  helper,
  loadNode,
  onTab,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { useSimulator } from '../helpers/simulator';
import { activeTimers, deviceState, FAST_SOCKET, tcpHandles, waitFor, type Msg } from '../helpers/live';

const deviceInNode = require('../../src/nodes/gizwits-device-in/gizwits-device-in');

describe('gizwits-device-in', function () {
  this.timeout(15_000);
  const ctx = useSimulator();
  useNodeRed();
  before(() => helper.settings({ gizwits: FAST_SOCKET }));
  after(() => helper.settings({}));

  /** Loads account → device-in → helper and collects what reaches the helper. */
  async function start(config: Record<string, unknown>, user: SimUser = 'demo') {
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-device-in',
      id: 'in',
      account: { user },
      config: { ...DEVICE_IN_DEFAULTS, ...config },
    });
    return { node: flow.node, out: flow.out };
  }

  const report = (did: string, values: Record<string, unknown>) =>
    ctx.sim.model.reportFromDevice(did, new Map(Object.entries(values)) as never);

  /**
   * Waits until a socket login after frame `mark` has subscribed to `did` and asked for its state. A
   * report made before the subscription reaches nobody, and one pushed before the answer to that read
   * is the state after (re)connecting, sent as initial: only reports after it are live changes. The
   * simulator answers the read at once, on the socket the later pushes take.
   */
  const readAfterLogin = (mark: number, did: string) =>
    waitFor(() => {
      const frames = ctx.sim.ws.received.filter((f) => f.seq > mark);
      const logins = frames.filter((f) => f.cmd === 'login_req');
      const login = logins[logins.length - 1];
      return (
        login !== undefined && frames.some((f) => f.seq > login.seq && f.cmd === 'c2s_read' && f.did === did)
      );
    });
  const lastFrame = () => ctx.sim.ws.received.at(-1)?.seq ?? 0;

  it('sends each followed device’s real state once after deploy, in the message shape of the contract', async () => {
    const { out } = await start({ devices: [SIM_DEVICES.demoAc, SIM_DEVICES.demoPlug1] });
    const first = await out.until((all) => all.length >= 2);
    assert.deepEqual(first.map((m) => m.did).sort(), [SIM_DEVICES.demoAc, SIM_DEVICES.demoPlug1].sort());
    for (const msg of first) {
      assert.equal(msg.topic, msg.did);
      assert.equal(msg.event, 'status');
      assert.equal(msg.initial, true);
      assert.deepEqual(msg.changed, {});
      const real = await deviceState(ctx.sim, msg.did);
      assert.equal(msg.payload.switch, real.attrs.switch);
      assert.deepEqual(Object.keys(msg.device).sort(), [
        'alias',
        'did',
        'mac',
        'online',
        'productKey',
        'remark',
      ]);
      assert.equal(msg.device.mac, real.mac);
      assert.equal(msg.device.online, true);
    }
    const ac = first.find((m) => m.did === SIM_DEVICES.demoAc)!;
    assert.equal(ac.device.alias, '客厅空调');
    assert.equal(ac.payload.set_temp, (await deviceState(ctx.sim, SIM_DEVICES.demoAc)).attrs.set_temp);
    assert.equal(typeof ac.payload.mode, 'string', 'enums come as their label');
    await out.quiet(150);
    assert.equal(out.all.length, 2, 'no other device and no second initial message');
  });

  it('sends live changes with {old, new} for each changed data point, filtered to attrs', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { out } = await start({ devices: [did], attrs: ['power', 'switch'] });
    await out.until((all) => all.length >= 1);
    const old = (await deviceState(ctx.sim, did)).attrs.power as number;
    report(did, { power: old + 7, energy: 12345 });
    const [live] = await out.next();
    assert.equal(live.initial, false);
    assert.deepEqual(Object.keys(live.payload).sort(), ['power', 'switch']);
    assert.equal(live.payload.power, old + 7);
    assert.deepEqual(live.changed, { power: { old, new: old + 7 } });
  });

  it('with onlyChanged, stays quiet for reports that change none of its data points', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { out } = await start({ devices: [did], attrs: ['power'], onlyChanged: true });
    await out.until((all) => all.length >= 1);
    const power = (await deviceState(ctx.sim, did)).attrs.power as number;
    report(did, { energy: 777 });
    report(did, { power });
    report(did, { power: power + 1 });
    const [msg] = await out.next();
    assert.deepEqual(msg.changed, { power: { old: power, new: power + 1 } });
    await out.quiet(150);
    assert.equal(out.all.length, 2);
  });

  it('without onlyChanged, sends every report, changed or not', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { out } = await start({ devices: [did], attrs: ['power'] });
    await out.until((all) => all.length >= 1);
    report(did, { energy: 778 });
    const [msg] = await out.next();
    assert.deepEqual(msg.changed, {});
    assert.equal(msg.initial, false);
  });

  it('with initial off, sends only live changes', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const mark = lastFrame();
    const { out } = await start({ devices: [did], initial: false });
    await readAfterLogin(mark, did);
    await out.quiet(200);
    assert.equal(out.all.length, 0);
    report(did, { countdown: 42 });
    const [msg] = await out.next();
    assert.equal(msg.initial, false);
    assert.equal(msg.payload.countdown, 42);
  });

  it('sends online and offline events, and shows how many devices are online', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const mark = lastFrame();
    const { node, out } = await start({ devices: [did], events: ['online'] });
    const statuses = collectStatus(node);
    await waitFor(() => statuses.some((s) => /^1\/1 online/.test(s.text)));
    // The device list (REST) may say "online" before the socket has subscribed to the device's news.
    await readAfterLogin(mark, did);
    ctx.sim.faults.setOnline(did, false);
    const [offline] = await out.next();
    assert.equal(offline.event, 'offline');
    assert.equal(offline.payload, false);
    assert.equal(offline.device.online, false);
    await waitFor(() => statuses.some((s) => s.text.startsWith('0/1 online') && s.fill === 'yellow'));
    ctx.sim.faults.setOnline(did, true);
    const [online] = await out.next();
    assert.equal(online.event, 'online');
    assert.equal(online.payload, true);
    assert.equal(out.all.filter((m) => m.event === 'status').length, 0, 'status events were not asked for');
  });

  it('sends an offline device’s last known state at deploy, read over REST, marked offline', async () => {
    const did = SIM_DEVICES.demoPlug2Offline;
    const { out } = await start({ devices: [did, SIM_DEVICES.demoPlug1] });
    const first = await out.until((all) => all.length >= 2, 3000);
    const offline = first.find((m) => m.did === did)!;
    assert.equal(offline.initial, true);
    assert.equal(offline.device.online, false);
    assert.deepEqual(offline.changed, {});
    const real = await deviceState(ctx.sim, did);
    assert.equal(offline.payload.switch, real.attrs.switch);
    assert.equal(offline.payload.power, real.attrs.power);
    assert.equal(ctx.sim.calls.filter((c) => c.path === `/app/devdata/${did}/latest`).length, 1);
    await out.quiet(150);
    assert.equal(out.all.length, 2, 'one initial message each');
  });

  it('sends raw frames with the did suffix cut off', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const mark = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    const { out } = await start({ devices: [did], events: ['raw'] });
    await waitFor(() => ctx.sim.ws.received.some((f) => f.seq > mark && f.cmd === 'subscribe_req'));
    const bytes = [0, 0, 0, 3, 5, 0, 0, 0x91, 1, 2];
    ctx.sim.model.sendRawFromDevice(did, Buffer.from(bytes));
    const [msg] = await out.next();
    assert.equal(msg.event, 'raw');
    assert.deepEqual(msg.payload, bytes);
    assert.equal(msg.did, did);
    // P0 action 01 is no status: the bytes alone.
    assert.equal(msg.datapoints, undefined);
    assert.equal(msg.via, 'websocket');
  });

  it('decodes a raw status frame of a data-point product into its data points (docs/lan.md §4)', async () => {
    const did = SIM_DEVICES.demoLamp1;
    const mark = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    const { out } = await start({ devices: [did], events: ['raw'], attrs: ['brightness', 'switch'] });
    await waitFor(() => ctx.sim.ws.received.some((f) => f.seq > mark && f.cmd === 'subscribe_req'));
    const lamp = ctx.sim.model.devices.get(did)!;
    const block = new StatusBlock(lamp.product).encode(new Map([...lamp.values, ['brightness', 37]]));
    const p0 = Buffer.concat([Buffer.from([0x04]), block]);
    ctx.sim.model.sendRawFromDevice(
      did,
      Buffer.concat([Buffer.from([0, 0, 0, 3, p0.length + 3, 0, 0, 0x91]), p0]),
    );
    const [msg] = await out.next();
    assert.equal(msg.event, 'raw');
    assert.deepEqual(msg.datapoints, { switch: lamp.socketSnapshot().switch, brightness: 37 });
  });

  it('follows devices bound later when it follows all, and says bound/unbound', async () => {
    const { out } = await start({ devices: [], events: ['status', 'binding'] });
    // Every device: the online ones over the websocket, demoPlug2Offline over REST.
    await out.until((all) => new Set(all.filter((m) => m.initial).map((m) => m.did)).size >= 5);
    const uid = ctx.sim.model.accounts.findByLoginName(SIM_USERS.demo.username)!.uid;
    const did = simManyPlugDid(1);
    try {
      ctx.sim.model.bind(uid, did, 'guest');
      const [bound] = await out.next((m) => m.event === 'bound');
      assert.equal(bound.payload, did);
      assert.equal(bound.device.did, did);
      const [first] = await out.next((m) => m.event === 'status' && m.did === did);
      assert.equal(first.initial, true);
      report(did, { countdown: 5 });
      const [live] = await out.next((m) => m.event === 'status' && m.did === did && !m.initial);
      assert.equal(live.payload.countdown, 5);
    } finally {
      ctx.sim.model.unbind(uid, did);
    }
    const [unbound] = await out.next((m) => m.event === 'unbound');
    assert.equal(unbound.payload, did);
  });

  it('after the simulator drops every socket, reconnects and sends the state the device really has', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { node, out } = await start({ devices: [did] });
    const statuses = collectStatus(node);
    await out.until((all) => all.length >= 1);
    const connections = ctx.sim.ws.connections('main');
    ctx.sim.faults.stopAnsweringPings(true);
    ctx.sim.faults.dropAllSockets();
    // While no socket is up, the device changes and nobody is told.
    report(did, { countdown: 321 });
    ctx.sim.faults.stopAnsweringPings(false);
    const [after] = await out.next((m) => m.initial === true);
    assert.equal(after.payload.countdown, 321);
    assert.deepEqual(after.payload, await socketAttrs(did));
    assert.ok(ctx.sim.ws.connections('main') > connections);
    assert.equal(ctx.sim.ws.openSockets('main'), 1);
    assert.ok(statuses.some((s) => s.text === 'reconnecting' || /connecting/.test(s.text)));
    await waitFor(() => /^1\/1 online/.test(statuses.at(-1)?.text ?? ''));
  });

  it('keeps delivering after 1009 mid-session and after every token expires', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const { out } = await start({ devices: [did], initial: false });
    await waitFor(() => ctx.sim.ws.received.some((f) => f.cmd === 'c2s_read' && f.did === did));
    const logins = ctx.sim.ws.logins;
    let mark = lastFrame();
    ctx.sim.faults.sendInvalid(1009);
    await waitFor(() => ctx.sim.ws.logins > logins);
    await readAfterLogin(mark, did);
    report(did, { countdown: 11 });
    assert.equal((await out.next((m) => !m.initial))[0].payload.countdown, 11);

    const restLogins = ctx.sim.calls.filter((c) => c.path === '/app/login').length;
    mark = lastFrame();
    ctx.sim.faults.expireAllTokens();
    await waitFor(() => ctx.sim.calls.filter((c) => c.path === '/app/login').length > restLogins);
    await waitFor(() => ctx.sim.ws.logins > logins + 1);
    await readAfterLogin(mark, did);
    report(did, { countdown: 12 });
    assert.equal((await out.next((m) => !m.initial && m.payload.countdown === 12))[0].did, did);
  });

  it('shows a clear error and does not retry in a loop when the password is wrong', async () => {
    await loadNode(ctx.sim, {
      type: 'gizwits-device-in',
      id: 'in',
      account: { user: { username: SIM_USERS.demo.username, password: 'wrong-password' } },
      config: { devices: [], events: ['status'], wires: [] },
    });
    const statuses = collectStatus(helper.getNode('in'));
    await waitFor(() => statuses.some((s) => s.fill === 'red'));
    const red = statuses.find((s) => s.fill === 'red')!;
    assert.match(red.text, /9020|login|password/i);
    const logins = () => ctx.sim.calls.filter((c) => c.path === '/app/login').length;
    const count = logins();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(logins() <= count + 1, `at most one more login attempt, saw ${logins() - count}`);
    assert.equal(ctx.sim.ws.openSockets('main'), 0);
  });

  it('shares one socket per endpoint between nodes, and 50 redeploys leave no socket, timer or listener behind', async function () {
    this.timeout(60_000);
    const account = simAccount(ctx.sim);
    const flow = (n: number) =>
      onTab([
        account.node,
        ...[1, 2, 3].map((i) => ({
          id: `in${i}`,
          type: 'gizwits-device-in',
          account: 'account',
          name: `deploy ${n}`,
          devices: i === 3 ? [SIM_DEVICES.demoLamp2] : [],
          events: ['status', 'online'],
          initial: true,
          wires: [['out']],
        })),
        { id: 'out', type: 'helper' },
      ]);
    // Node-RED's own timers (the editor comms heartbeat) start with the first flow: count from after one.
    await helper.load([accountNode, deviceInNode], flow(0), account.credentials);
    await helper.unload();
    await waitFor(() => ctx.sim.ws.openSockets('main') === 0 && ctx.sim.ws.openSockets('sandbox') === 0);
    const timersBefore = activeTimers();
    const tcpBefore = tcpHandles();
    await helper.load([accountNode, deviceInNode], flow(0), account.credentials);
    await waitFor(() => ctx.sim.ws.openSockets('main') === 1 && ctx.sim.ws.openSockets('sandbox') === 1);
    const account0 = helper.getNode('account') as unknown as GizwitsAccountNode;
    const listenersOf = () => {
      const registry = account0.devices();
      return registry
        .eventNames()
        .reduce((n: number, name: string | symbol) => n + registry.listenerCount(name), 0);
    };
    const listeners = listenersOf();
    for (let n = 1; n <= 50; n++) {
      // A "modified nodes" deploy: the device-in nodes restart, the account stays.
      await deployFlows(flow(n), 'nodes', account.credentials);
    }
    await waitFor(() => ctx.sim.ws.openSockets('main') === 1 && ctx.sim.ws.openSockets('sandbox') === 1);
    assert.equal(helper.getNode('account'), account0, 'the account node was kept');
    assert.equal(listenersOf(), listeners, 'listeners on the shared registry');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(ctx.sim.ws.openSockets('main'), 1);
    assert.equal(ctx.sim.ws.openSockets('sandbox'), 1);
    // Full deploys: everything is rebuilt, and the old account's sockets close.
    for (let n = 51; n <= 55; n++) await deployFlows(flow(n), 'full', account.credentials);
    await waitFor(() => ctx.sim.ws.openSockets('main') === 1 && ctx.sim.ws.openSockets('sandbox') === 1);
    await helper.unload();
    await waitFor(() => ctx.sim.ws.openSockets('main') === 0 && ctx.sim.ws.openSockets('sandbox') === 0);
    await waitFor(
      () => tcpHandles() <= tcpBefore,
      3000,
      () => `TCP handles: ${tcpHandles()} > ${tcpBefore}`,
    );
    await waitFor(
      () => activeTimers() <= timersBefore,
      3000,
      () => `timers: ${activeTimers()} > ${timersBefore}`,
    );
  });

  function collectStatus(node: { on(event: string, cb: (call: { args: unknown[] }) => void): void }) {
    const seen: Array<{ fill?: string; shape?: string; text: string }> = [];
    node.on('call:status', (call) => {
      const status = call.args[0] as { fill?: string; shape?: string; text?: string };
      seen.push({ ...status, text: status.text ?? '' });
    });
    return seen;
  }

  /** The device's current data points as its websocket reports them, decoded like the node does. */
  async function socketAttrs(did: string): Promise<Msg> {
    const real = await deviceState(ctx.sim, did);
    return real.attrs as Msg;
  }
});
