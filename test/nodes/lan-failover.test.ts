// LAN control joined to the registry (docs/lan.md), in a real Node-RED against the simulator's devices on
// loopback: device-in and device-control keep working over the LAN while the cloud is down, and over the
// cloud while the LAN link is down; a report that reaches both links gives one message.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { SIM_DEVICES } from '../../src/simulator';
import { StatusBlock } from '../../src/simulator/lan/status-block';
import type { GizwitsAccountNode } from '../../src/nodes/common/account-node';
import { helper, loadNode, useNodeRed } from '../helpers/node-red';
import { useLanSimulator } from '../helpers/lan';
import { waitFor, type Msg } from '../helpers/live';

const LAMP = SIM_DEVICES.demoLamp1;
const deviceInNode = require('../../src/nodes/gizwits-device-in/gizwits-device-in');

describe('LAN control with the cloud as fallback', function () {
  this.timeout(30_000);
  const env = useLanSimulator({
    backoffCapMs: 100,
    breakerBaseMs: 50,
    breakerCapMs: 100,
    loginBackoffBaseMs: 10,
    loginBackoffCapMs: 50,
  });
  useNodeRed();

  /** account (lan) → device-control (the node under test) → out; device-in for the lamp → events. */
  async function start(mode: 'prefer' | 'only' = 'prefer') {
    const flow = await loadNode(
      env.sim,
      {
        type: 'gizwits-device-control',
        id: 'control',
        account: { lan: mode, lanTargets: `127.0.0.1:${env.sim.lan!.udpPort}`, configVersion: 2 },
        config: { device: LAMP, transport: 'auto', confirm: true, timeout: 5, configVersion: 1 },
        nodes: [
          {
            id: 'in',
            type: 'gizwits-device-in',
            account: 'account',
            devices: [LAMP],
            attrs: [],
            events: ['status'],
            onlyChanged: false,
            initial: true,
            configVersion: 1,
            wires: [['events']],
          },
          { id: 'events', type: 'helper' },
        ],
      },
      [deviceInNode],
    );
    const events: Msg[] = [];
    helper.getNode('events').on('input', (msg: Msg) => events.push(msg));
    const statuses: string[] = [];
    helper
      .getNode('in')
      .on('call:status', (call: { args: Array<{ text?: string }> }) =>
        statuses.push(call.args[0]?.text ?? ''),
      );
    const registry = (helper.getNode('account') as unknown as GizwitsAccountNode).devices();
    await waitFor(
      () => registry.lan?.isUp(LAMP) === true,
      8000,
      () => 'the lamp’s LAN link came up',
    );
    return { flow, events, statuses, registry };
  }

  const lampState = () => env.sim.model.devices.get(LAMP)!.socketSnapshot();
  const report = (values: Record<string, unknown>) =>
    env.sim.model.reportFromDevice(LAMP, new Map(Object.entries(values)) as never);
  const lastState = (events: Msg[]) => events[events.length - 1].payload as Record<string, unknown>;

  it('gives one message for a report that reaches both links, saying which link was first', async () => {
    const { events, registry } = await start();
    await waitFor(() => registry.state === 'online');
    // Every report the registry takes in, from either link, before it decides what is news.
    const taken = sinon.spy(registry as unknown as { onReport: (...args: unknown[]) => void }, 'onReport');
    const arrived = (brightness: number, via: string) =>
      taken.args.some(
        (args) => (args[1] as { brightness?: number }).brightness === brightness && args[5] === via,
      );
    const before = events.length;
    for (const brightness of [41, 42]) {
      report({ brightness });
      await waitFor(() => arrived(brightness, 'lan') && arrived(brightness, 'websocket'));
    }
    const news = events.slice(before).filter((m) => !m.initial);
    assert.deepEqual(
      news.map((m) => (m.payload as { brightness: number }).brightness),
      [41, 42],
      `one message per report: ${JSON.stringify(events.slice(before).map((m) => [m.via, m.initial, m.changed]))}`,
    );
    for (const m of news) assert.ok(['lan', 'websocket'].includes(m.via as string), String(m.via));
  });

  it('keeps reporting and taking writes over the LAN while the cloud is down, and says so', async () => {
    const { flow, events, statuses, registry } = await start();
    env.sim.faults.failNext(1_000_000, 503);
    env.sim.faults.refuseSockets(true);
    await waitFor(() => registry.state !== 'online');
    report({ brightness: 12 });
    await waitFor(() => events.some((m) => (m.payload as { brightness?: number }).brightness === 12));
    assert.equal(events[events.length - 1].via, 'lan');
    const written = await flow.run<Msg>({ payload: { brightness: 77, mode: '闪烁' } });
    assert.equal((written.payload as { brightness: number }).brightness, 77);
    assert.equal(lampState().brightness, 77);
    assert.equal(lampState().mode, '闪烁');
    await waitFor(() => lastState(events).brightness === 77);
    assert.deepEqual(lastState(events), lampState());
    await waitFor(
      () => /LAN 1\/1/.test(statuses[statuses.length - 1] ?? ''),
      3000,
      () => statuses.join(' | '),
    );
  });

  it('continues through the cloud within seconds when the LAN link dies, and hands back', async () => {
    const { flow, events, registry } = await start();
    await waitFor(() => registry.state === 'online');
    await env.sim.lan!.device(LAMP).close();
    env.closed = LAMP;
    await waitFor(() => !registry.lan!.isUp(LAMP), 3000);
    const lost = Date.now();
    report({ brightness: 64 });
    await waitFor(() => lastState(events).brightness === 64, 5000);
    assert.equal(events[events.length - 1].via, 'websocket');
    const written = await flow.run<Msg>({ payload: { brightness: 5 } });
    assert.equal((written.payload as { brightness: number }).brightness, 5);
    await waitFor(() => lastState(events).brightness === 5);
    assert.deepEqual(lastState(events), lampState());
    assert.ok(Date.now() - lost < 5000);
    // Back on the LAN: the link logs in again and carries the next write.
    await env.sim.lan!.device(LAMP).start();
    env.closed = undefined;
    await waitFor(() => registry.lan!.isUp(LAMP), 5000);
    const cloudWrites = () =>
      env.sim.ws.received.filter((f) => f.cmd === 'c2s_write').length +
      env.sim.calls.filter((c) => c.path.startsWith('/app/control')).length;
    const cloudBefore = cloudWrites();
    await flow.run({ payload: { brightness: 6 } });
    assert.equal(lampState().brightness, 6);
    assert.equal(cloudWrites(), cloudBefore, 'the write went over the LAN again');
  });

  it('device control’s status says whether the device’s LAN link is up, after a write and as it changes', async () => {
    const { flow } = await start();
    const shown: Array<{ fill?: string; text?: string }> = [];
    helper
      .getNode('control')
      .on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) =>
        shown.push(call.args[0]),
      );
    const last = () => shown[shown.length - 1] ?? {};
    await flow.run({ payload: { brightness: 33 } });
    assert.match(String(last().text), /^confirmed \d\d:\d\d:\d\d · LAN 1\/1$/);
    assert.equal(last().fill, 'green');
    await env.sim.lan!.device(LAMP).close();
    env.closed = LAMP;
    await waitFor(
      () => / · LAN 0\/1$/.test(String(last().text)),
      3000,
      () => JSON.stringify(shown),
    );
    assert.equal(last().fill, 'yellow');
    await env.sim.lan!.device(LAMP).start();
    env.closed = undefined;
    await waitFor(
      () => / · LAN 1\/1$/.test(String(last().text)),
      5000,
      () => JSON.stringify(shown),
    );
    assert.match(String(last().text), /^confirmed /, 'the last outcome stays');
  });

  it('with lan only, serves a linked device without the cloud: no subscription, no REST, writes over the LAN', async () => {
    const { flow, events, registry } = await start('only');
    // The lamp was the only device followed: no websocket is needed any more.
    await waitFor(
      () => registry.state === 'idle',
      5000,
      () => registry.state,
    );
    const cloudCalls = () =>
      env.sim.calls.filter((c) => c.path.startsWith('/app/control') || c.path.startsWith('/app/devdata'))
        .length + env.sim.ws.received.filter((f) => f.cmd === 'c2s_write' || f.cmd === 'c2s_read').length;
    const before = cloudCalls();
    report({ brightness: 23 });
    await waitFor(() => lastState(events).brightness === 23);
    assert.equal(events[events.length - 1].via, 'lan');
    const written = await flow.run<Msg>({ payload: { brightness: 24 } });
    assert.equal((written.payload as { brightness: number }).brightness, 24);
    assert.equal(lampState().brightness, 24);
    assert.equal(cloudCalls(), before, 'no device data went through the cloud');
  });

  it('never lets the passcode out: not in messages, status or logs', async () => {
    const { flow, events, statuses } = await start();
    await flow.run({ payload: { brightness: 9 } });
    const passcode = env.sim.model.devices.get(LAMP)!.passcode;
    const seen = JSON.stringify([events, statuses, helper.log().args]);
    assert.ok(events.length > 0 && !seen.includes(passcode));
  });

  it('decodes the websocket’s raw status frames of data-point products into their data points', async () => {
    const { events, registry } = await start();
    await waitFor(() => registry.state === 'online');
    const raws: Msg[] = [];
    registry.on('raw', (event: Msg) => raws.push(event));
    const lamp = env.sim.model.devices.get(LAMP)!;
    // The device's status as its module frames it (the simulator's side of docs/lan.md §4), brightness 55.
    const block = new StatusBlock(lamp.product).encode(new Map([...lamp.values, ['brightness', 55]]));
    const p0 = Buffer.concat([Buffer.from([0x04]), block]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 3, p0.length + 3, 0, 0, 0x91]), p0]);
    env.sim.model.sendRawFromDevice(LAMP, frame);
    await waitFor(() => raws.length > 0);
    const datapoints = raws[0].datapoints as Record<string, unknown>;
    assert.deepEqual(datapoints, { ...lampState(), brightness: 55 });
    // Bytes that are no status frame stay bytes.
    env.sim.model.sendRawFromDevice(LAMP, Buffer.from([0, 0, 0, 3, 5, 0, 0, 0x91, 6, 1]));
    await waitFor(() => raws.length > 1);
    assert.equal(raws[1].datapoints, undefined);
    assert.ok(events.length > 0);
  });

  it('reads the passcode again after a Wi-Fi reset changed it, and logs in with the new one', async () => {
    const { registry } = await start();
    const lan = env.sim.lan!.device(LAMP);
    const virtual = env.sim.model.devices.get(LAMP)! as { passcode: string };
    const old = virtual.passcode;
    const details = () => env.sim.calls.filter((c) => c.path === `/app/devices/${LAMP}`).length;
    const read = details();
    try {
      virtual.passcode = lan.passcode = 'RESETPASS7';
      lan.dropConnections();
      await waitFor(() => !registry.lan!.isUp(LAMP));
      await waitFor(() => registry.lan!.isUp(LAMP), 8000);
      assert.equal(details() - read, 1, 'the device detail read once more');
      assert.ok(!JSON.stringify(helper.log().args).includes('RESETPASS7'));
    } finally {
      virtual.passcode = lan.passcode = old;
    }
  });

  it('finds the device again by discovery when it comes back on another address', async () => {
    const { registry } = await start();
    const lan = env.sim.lan!.device(LAMP);
    const home = lan.host;
    try {
      await lan.moveTo('127.0.0.99');
      await waitFor(() => registry.lan!.link(LAMP)?.address === `127.0.0.99:${env.tcpPort}`, 8000);
      await waitFor(() => registry.lan!.isUp(LAMP), 8000);
    } finally {
      await lan.moveTo(home);
    }
  });

  it('transport lan refuses a device that has no LAN link, with the reason', async () => {
    const { registry } = await start();
    await assert.rejects(
      registry.write(SIM_DEVICES.demoAc, { set_temp: 20 }, { transport: 'lan' }),
      /has no LAN link/,
    );
  });
});
