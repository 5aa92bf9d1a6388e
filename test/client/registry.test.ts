// DeviceRegistry against the real simulated cloud on loopback: sockets per endpoint shared by followers,
// state and events, bindings, reconnects, reconciliation (over the socket, REST where it cannot), writes and their validation, refused
// credentials, and close().
import assert from 'node:assert/strict';
import {
  copyDevice,
  DeviceRegistry,
  GizwitsError,
  type GizwitsClient,
  type RegistryOptions,
} from '../../src/client';
import { SIM_DEVICES, SIM_PRODUCTS, SIM_USERS, type Simulator } from '../../src/simulator';
import { record } from '../helpers/events';
import { activeTimers, CLIENT_SOCKET, deviceState, waitFor } from '../helpers/live';
import { GAUGE, GAUGE_DID } from '../helpers/products';
import { countCalls, simClient, useSimulator, type SimUser } from '../helpers/simulator';

const { demoAc, demoPlug1, demoPlug2Offline, demoLamp1, demoLamp2 } = SIM_DEVICES;
const ONLINE_DEMO = [demoAc, demoPlug1, demoLamp1, demoLamp2];

/** The device's current data point values as the simulator holds them. */
function simAttrs(sim: Simulator, did: string): Record<string, unknown> {
  return sim.model.devices.get(did)!.socketSnapshot();
}

function lastSeq(sim: Simulator): number {
  return sim.ws.received.at(-1)?.seq ?? 0;
}

