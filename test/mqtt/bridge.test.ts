// gizwits-mqtt-bridge in a real Node-RED, against the simulated cloud and a real Mosquitto: state,
// availability and status on the broker, commands validated as gizwits-device-control validates them,
// refusals on the result topic and at a Catch node, and a broker that restarts.
import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_USERS, simManyPlugDid } from '../../src/simulator';
import { FAST_SOCKET, collect, deviceState, waitFor, type Msg } from '../helpers/live';
import { useWatchedBroker, watchBroker } from '../helpers/mqtt-watch';
import { bridgeNodes } from '../helpers/flows';
import {
  accountNode,
  catchNode,
  helper,
  nodeModule,
  onTab,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { useSimulator } from '../helpers/simulator';

const brokerNode = nodeModule('gizwits-mqtt-broker');
const bridgeNode = nodeModule('gizwits-mqtt-bridge');
const controlNode = nodeModule('gizwits-device-control');
const BASE = 'gz';
const { demoAc, demoPlug1, demoLamp1, demoPlug2Offline } = SIM_DEVICES;
const ALL = Object.values(SIM_DEVICES);

describe('gizwits-mqtt-bridge with a real Mosquitto', function () {
  this.timeout(30_000);
  const ctx = useSimulator();
  useNodeRed();
  const mq = useWatchedBroker();
  before(() => helper.settings({ gizwits: { ...FAST_SOCKET, mqttBackoff: { baseMs: 50, capMs: 200 } } }));
  after(() => helper.settings({}));

  async function start(config: Record<string, unknown> = {}, nodes: Array<Record<string, unknown>> = []) {
    const account = simAccount(ctx.sim);
    const flow = onTab([
      account.node,
      ...bridgeNodes(
        { url: mq.broker.url, keepalive: 10 },
        { baseTopic: BASE, discovery: true, discoveryPrefix: 'ha', commands: true, ...config },
      ),
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
      ...nodes,
    ]);
    await helper.load(
      [accountNode, brokerNode, bridgeNode, controlNode, catchNode],
      flow,
      account.credentials,
    );
    const node = helper.getNode('bridge');
    const statuses: Array<{ fill?: string; shape?: string; text?: string }> = [];
    node.on('call:status', (call: { args: Array<{ fill?: string; shape?: string; text?: string }> }) =>
      statuses.push(call.args[0]),
    );
    return { node, caught: collect(helper.getNode('caught')), statuses };
  }

  /** The bridge has subscribed to the device's commands: it publishes the availability right after. */
  const bridged = (did: string) => mq.watch.next((m) => m.topic === `${BASE}/${did}/availability`);
  const stateOf = (did: string) => JSON.parse(mq.watch.last(`${BASE}/${did}/state`) ?? 'null') as Msg | null;
  const controlWrites = (did: string) =>
    ctx.sim.ws.received.filter((f) => f.cmd === 'c2s_write' && f.did === did).length +
    ctx.sim.calls.filter((c) => c.path === `/app/control/${did}`).length;

  it('publishes every bound device’s state, availability and its own status, retained, and counts them', async () => {
    const { statuses } = await start();
    for (const did of ALL) await mq.watch.next((m) => m.topic === `${BASE}/${did}/availability`);
    await mq.watch.next((m) => m.topic === `${BASE}/bridge/bridge/status` && m.payload === 'online');
    await waitFor(() => ALL.filter((did) => did !== demoPlug2Offline).every((did) => stateOf(did)));
    const real = await deviceState(ctx.sim, demoAc);
    assert.equal(stateOf(demoAc)!.set_temp, real.attrs.set_temp);
    assert.equal(stateOf(demoAc)!.mode, real.attrs.mode);
    assert.equal(mq.watch.last(`${BASE}/${demoAc}/availability`), 'online');
    assert.equal(mq.watch.last(`${BASE}/${demoPlug2Offline}/availability`), 'offline');
    await waitFor(
      () => /^bridged 5 · broker ok · cloud ok$/.test(statuses.at(-1)?.text ?? ''),
      5000,
      () => JSON.stringify(statuses.at(-1)),
    );
    // Retained: a subscriber that comes later gets them at once.
    const late = await watchBroker(mq.broker.url, [`${BASE}/${demoAc}/state`]);
    try {
      const [first] = [await late.next(() => true)];
      assert.equal(first.retain, true);
    } finally {
      await late.close();
    }
  });

  it('publishes each change, and takes commands on both set topics', async () => {
    await start();
    await bridged(demoLamp1);
    await waitFor(() => stateOf(demoLamp1) !== null);
    const mark = mq.watch.all.length;
    ctx.sim.model.reportFromDevice(demoLamp1, new Map([['brightness', 17]]) as never);
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoLamp1}/state` && JSON.parse(m.payload).brightness === 17,
      mark,
    );

    await mq.watch.publish(`${BASE}/${demoLamp1}/set`, JSON.stringify({ brightness: 42, mode: '呼吸' }));
    await waitFor(async () => (await deviceState(ctx.sim, demoLamp1)).attrs.brightness === 42);
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoLamp1}/state` && JSON.parse(m.payload).brightness === 42,
    );
    await mq.watch.publish(`${BASE}/${demoPlug1}/countdown/set`, '77');
    await waitFor(async () => (await deviceState(ctx.sim, demoPlug1)).attrs.countdown === 77);
    await mq.watch.publish(`${BASE}/${demoAc}/mode/set`, '制热');
    await waitFor(async () => {
      const mode = (await deviceState(ctx.sim, demoAc)).attrs.mode;
      return mode === '制热' || mode === 2;
    });
    assert.equal(mq.watch.all.filter((m) => m.topic.endsWith('/result')).length, 0);
  });

  it('refuses what gizwits-device-control refuses, with the same reason, on the result topic and at a Catch node', async () => {
    const { caught } = await start({}, [
      {
        id: 'control',
        type: 'gizwits-device-control',
        account: 'account',
        device: demoLamp1,
        transport: 'auto',
        timeout: 5,
        configVersion: 1,
        wires: [[]],
      },
    ]);
    await bridged(demoLamp1);
    const before = controlWrites(demoLamp1);
    const values = { brightness: 150 };
    helper.getNode('control').receive({ payload: values });
    const [viaNode] = await caught.next((m) => m.error?.source?.id === 'control');
    await mq.watch.publish(`${BASE}/${demoLamp1}/set`, JSON.stringify(values));
    const result = await mq.watch.next((m) => m.topic === `${BASE}/${demoLamp1}/result`);
    const body = JSON.parse(result.payload) as { code: string; message: string };
    assert.equal(body.code, 'INVALID_PARAMS');
    assert.equal(`GizwitsError: ${body.message}`, viaNode.error.message);
    assert.match(body.message, /brightness/);
    assert.equal(result.retain, false);
    const [viaBridge] = await caught.next((m) => m.error?.source?.id === 'bridge');
    assert.equal(viaBridge.error.message, viaNode.error.message);
    assert.equal(viaBridge.did, demoLamp1);
    assert.deepEqual(viaBridge.payload, body);
    assert.equal(controlWrites(demoLamp1), before, 'nothing was sent to the device');
  });

  it('publishes a failed write with the cloud’s code, never repeating it', async () => {
    const { caught } = await start();
    await bridged(demoPlug2Offline);
    const before = ctx.sim.calls.filter((c) => c.path === `/app/control/${demoPlug2Offline}`).length;
    await mq.watch.publish(`${BASE}/${demoPlug2Offline}/set`, JSON.stringify({ switch: true }));
    const result = await mq.watch.next((m) => m.topic === `${BASE}/${demoPlug2Offline}/result`);
    const body = JSON.parse(result.payload) as { code: number; message: string };
    assert.equal(body.code, 9042);
    assert.match(body.message, /9042/);
    const [error] = await caught.next((m) => m.did === demoPlug2Offline);
    assert.match(error.error.message, /9042/);
    assert.equal(
      ctx.sim.calls.filter((c) => c.path === `/app/control/${demoPlug2Offline}`).length,
      before + 1,
    );
  });

  it('refuses hostile payloads and topics without throwing, and keeps working', async () => {
    const { caught } = await start();
    await bridged(demoPlug1);
    const before = controlWrites(demoPlug1);
    const cases: Array<[string, string | Buffer, RegExp]> = [
      [`${BASE}/${demoPlug1}/set`, '{"switch": tru', /JSON object/],
      [`${BASE}/${demoPlug1}/set`, '[1,2,3]', /JSON object/],
      [`${BASE}/${demoPlug1}/set`, Buffer.alloc(200_000, 0x41), /200000 bytes/],
      [`${BASE}/${demoPlug1}/set`, '{"__proto__": {"polluted": true}}', /__proto__/],
      [`${BASE}/${demoPlug1}/no-such!/set`, '1', /neither/],
      [`${BASE}/${demoPlug1}/nosuch/set`, '1', /nosuch/],
      [`${BASE}/${demoPlug1}/power/set`, '5', /power/],
    ];
    for (const [topic, payload, reason] of cases) {
      const mark = mq.watch.all.length;
      await mq.watch.publish(topic, payload);
      const result = await mq.watch.next((m) => m.topic === `${BASE}/${demoPlug1}/result`, mark);
      assert.match(JSON.parse(result.payload).message, reason, topic);
    }
    await waitFor(() => caught.all.length >= cases.length);
    assert.equal(controlWrites(demoPlug1), before, 'nothing was sent to the device');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await mq.watch.publish(`${BASE}/${demoPlug1}/countdown/set`, '9');
    await waitFor(async () => (await deviceState(ctx.sim, demoPlug1)).attrs.countdown === 9);
  });

  it('refuses a retained command left on the broker, and says so, instead of acting on it late', async () => {
    await mq.watch.publish(`${BASE}/${demoPlug1}/set`, JSON.stringify({ countdown: 555 }), {
      qos: 1,
      retain: true,
    });
    const before = controlWrites(demoPlug1);
    const { caught } = await start();
    const result = await mq.watch.next((m) => m.topic === `${BASE}/${demoPlug1}/result`);
    assert.match(JSON.parse(result.payload).message, /retained/);
    const [error] = await caught.next((m) => m.did === demoPlug1);
    assert.match(error.error.message, /retained/);
    assert.equal(controlWrites(demoPlug1), before);
    assert.notEqual((await deviceState(ctx.sim, demoPlug1)).attrs.countdown, 555);
  });

  it('acts on a command once when the same one arrives twice', async () => {
    await start();
    await bridged(demoPlug1);
    const before = controlWrites(demoPlug1);
    const payload = JSON.stringify({ countdown: 31 });
    await Promise.all([
      mq.watch.publish(`${BASE}/${demoPlug1}/set`, payload),
      mq.watch.publish(`${BASE}/${demoPlug1}/set`, payload),
    ]);
    await waitFor(async () => (await deviceState(ctx.sim, demoPlug1)).attrs.countdown === 31);
    // A later, different command is written after it: the duplicate would have been written before.
    await mq.watch.publish(`${BASE}/${demoPlug1}/set`, JSON.stringify({ countdown: 32 }));
    await waitFor(async () => (await deviceState(ctx.sim, demoPlug1)).attrs.countdown === 32);
    assert.equal(controlWrites(demoPlug1) - before, 2);
  });

  it('bridges devices bound later, and removes an unbound device’s config and state', async () => {
    await start({ devices: [] });
    await waitFor(() => stateOf(demoPlug1) !== null);
    const uid = ctx.sim.model.accounts.findByLoginName(SIM_USERS.demo.username)!.uid;
    const did = simManyPlugDid(2);
    ctx.sim.model.bind(uid, did, 'guest');
    try {
      await mq.watch.next((m) => m.topic === `ha/device/gizwits_${did}/config` && m.payload !== '');
      await mq.watch.next((m) => m.topic === `${BASE}/${did}/availability`);
    } finally {
      ctx.sim.model.unbind(uid, did);
    }
    await mq.watch.next((m) => m.topic === `ha/device/gizwits_${did}/config` && m.payload === '');
    await mq.watch.next((m) => m.topic === `${BASE}/${did}/state` && m.payload === '');
  });

  it('bridges only the chosen devices when given', async () => {
    const { statuses } = await start({ devices: [demoAc] });
    await bridged(demoAc);
    await waitFor(() => /^bridged 1 ·/.test(statuses.at(-1)?.text ?? ''));
    assert.equal(mq.watch.all.filter((m) => m.topic.startsWith(`${BASE}/${demoPlug1}`)).length, 0);
  });

  it('after the cloud link drops, marks devices offline, then publishes their state again with what changed meanwhile', async () => {
    const { statuses } = await start();
    await bridged(demoPlug1);
    await waitFor(() => mq.watch.last(`${BASE}/${demoPlug1}/availability`) === 'online');
    const mark = mq.watch.all.length;
    ctx.sim.faults.stopAnsweringPings(true);
    ctx.sim.faults.dropAllSockets();
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoPlug1}/availability` && m.payload === 'offline',
      mark,
    );
    await waitFor(() => statuses.some((s) => /cloud reconnecting/.test(s.text ?? '')));
    ctx.sim.model.reportFromDevice(demoPlug1, new Map([['countdown', 333]]) as never);
    ctx.sim.faults.stopAnsweringPings(false);
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoPlug1}/state` && JSON.parse(m.payload).countdown === 333,
      mark,
    );
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoPlug1}/availability` && m.payload === 'online',
      mark,
    );
    await waitFor(() => /cloud ok/.test(statuses.at(-1)?.text ?? ''));
  });

  it('shows a cloud that refuses the account in red, and keeps the broker side up', async () => {
    const account = simAccount(ctx.sim, {
      user: { username: 'mqtt-bridge-nobody', password: 'wrong-password-1' },
    });
    await helper.load(
      [accountNode, brokerNode, bridgeNode],
      onTab([
        account.node,
        { id: 'broker', type: 'gizwits-mqtt-broker', url: mq.broker.url, configVersion: 1 },
        {
          id: 'bridge',
          type: 'gizwits-mqtt-bridge',
          account: 'account',
          broker: 'broker',
          baseTopic: BASE,
          configVersion: 1,
        },
      ]),
      account.credentials,
    );
    const node = helper.getNode('bridge');
    await mq.watch.next((m) => m.topic === `${BASE}/bridge/bridge/status` && m.payload === 'online');
    await waitFor(() => {
      const last = (
        node.status as unknown as { lastCall?: { args: Array<{ fill?: string; text?: string }> } }
      ).lastCall?.args[0];
      return last?.fill === 'red' && /^cloud: /.test(last.text ?? '');
    });
    assert.ok(!JSON.stringify(helper.log().args).includes('wrong-password-1'));
  });

  it('after the broker restarts, reconnects and publishes everything again, with changes made meanwhile', async () => {
    const { statuses } = await start();
    await waitFor(() => stateOf(demoPlug1) !== null);
    await mq.watch.next((m) => m.topic === `ha/device/gizwits_${demoPlug1}/config`);
    await mq.watch.close();
    // Down for a while, in which the device changes; back on the same port, empty (no persistence).
    await mq.broker.pause();
    await waitFor(() => statuses.some((s) => /reconnecting/.test(s.text ?? '')));
    ctx.sim.model.reportFromDevice(demoPlug1, new Map([['countdown', 444]]) as never);
    await mq.broker.resume();
    mq.watch = await watchBroker(mq.broker.url);
    await mq.watch.next((m) => m.topic === `${BASE}/bridge/bridge/status` && m.payload === 'online');
    await mq.watch.next(
      (m) => m.topic === `${BASE}/${demoPlug1}/state` && JSON.parse(m.payload).countdown === 444,
    );
    await mq.watch.next((m) => m.topic === `ha/device/gizwits_${demoPlug1}/config`);
    for (const did of ALL) await mq.watch.next((m) => m.topic === `${BASE}/${did}/availability`);
    await waitFor(() => /broker ok/.test(statuses.at(-1)?.text ?? ''));
  });
});