describe('device registry against the simulated cloud', function () {
  const ctx = useSimulator();
  const registries: DeviceRegistry[] = [];
  afterEach(() => {
    for (const registry of registries.splice(0)) registry.close();
  });

  before(() => {
    ctx.sim.model.addProduct(GAUGE);
    ctx.sim.model.addDevice({
      did: GAUGE_DID,
      productKey: GAUGE.product_key,
      mac: 'accf23ee0001',
      passcode: 'GAUGEPASS0',
      online: true,
    });
    ctx.sim.model.bind(SIM_USERS.guest.uid, GAUGE_DID, 'owner');
  });

  function make(
    options: Partial<Omit<RegistryOptions, 'socket'>> & {
      socket?: RegistryOptions['socket'];
      user?: SimUser;
      client?: GizwitsClient;
    } = {},
  ) {
    const client = options.client ?? simClient(ctx.sim, options.user ?? 'demo');
    const registry = new DeviceRegistry(client, {
      secure: false,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
      silentAfterMs: options.silentAfterMs,
      checksPerSecond: options.checksPerSecond,
      checkTimeoutMs: options.checkTimeoutMs,
      socket: { ...CLIENT_SOCKET, ...options.socket },
    });
    registries.push(registry);
    const events = record(registry, ['status', 'online', 'raw', 'binding', 'state', 'login', 'error']);
    return { registry, client, events };
  }

  /** Waits until each device's state is known after the latest (re)login. */
  async function initialState(made: ReturnType<typeof make>, dids: string[], from = 0): Promise<void> {
    for (const did of dids) await made.events.next('status', (e) => e.did === did && e.initial, 3000, from);
    await waitFor(
      () => made.registry.state === 'online',
      2000,
      () => made.registry.state,
    );
  }

  /** make(options), following `dids` with every state known. */
  async function following(dids: string[], options: Parameters<typeof make>[0] = {}) {
    const made = make(options);
    made.registry.follow('a', dids);
    await initialState(made, dids);
    return made;
  }

  it('opens one socket per endpoint, shared by every follower, and closes one nobody needs', async () => {
    const sim = ctx.sim;
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    const mark = lastSeq(sim);
    const made = make();
    made.registry.follow('a', [demoAc]);
    made.registry.follow('b', [demoPlug1, demoLamp1]);
    const unfollowC = made.registry.follow('c', [demoLamp2]);
    const unfollowD = made.registry.follow('d', 'all');
    await initialState(made, ONLINE_DEMO);
    assert.equal(sim.ws.openSockets('main'), 1);
    assert.equal(sim.ws.openSockets('sandbox'), 1);
    const frames = sim.ws.received.filter((f) => f.seq > mark);
    const subscribed = (endpoint: string) =>
      new Set(
        frames.filter((f) => f.endpoint === endpoint && f.cmd === 'subscribe_req').flatMap((f) => f.dids!),
      );
    assert.deepEqual(subscribed('main'), new Set([demoAc, demoPlug1, demoPlug2Offline, demoLamp1]));
    assert.deepEqual(subscribed('sandbox'), new Set([demoLamp2]));
    assert.equal(new Set(frames.filter((f) => f.cmd === 'login_req').map((f) => f.socketId)).size, 2);

    unfollowD();
    unfollowC();
    await waitFor(() => sim.ws.openSockets('sandbox') === 0, 2000);
    assert.equal(sim.ws.openSockets('main'), 1);
    assert.equal(made.registry.state, 'online');
  });

  it('emits each device’s state once known, then live changes with old and new values', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoAc, demoLamp2]);
    await initialState(made, [demoAc, demoLamp2]);
    const first = made.events.of('status').find((e) => e.did === demoAc);
    assert.equal(first.first, true);
    assert.deepEqual(first.attrs, simAttrs(sim, demoAc));
    assert.deepEqual(first.device, {
      did: demoAc,
      productKey: SIM_PRODUCTS.airConditioner.product_key,
      mac: 'accf23a10001',
      alias: '客厅空调',
      remark: '',
      online: true,
    });
    const before = made.registry.stateOf(demoLamp2)!.attrs.brightness as number;
    const after = before === 70 ? 71 : 70;
    const mark = made.events.mark();
    sim.model.reportFromDevice(demoLamp2, new Map([['brightness', after]]));
    const live = (await made.events.next('status', (e) => e.did === demoLamp2, 3000, mark)).args[0];
    assert.deepEqual(live.changed, { brightness: { old: before, new: after } });
    assert.equal(live.initial, false);
    assert.equal(live.first, false);
    assert.deepEqual(live.attrs, simAttrs(sim, demoLamp2));
    assert.deepEqual(made.registry.stateOf(demoLamp2)!.attrs, simAttrs(sim, demoLamp2));
  });

  it('passes s2c_raw on with the device, its did cut to 22 characters', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoLamp1]);
    await initialState(made, [demoLamp1]);
    sim.model.sendRawFromDevice(demoLamp1, Buffer.from([0, 0, 0, 3, 4, 0, 0, 0x91, 9]));
    const raw = (await made.events.next('raw', () => true, 3000, 0)).args[0];
    assert.equal(raw.did, demoLamp1);
    assert.deepEqual(raw.raw, [0, 0, 0, 3, 4, 0, 0, 0x91, 9]);
    assert.equal(raw.device.alias, '卧室彩灯');
  });

  it('follows online status', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoPlug1]);
    await initialState(made, [demoPlug1]);
    sim.faults.setOnline(demoPlug1, false);
    const off = (await made.events.next('online', (e) => e.did === demoPlug1, 3000, 0)).args[0];
    assert.equal(off.online, false);
    assert.equal(off.device.online, false);
    assert.equal(made.registry.device(demoPlug1)!.online, false);
    sim.faults.setOnline(demoPlug1, true);
    await made.events.next('online', (e) => e.did === demoPlug1 && e.online, 3000, 0);
    assert.equal(made.registry.device(demoPlug1)!.online, true);
  });

  it('copies a device for each message with every field of its record, sharing none of it', async () => {
    const made = make();
    made.registry.follow('a', [demoAc]);
    await initialState(made, [demoAc]);
    const device = made.registry.device(demoAc)!;
    const copy = copyDevice(device);
    // Field by field, so that a field added to the record and not here would be missing from messages.
    assert.deepEqual(Object.keys(copy), Object.keys(device));
    assert.deepEqual(copy, device);
    copy.alias = 'changed by a flow';
    assert.notEqual(made.registry.device(demoAc)!.alias, 'changed by a flow');
  });

  it('refreshes the bindings on s2c_binding_changed: a bound device is followed by "all", an unbound one dropped', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('all', 'all');
    await initialState(made, ONLINE_DEMO);
    const other = simClient(sim);
    const mark = made.events.mark();
    const bound = await other.call('bindings.bindMac', {
      product_key: SIM_PRODUCTS.plug.product_key,
      mac: 'accf23b2ff01',
      dev_alias: 'new plug',
    });
    try {
      const event = (await made.events.next('binding', (e) => e.bind, 3000, mark)).args[0];
      assert.equal(event.did, bound.did);
      assert.equal(event.device.alias, 'new plug');
      assert.equal(made.registry.device(bound.did)!.mac, 'accf23b2ff01');
      // Followed by 'all': subscribed and read like the rest.
      const status = (await made.events.next('status', (e) => e.did === bound.did && e.initial, 3000, mark))
        .args[0];
      assert.deepEqual(status.attrs, simAttrs(sim, bound.did));
    } finally {
      await other.call('bindings.unbind', { devices: [{ did: bound.did }] });
    }
    const gone = (await made.events.next('binding', (e) => !e.bind, 3000, mark)).args[0];
    assert.equal(gone.did, bound.did);
    assert.equal(made.registry.device(bound.did), undefined);
    assert.equal(made.registry.stateOf(bound.did), undefined);
    assert.equal(made.events.of('binding').length, 2);

    // Unbound through the model (another app of the user): the same.
    const uid = SIM_USERS.demo.uid;
    const unboundMark = made.events.mark();
    sim.model.unbind(uid, demoPlug1);
    try {
      await made.events.next('binding', (e) => e.did === demoPlug1 && !e.bind, 3000, unboundMark);
      assert.equal(made.registry.device(demoPlug1), undefined);
    } finally {
      sim.model.bind(uid, demoPlug1, 'owner', { dev_alias: '台灯插座' });
    }
    await made.events.next('binding', (e) => e.did === demoPlug1 && e.bind, 3000, unboundMark);
    await made.events.next('status', (e) => e.did === demoPlug1 && e.initial, 3000, unboundMark);
  });

  it('reconnects after the sockets drop and then holds the devices’ real state, online flags included', async () => {
    const sim = ctx.sim;
    const made = make({ socket: { backoffBaseMs: 250, backoffCapMs: 250 } });
    made.registry.follow('all', 'all');
    await initialState(made, ONLINE_DEMO);
    const mark = lastSeq(sim);
    const eventMark = made.events.mark();
    sim.faults.dropAllSockets();
    await waitFor(() => made.registry.state === 'reconnecting', 2000);
    // Changes the client cannot hear of while its sockets are down.
    const setTemp = made.registry.stateOf(demoAc)!.attrs.set_temp === 18 ? 19 : 18;
    await simClient(sim).call('devices.control', { did: demoAc, attrs: { set_temp: setTemp } });
    const ledB = simAttrs(sim, demoLamp2).LED_B === 77 ? 78 : 77;
    sim.model.reportFromDevice(demoLamp2, new Map([['LED_B', ledB]]));
    sim.model.setOnline(demoPlug1, false);
    assert.equal(made.registry.state, 'reconnecting');

    await initialState(made, [demoAc, demoLamp1, demoLamp2], eventMark);
    const states = made.events.all
      .slice(eventMark)
      .filter((e) => e.event === 'state')
      .map((e) => e.args[0])
      .filter((s, i, all) => s !== all[i - 1]);
    assert.equal(states[0], 'reconnecting');
    assert.equal(states.at(-1), 'online');
    const frames = sim.ws.received.filter((f) => f.seq > mark);
    assert.equal(frames.filter((f) => f.cmd === 'login_req').length, 2);
    assert.deepEqual(
      new Set(frames.filter((f) => f.cmd === 'subscribe_req').flatMap((f) => f.dids!)),
      new Set([demoAc, demoPlug1, demoPlug2Offline, demoLamp1, demoLamp2]),
    );
    for (const did of [demoAc, demoLamp1, demoLamp2]) {
      assert.ok(
        frames.some((f) => f.cmd === 'c2s_read' && f.did === did),
        `read ${did} again`,
      );
      assert.deepEqual(made.registry.stateOf(did)!.attrs, (await deviceState(sim, did)).attrs, did);
    }
    assert.equal(made.registry.stateOf(demoAc)!.attrs.set_temp, setTemp);
    assert.equal(made.registry.stateOf(demoLamp2)!.attrs.LED_B, ledB);
    await waitFor(
      () => made.registry.device(demoPlug1)!.online === false,
      2000,
      () => 'demoPlug1 still online',
    );
    await made.events.next('online', (e) => e.did === demoPlug1 && !e.online, 1000, eventMark);
    for (const device of made.registry.list())
      assert.equal(device.online, (await deviceState(sim, device.did)).online, device.did);
  });

  it('reads over REST a device whose socket is down, and emits the change', async () => {
    const sim = ctx.sim;
    const made = await following([demoAc], {
      reconcileIntervalMs: 50,
      socket: { backoffBaseMs: 5000, backoffCapMs: 5000 },
    });
    sim.faults.dropAllSockets();
    await waitFor(() => made.registry.state === 'reconnecting', 2000);
    const reads = countCalls(sim, 'GET', `/app/devdata/${demoAc}/latest`);
    const mark = made.events.mark();
    const before = made.registry.stateOf(demoAc)!.attrs;
    const mode = before.mode === '制热' ? 3 : 2;
    sim.model.reportFromDevice(
      demoAc,
      new Map<string, boolean | number>([
        ['mode', mode],
        ['switch', !before.switch],
      ]),
    );
    const status = (await made.events.next('status', (e) => e.did === demoAc, 3000, mark)).args[0];
    assert.deepEqual(status.changed, {
      mode: { old: before.mode, new: SIM_PRODUCTS.airConditioner.attrs[1].enum![mode] },
      switch: { old: before.switch, new: !before.switch },
    });
    assert.equal(status.initial, false);
    assert.ok(countCalls(sim, 'GET', `/app/devdata/${demoAc}/latest`) > reads);
    // Decoded into the websocket's encoding: booleans, enum labels.
    assert.deepEqual(made.registry.stateOf(demoAc)!.attrs, (await deviceState(sim, demoAc)).attrs);
  });

  /** The c2s_read frames the simulator received for `did` after frame `mark`. */
  const socketReads = (sim: Simulator, did: string, mark: number) =>
    sim.ws.received.filter((f) => f.seq > mark && f.cmd === 'c2s_read' && f.did === did);
  const restReads = (sim: Simulator, did: string) => countCalls(sim, 'GET', `/app/devdata/${did}/latest`);

  it('checks a device silent for silentAfterMs over its socket, with no REST call, reporting nothing unchanged', async () => {
    const sim = ctx.sim;
    const made = await following([demoLamp1], { reconcileIntervalMs: 50, silentAfterMs: 200 });
    const seq = lastSeq(sim);
    const rest = restReads(sim, demoLamp1);
    const mark = made.events.mark();
    await waitFor(() => socketReads(sim, demoLamp1, seq).length >= 2, 3000);
    assert.equal(restReads(sim, demoLamp1), rest);
    assert.deepEqual(
      made.events.all.slice(mark).filter((e) => e.event === 'status'),
      [],
    );
  });

  it('takes a change the socket missed from the check, as a change with its old value', async () => {
    const sim = ctx.sim;
    const made = await following([demoLamp1], { reconcileIntervalMs: 50, silentAfterMs: 200 });
    const before = made.registry.stateOf(demoLamp1)!.attrs.brightness;
    const brightness = before === 5 ? 6 : 5;
    const rest = restReads(sim, demoLamp1);
    const mark = made.events.mark();
    // The device changes without any push: as if the report had been lost on the way.
    sim.model.devices.get(demoLamp1)!.apply(new Map([['brightness', brightness]]));
    const status = (await made.events.next('status', (e) => e.did === demoLamp1, 3000, mark)).args[0];
    assert.deepEqual(status.changed, { brightness: { old: before, new: brightness } });
    assert.equal(status.initial, false);
    assert.equal(made.registry.stateOf(demoLamp1)!.attrs.brightness, brightness);
    assert.equal(restReads(sim, demoLamp1), rest);
  });

  it('reads over REST a silent device whose check goes unanswered, emitting only changes', async () => {
    const sim = ctx.sim;
    const made = await following([demoLamp1], {
      reconcileIntervalMs: 50,
      silentAfterMs: 200,
      checkTimeoutMs: 100,
      socket: { pingIntervalMs: 5000 },
    });
    const seq = lastSeq(sim);
    sim.faults.stopAnsweringPings(true);
    const mark = made.events.mark();
    const brightness = made.registry.stateOf(demoLamp1)!.attrs.brightness === 5 ? 6 : 5;
    sim.model.reportFromDevice(demoLamp1, new Map([['brightness', brightness]]));
    const status = (await made.events.next('status', (e) => e.did === demoLamp1, 3000, mark)).args[0];
    assert.equal(status.changed.brightness.new, brightness);
    assert.ok(socketReads(sim, demoLamp1, seq).length >= 1, 'checked over the socket first');
    assert.equal(made.registry.state, 'online', 'the socket has not been given up yet');
    // Quiet from now on: it is read again, but nothing that did not change is reported as an update.
    const reads = restReads(sim, demoLamp1);
    const quietMark = made.events.mark();
    await waitFor(() => restReads(sim, demoLamp1) >= reads + 2, 3000);
    assert.deepEqual(
      made.events.all.slice(quietMark).filter((e) => e.event === 'status'),
      [],
    );
  });

  it('leaves an offline device alone while its socket is up: nothing to hear until it comes online', async () => {
    const sim = ctx.sim;
    const made = make({ reconcileIntervalMs: 50, silentAfterMs: 200 });
    made.registry.follow('a', [demoLamp1, demoPlug2Offline]);
    await initialState(made, [demoLamp1]);
    await waitFor(() => made.registry.stateOf(demoPlug2Offline) !== undefined, 3000);
    const seq = lastSeq(sim);
    const rest = restReads(sim, demoPlug2Offline);
    await waitFor(() => socketReads(sim, demoLamp1, seq).length >= 3, 3000);
    assert.deepEqual(socketReads(sim, demoPlug2Offline, seq), []);
    assert.equal(restReads(sim, demoPlug2Offline), rest);
  });

  it('paces the checks of many silent devices: checksPerSecond at most', async () => {
    const sim = ctx.sim;
    await following(ONLINE_DEMO, {
      reconcileIntervalMs: 50,
      silentAfterMs: 100,
      checksPerSecond: 20,
      checksInFlight: 1,
    });
    const seq = lastSeq(sim);
    await waitFor(() => ONLINE_DEMO.every((did) => socketReads(sim, did, seq).length >= 1), 5000);
    const times = sim.ws.received
      .filter((f) => f.seq > seq && f.cmd === 'c2s_read')
      .map((f) => f.at)
      .slice(0, ONLINE_DEMO.length);
    // 20 a second: 50 ms apart at least (a timer may fire a millisecond early).
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 48, `${times.join(', ')}`);
  });

  it('writes over REST, the websocket or either (auto), and the device takes the values', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoLamp1, demoLamp2]);
    await initialState(made, [demoLamp1, demoLamp2]);
    const controlsBefore = Object.fromEntries(
      [demoAc, demoLamp1, demoLamp2].map((did) => [did, countCalls(sim, 'POST', `/app/control/${did}`)]),
    );
    const control = (did: string) => countCalls(sim, 'POST', `/app/control/${did}`) - controlsBefore[did];
    const socketWrites = (since: number, did: string) =>
      sim.ws.received.filter((f) => f.seq > since && f.cmd === 'c2s_write' && f.did === did);
    const next = (did: string, name: string) =>
      ((sim.model.devices.get(did)!.values.get(name) as number) + 1) % 100;

    let mark = lastSeq(sim);
    let value = next(demoLamp1, 'brightness');
    const answer = await made.registry.write(demoLamp1, { brightness: value }, { transport: 'rest' });
    assert.equal(answer.brightness, value);
    assert.equal(control(demoLamp1), 1);
    assert.deepEqual(socketWrites(mark, demoLamp1), []);
    assert.equal((await deviceState(sim, demoLamp1)).attrs.brightness, value);

    mark = lastSeq(sim);
    value = next(demoLamp2, 'LED_G');
    await made.registry.write(demoLamp2, { LED_G: value }, { transport: 'websocket' });
    assert.equal(socketWrites(mark, demoLamp2).length, 1);
    assert.equal(socketWrites(mark, demoLamp2)[0].endpoint, 'sandbox');
    assert.equal(control(demoLamp2), 0);
    assert.equal((await deviceState(sim, demoLamp2)).attrs.LED_G, value);

    mark = lastSeq(sim);
    value = next(demoLamp1, 'brightness');
    await made.registry.write(demoLamp1, { brightness: value, mode: 1 }, { transport: 'auto' });
    assert.equal(socketWrites(mark, demoLamp1).length, 1, 'auto uses the connected socket');
    assert.equal(control(demoLamp1), 1);
    assert.deepEqual(
      {
        brightness: sim.model.devices.get(demoLamp1)!.values.get('brightness'),
        mode: simAttrs(sim, demoLamp1).mode,
      },
      { brightness: value, mode: '呼吸' },
    );

    // Not followed, so no socket: auto goes over REST, websocket refuses with what to do.
    mark = lastSeq(sim);
    const acBefore = simAttrs(sim, demoAc).on_timing as number;
    await made.registry.write(demoAc, { on_timing: (acBefore + 1) % 1440 });
    assert.equal(control(demoAc), 1);
    assert.equal(simAttrs(sim, demoAc).on_timing, (acBefore + 1) % 1440);
    await assert.rejects(
      made.registry.write(demoAc, { on_timing: 5 }, { transport: 'websocket' }),
      /DemoAirCond8Kq3Xv9Lm2A: the websocket does not follow this device .*; use transport auto or rest/,
    );
    assert.equal(control(demoAc), 1);
    assert.deepEqual(socketWrites(mark, demoAc), []);
  });

  it('writes raw bytes over the websocket (as a P0 frame) or over REST (the payload)', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoLamp1]);
    await initialState(made, [demoLamp1]);
    const log = sim.model.devices.get(demoLamp1)!.log;
    const logged = log.length;
    const mark = lastSeq(sim);
    await made.registry.writeRaw(demoLamp1, [1, 2, 3], { transport: 'websocket' });
    await waitFor(() => log.length > logged, 2000);
    assert.equal(sim.ws.received.filter((f) => f.seq > mark && f.cmd === 'c2s_raw').length, 1);
    const controls = countCalls(sim, 'POST', `/app/control/${demoLamp1}`);
    await made.registry.writeRaw(demoLamp1, [4, 5], { transport: 'rest' });
    assert.equal(countCalls(sim, 'POST', `/app/control/${demoLamp1}`), controls + 1);
    const written = log.slice(logged).filter((entry) => entry.type === 'app2dev');
    assert.equal(written.length, 2);
    assert.match(written[0].payload_bin!, /010203$/);
    assert.match(written[1].payload_bin!, /0405$/);
  });

  it('confirms a write once the device reports it, and times out clearly when it never does', async () => {
    const sim = ctx.sim;
    const made = make();
    made.registry.follow('a', [demoLamp1]);
    await initialState(made, [demoLamp1]);
    const value = ((made.registry.stateOf(demoLamp1)!.attrs.LED_R as number) + 7) % 250;
    const confirmed = await made.registry.write(
      demoLamp1,
      { LED_R: value },
      { confirm: true, timeoutMs: 2000 },
    );
    assert.deepEqual(confirmed, simAttrs(sim, demoLamp1));
    assert.equal(confirmed.LED_R, value);

    // Writing what the device already holds: no report comes, yet the device does hold the value.
    let started = Date.now();
    const same = await made.registry.write(demoLamp1, { LED_R: value }, { confirm: true, timeoutMs: 2000 });
    assert.equal(same.LED_R, value);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);

    sim.faults.ignoreWrites(demoLamp1, true);
    started = Date.now();
    await assert.rejects(
      made.registry.write(demoLamp1, { LED_R: (value + 1) % 250 }, { confirm: true, timeoutMs: 300 }),
      (error: GizwitsError) => {
        assert.equal(error.code, 'TIMEOUT');
        assert.match(
          error.message,
          /DemoLampOne5Gs2Jx7Pk4F did not report LED_R as written within 0.3 s: the device may be offline or refused the values/,
        );
        return true;
      },
    );
    assert.ok(Date.now() - started >= 290);
    assert.equal(simAttrs(sim, demoLamp1).LED_R, value);

    // Offline device over the websocket: the cloud would never acknowledge, so nothing is sent.
    sim.faults.ignoreWrites(demoLamp1, false);
    sim.faults.setOnline(demoLamp1, false);
    await made.events.next('online', (e) => e.did === demoLamp1 && !e.online, 2000, 0);
    const writesBefore = sim.ws.received.filter((f) => f.cmd === 'c2s_write').length;
    started = Date.now();
    await assert.rejects(
      made.registry.write(
        demoLamp1,
        { LED_R: 1 },
        { transport: 'websocket', confirm: true, timeoutMs: 2000 },
      ),
      (error: GizwitsError) => error.code === 9042 && /GIZ_OPENAPI_DEVICE_OFFLINE/.test(error.message),
    );
    assert.ok(Date.now() - started < 1000, 'refused at once, not at the timeout');
    assert.equal(sim.ws.received.filter((f) => f.cmd === 'c2s_write').length, writesBefore);
    // auto falls back to REST, which says the device is offline.
    await assert.rejects(
      made.registry.write(demoLamp1, { LED_R: 1 }, { confirm: true, timeoutMs: 300 }),
      /9042/,
    );
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['bool', { power: 'yes' }, /"power" takes true or false, not "yes"/],
      ['enum label', { level: 'turbo' }, /"level" takes one of 0 "low", 1 "mid", 2 "high"; not "turbo"/],
      ['enum index above', { level: 3 }, /"level" takes one of .*; not 3/],
      ['enum index below', { level: -1 }, /"level" takes one of .*; not -1/],
      [
        'uint8 below (ratio, addition)',
        { small: 9.5 },
        /"small" must be between 10 and 110; 9.5 is out of range/,
      ],
      ['uint8 above', { small: 110.5 }, /"small" must be between 10 and 110; 110.5 is out of range/],
      [
        'uint8 between steps',
        { small: 10.25 },
        /"small" moves in steps of 0.5 from 10; 10.25 is between steps/,
      ],
      ['uint16 below (addition)', { medium: -501 }, /"medium" must be between -500 and 500/],
      ['uint16 above', { medium: 501 }, /"medium" must be between -500 and 500/],
      ['uint16 not a number', { medium: 'abc' }, /"medium" takes a number, not "abc"/],
      ['uint32 above (ratio)', { big: 400000000.1 }, /"big" must be between 0 and 400000000/],
      ['uint32 below', { big: -0.1 }, /"big" must be between 0 and 400000000/],
      ['uint32 between steps', { big: 0.05 }, /"big" moves in steps of 0.1 from 0/],
      ['binary too long', { blob: [1, 2, 3, 4, 5] }, /"blob" holds 4 bytes; 5 given/],
      ['binary not hex', { blob: 'zz' }, /"blob" takes hex text, "base64:..." text or an array of bytes/],
      ['binary not bytes', { blob: [1, 256] }, /"blob" takes hex text/],
      ['read-only', { reading: 1 }, /"reading" is read-only and cannot be written/],
      ['alert', { alarm: true }, /"alarm" is an alert point and cannot be written/],
      ['fault', { broken: false }, /"broken" is a fault point and cannot be written/],
      [
        'unknown name',
        { nope: 1 },
        /"nope" is not a data point of Test gauge; writable ones are power, level, small/,
      ],
      ['one bad among good values', { power: true, level: 'turbo' }, /"level" takes one of/],
      ['not an object', [1, 2] as unknown as Record<string, unknown>, /give an object of data point values/],
      ['nothing', {}, /no data point values given/],
    ];

    for (const transport of ['auto', 'rest', 'websocket'] as const) {
      it(`refuses a bad value of every data point type (${transport}), sending nothing`, async () => {
        const sim = ctx.sim;
        const made = make({ user: 'guest' });
        made.registry.follow('a', [GAUGE_DID]);
        await initialState(made, [GAUGE_DID]);
        const mark = lastSeq(sim);
        const controls = countCalls(sim, 'POST', `/app/control/${GAUGE_DID}`);
        const before = simAttrs(sim, GAUGE_DID);
        for (const [what, values, message] of cases) {
          await assert.rejects(
            made.registry.write(GAUGE_DID, values, { transport, confirm: true, timeoutMs: 500 }),
            (error: GizwitsError) => {
              assert.equal(error.code, 'INVALID_PARAMS', what);
              assert.match(error.message, /^Cannot write to TestGauge0000000000001: /, what);
              assert.match(error.message, message, what);
              return true;
            },
            what,
          );
        }
        assert.equal(countCalls(sim, 'POST', `/app/control/${GAUGE_DID}`), controls, 'no REST control');
        assert.deepEqual(
          sim.ws.received.filter((f) => f.seq > mark && (f.cmd === 'c2s_write' || f.cmd === 'c2s_raw')),
          [],
          'no c2s_write',
        );
        assert.deepEqual(simAttrs(sim, GAUGE_DID), before);

        // Good values of every type get through, scaled and labelled as the device shows them.
        const good = { power: true, level: 2, small: 10.5, medium: -500, big: 12345.6, blob: 'a1b2' };
        await made.registry.write(GAUGE_DID, good, { transport, confirm: true, timeoutMs: 2000 });
        const after = simAttrs(sim, GAUGE_DID);
        assert.deepEqual(
          {
            power: after.power,
            level: after.level,
            small: after.small,
            medium: after.medium,
            big: after.big,
            blob: after.blob,
          },
          { power: true, level: 'high', small: 10.5, medium: -500, big: 12345.6, blob: [0xa1, 0xb2, 0, 0] },
        );
        // Put it back for the next transport.
        await made.registry.write(
          GAUGE_DID,
          { power: false, level: 0, small: 10, medium: 0, big: 0, blob: '' },
          { transport: 'rest' },
        );
      });
    }
  });

  it('fails with the cause named when the credentials are refused, and does not log in again and again', async () => {
    const sim = ctx.sim;
    const logins = countCalls(sim, 'POST', '/app/login');
    const connections = sim.ws.connections('main');
    const client = simClient(sim, 'demo', {
      credentials: { mode: 'password', username: 'demo', password: 'not-the-password' },
    });
    const made = make({ client, reconcileIntervalMs: 50 });
    made.registry.follow('a', 'all');
    await waitFor(
      () => made.registry.state === 'failed',
      3000,
      () => made.registry.state,
    );
    const error = made.registry.error as GizwitsError;
    assert.equal(error.code, 9020);
    assert.match(error.message, /9020 .*check the username and password of the gizwits-account node/);
    assert.equal(made.events.of('error').length, 1);
    assert.equal(made.events.of('state').at(-1), 'failed');

    // Another follower, a write and a few reconciliation rounds later: still one login call.
    made.registry.follow('b', [demoAc]);
    await assert.rejects(made.registry.write(demoAc, { switch: true }), /Not trying again until/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(countCalls(sim, 'POST', '/app/login'), logins + 1);
    assert.equal(sim.ws.connections('main'), connections);
    assert.equal(made.registry.state, 'failed');
  });

  it('keeps trying (with backoff) to load the bindings while the cloud fails, then connects', async () => {
    const sim = ctx.sim;
    const client = simClient(sim, 'demo', { retry: { retries: 0 } });
    const made = make({ client });
    sim.faults.failNext(3, 503);
    made.registry.follow('a', [demoAc]);
    await initialState(made, [demoAc]);
    assert.equal(made.events.of('error').length, 3);
    assert.match(made.events.of('error')[0].message, /HTTP 503/);
    assert.ok(made.events.of('state').includes('reconnecting'));
    assert.equal(made.registry.error, undefined);
  });

  it('close() closes every socket and timer, and ends pending writes', async () => {
    const sim = ctx.sim;
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    const client = simClient(sim);
    await client.session.token();
    const timers = activeTimers();
    const made = make({ client, reconcileIntervalMs: 100 });
    made.registry.follow('a', 'all');
    await initialState(made, ONLINE_DEMO);
    assert.equal(sim.ws.openSockets('main'), 1);
    assert.equal(sim.ws.openSockets('sandbox'), 1);
    sim.faults.ignoreWrites(demoLamp2, true);
    const pending = made.registry.write(demoLamp2, { LED_R: 3 }, { confirm: true, timeoutMs: 5000 });
    pending.catch(() => {});
    await waitFor(() => sim.model.devices.get(demoLamp2)!.log.at(-1)?.type === 'app2dev', 2000);
    made.registry.close();
    await assert.rejects(pending, /closed/);
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    assert.equal(activeTimers(), timers);
    assert.equal(made.registry.listenerCount('status'), 0);
  });

  it('leaves no sockets, timers or listeners after 50 create/follow/close cycles', async function () {
    this.timeout(15_000);
    const sim = ctx.sim;
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    const client = simClient(sim);
    await client.session.token();
    const timers = activeTimers();
    const clientListeners = client.eventNames().map((name) => client.listenerCount(name));
    const connections = sim.ws.connections('main') + sim.ws.connections('sandbox');
    for (let i = 0; i < 50; i++) {
      const made = make({ client, reconcileIntervalMs: 20 });
      made.registry.follow('a', [demoAc]);
      made.registry.follow('b', [demoLamp2]);
      if (i % 2 === 0)
        await waitFor(
          () => made.registry.state === 'online' && made.registry.stateOf(demoLamp2) !== undefined,
          3000,
        );
      made.registry.close();
      registries.pop();
    }
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 3000);
    const opened = sim.ws.connections('main') + sim.ws.connections('sandbox') - connections;
    assert.ok(opened >= 50 && opened <= 100, `${opened} sockets for 50 cycles`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sim.ws.openSockets('main') + sim.ws.openSockets('sandbox'), 0);
    assert.equal(activeTimers(), timers);
    assert.deepEqual(
      client.eventNames().map((name) => client.listenerCount(name)),
      clientListeners,
    );
  });
});
