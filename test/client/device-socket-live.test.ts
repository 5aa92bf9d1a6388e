// DeviceSocket against the real simulated cloud on loopback: every server message, the login it sends,
// reconnects, session faults, the watchdog, backoff, refused credentials and close().
import assert from 'node:assert/strict';
import sinon from 'sinon';
import WebSocket from 'ws';
import {
  DeviceSocket,
  GizwitsError,
  type DeviceSocketOptions,
  type SocketCredentials,
} from '../../src/client';
import {
  SIM_APP_ID,
  SIM_DEVICES,
  SIM_MANY_PLUG_COUNT,
  simManyPlugDid,
  type ReceivedFrame,
  type Simulator,
  type SocketEndpoint,
} from '../../src/simulator';
import { record } from '../helpers/events';
import { activeTimers, waitFor } from '../helpers/live';
import { freePort } from '../helpers/node-red-process';
import { countCalls, simClient, useSimulator, type SimUser } from '../helpers/simulator';

const { demoAc, demoPlug1, demoLamp1 } = SIM_DEVICES;

const FAST: Partial<DeviceSocketOptions> = {
  pingIntervalMs: 1000,
  loginTimeoutMs: 1000,
  backoffBaseMs: 20,
  backoffCapMs: 200,
  stableMs: 300,
};

function socketUrl(sim: Simulator, endpoint: SocketEndpoint = 'main'): string {
  return `ws://127.0.0.1:${endpoint === 'main' ? sim.port : sim.sandboxPort}/ws/app/v1`;
}

/** Frames the simulator received after `mark` (a seq), optionally from one socket only. */
function framesAfter(sim: Simulator, mark: number, socketId?: number): ReceivedFrame[] {
  return sim.ws.received.filter((f) => f.seq > mark && (socketId === undefined || f.socketId === socketId));
}

/** `wanted`, or the next number if the device already holds it: a report that changes nothing is not pushed. */
function otherValue(sim: Simulator, did: string, name: string, wanted: number): number {
  return sim.model.devices.get(did)!.values.get(name) === wanted ? wanted + 1 : wanted;
}

function lastSeq(sim: Simulator): number {
  return sim.ws.received.at(-1)?.seq ?? 0;
}

describe('device socket against the simulated cloud', function () {
  const ctx = useSimulator();
  const sockets: DeviceSocket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  /** A socket of a fixture user's session, recording every event it emits. */
  function open(
    wanted: string[],
    options: Partial<DeviceSocketOptions> & { user?: SimUser; endpoint?: SocketEndpoint } = {},
  ) {
    const sim = ctx.sim;
    const client = simClient(sim, options.user ?? 'demo');
    const credentialCalls: Array<{ fresh: boolean; at: number }> = [];
    const socket = new DeviceSocket({
      url: socketUrl(sim, options.endpoint),
      appId: SIM_APP_ID,
      credentials: async (fresh): Promise<SocketCredentials> => {
        credentialCalls.push({ fresh, at: Date.now() });
        if (fresh && client.session.known) client.session.invalidate(client.session.known.token);
        const token = await client.session.token();
        return { uid: token.uid, token: token.token };
      },
      ...FAST,
      ...options,
    });
    sockets.push(socket);
    const events = record(socket, ['state', 'noti', 'raw', 'online', 'binding', 'invalid', 'login']);
    socket.setWanted(wanted);
    return { socket, client, events, credentialCalls };
  }

  /** Waits until every wanted device's state arrived after login, answers the socket's id on the sim. */
  async function online(opened: ReturnType<typeof open>, initialFor: string[], from = 0): Promise<number> {
    for (const did of initialFor)
      await opened.events.next('noti', (e) => e.did === did && e.initial, 3000, from);
    assert.equal(opened.socket.state, 'online');
    const read = [...ctx.sim.ws.received]
      .reverse()
      .find((f) => f.cmd === 'c2s_read' && f.did === initialFor[0]);
    return read!.socketId;
  }

  it('logs in with attrs_v4, auto_subscribe false and heartbeat 180, subscribes, then reads each device', async () => {
    const sim = ctx.sim;
    const spy = sinon.spy(WebSocket.prototype, 'send');
    try {
      const mark = lastSeq(sim);
      const openedAt = Date.now();
      const opened = open([demoAc, demoPlug1]);
      const socketId = await online(opened, [demoAc, demoPlug1]);
      const login = spy.args
        .map(([text]) => JSON.parse(String(text)))
        .find((frame) => frame.cmd === 'login_req');
      const token = opened.client.session.known!;
      assert.deepEqual(login, {
        cmd: 'login_req',
        data: {
          appid: SIM_APP_ID,
          uid: token.uid,
          token: token.token,
          p0_type: 'attrs_v4',
          heartbeat_interval: 180,
          auto_subscribe: false,
        },
      });
      const seen = framesAfter(sim, mark, socketId).map(({ cmd, did, dids }) => ({ cmd, did, dids }));
      assert.deepEqual(seen, [
        { cmd: 'login_req', did: undefined, dids: undefined },
        { cmd: 'subscribe_req', did: undefined, dids: [demoAc, demoPlug1] },
        { cmd: 'c2s_read', did: demoAc, dids: undefined },
        { cmd: 'c2s_read', did: demoPlug1, dids: undefined },
      ]);
      // The state read after login is the device's whole state, marked initial.
      const { at, ...initial } = opened.events.of('noti').find((e) => e.did === demoAc);
      assert.deepEqual(initial, {
        did: demoAc,
        attrs: sim.model.devices.get(demoAc)!.socketSnapshot(),
        initial: true,
        check: false,
      });
      // When the frame came, as the heartbeat took it.
      assert.ok(typeof at === 'number' && at >= openedAt && at <= Date.now(), `${at} from ${openedAt}`);
    } finally {
      spy.restore();
    }
  });

  it('delivers live s2c_noti with the changed data points, only for subscribed devices (no auto-subscribe)', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const mark = opened.events.mark();
    const setTemp = (sim.model.devices.get(demoAc)!.values.get('set_temp') as number) === 20 ? 21 : 20;
    const sent = Date.now();
    // demoLamp1 is bound to the same user but not wanted: with auto_subscribe its report would come first.
    sim.model.reportFromDevice(demoLamp1, new Map([['brightness', 17]]));
    sim.model.reportFromDevice(demoAc, new Map([['set_temp', setTemp]]));
    const live = await opened.events.next('noti', (e) => e.did === demoAc, 3000, mark);
    const { at, ...noti } = live.args[0];
    assert.deepEqual(noti, {
      did: demoAc,
      attrs: { set_temp: setTemp },
      initial: false,
      check: false,
    });
    assert.ok(at >= sent && at <= Date.now(), `${at} within the wait from ${sent}`);
    assert.deepEqual(
      opened.events.all.slice(mark).filter((e) => e.event === 'noti' && e.args[0].did === demoLamp1),
      [],
    );
  });

  it('cuts the suffix off the did of s2c_raw and passes the bytes on', async () => {
    const sim = ctx.sim;
    const opened = open([demoLamp1]);
    await online(opened, [demoLamp1]);
    sim.model.sendRawFromDevice(demoLamp1, Buffer.from([0, 0, 0, 3, 4, 0, 0, 0x91, 7]), '/usr/raw/abc');
    const raw = await opened.events.next('raw', () => true, 3000, 0);
    assert.deepEqual(raw.args[0], { did: demoLamp1, raw: [0, 0, 0, 3, 4, 0, 0, 0x91, 7] });
  });

  it('reports s2c_online_status both ways', async () => {
    const sim = ctx.sim;
    const opened = open([demoPlug1]);
    await online(opened, [demoPlug1]);
    sim.faults.setOnline(demoPlug1, false);
    const off = await opened.events.next('online', (e) => e.did === demoPlug1, 3000, 0);
    assert.deepEqual(off.args[0], {
      did: demoPlug1,
      online: false,
      mac: 'accf23b20001',
      passcode: 'PLUGPASSAA',
    });
    sim.faults.setOnline(demoPlug1, true);
    const on = await opened.events.next('online', (e) => e.did === demoPlug1 && e.online);
    assert.equal(on.args[0].online, true);
  });

  it('reports s2c_binding_changed for the user’s devices', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const uid = opened.client.session.known!.uid;
    sim.model.unbind(uid, demoPlug1);
    try {
      const unbound = await opened.events.next('binding', () => true, 3000, 0);
      assert.deepEqual(unbound.args[0], { did: demoPlug1, bind: false });
    } finally {
      sim.model.bind(uid, demoPlug1, 'owner', { dev_alias: '台灯插座' });
    }
    const bound = await opened.events.next('binding', (e) => e.bind, 3000, 0);
    assert.deepEqual(bound.args[0], { did: demoPlug1, bind: true });
  });

  it('resolves a write when s2c_ack answers its req_sn, and times out when nothing answers', async () => {
    const sim = ctx.sim;
    const opened = open([demoLamp1]);
    await online(opened, [demoLamp1]);
    const mark = lastSeq(sim);
    const brightness = sim.model.devices.get(demoLamp1)!.values.get('brightness') === 33 ? 34 : 33;
    await opened.socket.write(demoLamp1, { brightness }, 2000);
    const sent = framesAfter(sim, mark).filter((f) => f.cmd === 'c2s_write');
    assert.equal(sent.length, 1);
    assert.equal(typeof sent[0].req_sn, 'number');
    assert.equal(sim.model.devices.get(demoLamp1)!.values.get('brightness'), brightness);

    // An offline device: the cloud answers s2c_invalid_msg 9042 (no req_sn to match), never s2c_ack.
    sim.faults.setOnline(demoLamp1, false);
    const eventMark = opened.events.mark();
    const started = Date.now();
    await assert.rejects(opened.socket.write(demoLamp1, { brightness: 50 }, 300), (error: GizwitsError) => {
      assert.equal(error.code, 'TIMEOUT');
      assert.match(error.message, /c2s_write to DemoLampOne5Gs2Jx7Pk4F: no answer within 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started >= 290);
    const invalid = await opened.events.next('invalid', () => true, 1000, eventMark);
    assert.equal(invalid.args[0].code, 9042);
  });

  it('answers a notification that carries a req_sn with c2s_ack', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const alerts = sim.ws.alerts.length;
    const current = sim.model.devices.get(demoAc)!.values.get('alert_full') === true;
    sim.model.reportFromDevice(demoAc, new Map([['alert_full', !current]]));
    await waitFor(() => sim.ws.alerts.length > alerts, 3000);
    const delivery = sim.ws.alerts.at(-1)!;
    assert.equal(delivery.did, demoAc);
    await waitFor(
      () => delivery.ackedAt !== undefined,
      3000,
      () => 'no c2s_ack for the alert',
    );
    const ack = sim.ws.received.find((f) => f.cmd === 'c2s_ack' && f.res_sn === delivery.req_sn);
    assert.equal(ack?.did, demoAc);
  });

  it('subscribes the many user’s 45 devices in batches and reads every one', async () => {
    const sim = ctx.sim;
    const dids = Array.from({ length: SIM_MANY_PLUG_COUNT }, (_, i) => simManyPlugDid(i + 1));
    const mark = lastSeq(sim);
    const opened = open(dids, { user: 'many', subscribeBatch: 20 });
    const socketId = await online(opened, dids);
    const frames = framesAfter(sim, mark, socketId);
    const batches = frames.filter((f) => f.cmd === 'subscribe_req').map((f) => f.dids);
    assert.deepEqual(batches, [dids.slice(0, 20), dids.slice(20, 40), dids.slice(40)]);
    const reads = frames.filter((f) => f.cmd === 'c2s_read').map((f) => f.did);
    assert.deepEqual(reads, dids);
    assert.equal(opened.events.of('noti').filter((e) => e.initial).length, 45);
  });

  it('reconnects after the connection drops: subscribes and reads again, and learns what changed meanwhile', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc, demoLamp1], { backoffBaseMs: 150, backoffCapMs: 150 });
    const firstId = await online(opened, [demoAc, demoLamp1]);
    const mark = lastSeq(sim);
    const eventMark = opened.events.mark();
    sim.faults.dropAllSockets();
    await opened.events.next('state', (s) => s === 'reconnecting', 2000, eventMark);
    const brightness = sim.model.devices.get(demoLamp1)!.values.get('brightness') === 44 ? 45 : 44;
    sim.model.reportFromDevice(demoLamp1, new Map([['brightness', brightness]]));
    const secondId = await online(opened, [demoAc, demoLamp1], eventMark);
    assert.notEqual(secondId, firstId);
    const states = opened.events.all
      .slice(eventMark)
      .filter((e) => e.event === 'state')
      .map((e) => e.args[0]);
    assert.deepEqual(states, ['reconnecting', 'authenticating', 'online']);
    const again = framesAfter(sim, mark, secondId).map((f) => f.cmd);
    assert.deepEqual(again, ['login_req', 'subscribe_req', 'c2s_read', 'c2s_read']);
    const reread = opened.events.all
      .slice(eventMark)
      .find((e) => e.event === 'noti' && e.args[0].did === demoLamp1 && e.args[0].initial);
    assert.deepEqual(reread!.args[0].attrs, sim.model.devices.get(demoLamp1)!.socketSnapshot());
    assert.equal(reread!.args[0].attrs.brightness, brightness);
  });

  it('logs in again on the same socket after 1009, and keeps delivering', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const connections = sim.ws.connections('main');
    const logins = sim.ws.logins;
    const eventMark = opened.events.mark();
    sim.faults.sendInvalid(1009);
    const invalid = await opened.events.next('invalid', () => true, 2000, eventMark);
    assert.deepEqual(invalid.args[0], { code: 1009, msg: 'M2M socket has closed, please login again!' });
    await opened.events.next('noti', (e) => e.initial, 2000, eventMark);
    assert.equal(opened.socket.state, 'online');
    assert.equal(sim.ws.logins, logins + 1);
    assert.equal(sim.ws.connections('main'), connections, 'no new socket');
    sim.model.reportFromDevice(demoAc, new Map([['room_temp', otherValue(sim, demoAc, 'room_temp', 20)]]));
    await opened.events.next('noti', (e) => !e.initial && 'room_temp' in e.attrs, 2000, eventMark);
  });

  it('ends requests in flight at 1009; a session dying again right after its relogin means a new socket', async () => {
    const sim = ctx.sim;
    // "Right after" is within stableMs: long enough that a busy machine cannot stall past it between the
    // relogin and the second 1009.
    const opened = open([demoAc, SIM_DEVICES.demoPlug2Offline], { stableMs: 2000 });
    await online(opened, [demoAc]);
    // Never acknowledged (the device is offline): still pending when the session dies.
    const pending = opened.socket.write(SIM_DEVICES.demoPlug2Offline, { switch: true }, 5000);
    const connections = sim.ws.connections('main');
    let eventMark = opened.events.mark();
    sim.faults.sendInvalid(1009);
    await assert.rejects(pending, /the session ended \(1009\) before the answer/);
    await opened.events.next('noti', (e) => e.initial, 2000, eventMark);
    assert.equal(sim.ws.connections('main'), connections, 'first 1009: same socket');

    eventMark = opened.events.mark();
    sim.faults.sendInvalid(1009);
    await opened.events.next('state', (s) => s === 'reconnecting', 2000, eventMark);
    await opened.events.next('noti', (e) => e.initial, 2000, eventMark);
    assert.equal(sim.ws.connections('main'), connections + 1, 'second 1009 at once: a new socket');

    await new Promise((resolve) => setTimeout(resolve, 2100)); // the new session has been up stableMs
    eventMark = opened.events.mark();
    sim.faults.sendInvalid(1009);
    await opened.events.next('noti', (e) => e.initial, 2000, eventMark);
    assert.equal(sim.ws.connections('main'), connections + 1, 'a later 1009: relogin on the same socket');
  });

  it('treats 1003 like 1009: a new login on the same socket', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const connections = sim.ws.connections('main');
    const eventMark = opened.events.mark();
    sim.faults.sendInvalid(1003);
    assert.equal((await opened.events.next('invalid', () => true, 2000, eventMark)).args[0].code, 1003);
    await opened.events.next('noti', (e) => e.initial, 2000, eventMark);
    assert.equal(sim.ws.connections('main'), connections);
  });

  it('after the token expires mid-session, logs in over REST again and on the socket, and keeps delivering', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    await online(opened, [demoAc]);
    const restLogins = countCalls(sim, 'POST', '/app/login');
    const oldToken = opened.client.session.known!.token;
    const failed = sim.ws.failedLogins;
    const eventMark = opened.events.mark();
    sim.faults.expireAllTokens();
    await opened.events.next('noti', (e) => e.initial, 3000, eventMark);
    assert.equal(opened.socket.state, 'online');
    assert.equal(countCalls(sim, 'POST', '/app/login'), restLogins + 1, 'one fresh REST login');
    assert.notEqual(opened.client.session.known!.token, oldToken);
    // The same token was tried once more first, as the session may have died for another reason.
    assert.equal(sim.ws.failedLogins, failed + 1);
    sim.model.reportFromDevice(demoAc, new Map([['room_temp', otherValue(sim, demoAc, 'room_temp', 30)]]));
    await opened.events.next('noti', (e) => !e.initial && 'room_temp' in e.attrs, 2000, eventMark);
  });

  it('reconnects on 1011', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc]);
    const firstId = await online(opened, [demoAc]);
    const connections = sim.ws.connections('main');
    const eventMark = opened.events.mark();
    sim.faults.sendInvalid(1011);
    assert.equal((await opened.events.next('invalid', () => true, 2000, eventMark)).args[0].code, 1011);
    await opened.events.next('state', (s) => s === 'reconnecting', 2000, eventMark);
    const secondId = await online(opened, [demoAc], eventMark);
    assert.notEqual(secondId, firstId);
    assert.equal(sim.ws.connections('main'), connections + 1);
  });

  it('ends a connection that stays silent for two ping periods, and comes back once the cloud answers', async () => {
    const sim = ctx.sim;
    const period = 200;
    const opened = open([demoAc], { pingIntervalMs: period, loginTimeoutMs: 300 });
    await online(opened, [demoAc]);
    // Wait for an answered ping, so that the last frame the client heard is known.
    const pinged = lastSeq(sim);
    await waitFor(() => framesAfter(sim, pinged).some((f) => f.cmd === 'ping'), 2000);
    const eventMark = opened.events.mark();
    const connections = sim.ws.connections('main');
    sim.faults.stopAnsweringPings(true);
    const silentFrom = lastSeq(sim);
    const lastAnswered = framesAfter(sim, pinged)
      .filter((f) => f.cmd === 'ping' && f.seq <= silentFrom)
      .at(-1)!;
    const dropped = await opened.events.next('state', (s) => s === 'reconnecting', 3000, eventMark);
    const silence = dropped.at - lastAnswered.at;
    assert.ok(silence >= 2 * period - 10, `terminated after ${silence} ms of silence, before two periods`);
    assert.ok(silence <= 2 * period + 120, `terminated only after ${silence} ms of silence`);
    assert.ok(
      framesAfter(sim, lastAnswered.seq).some((f) => f.cmd === 'ping' && f.at < dropped.at),
      'pinged while silent',
    );
    // Still silent: new sockets open but their logins go unanswered.
    await waitFor(() => sim.ws.connections('main') > connections, 2000);
    assert.notEqual(opened.socket.state, 'online');
    sim.faults.stopAnsweringPings(false);
    await opened.events.next('noti', (e) => e.initial, 3000, eventMark);
    assert.equal(opened.socket.state, 'online');
  });

  it('backs off between reconnects: from the base up to the cap, never faster', async () => {
    const port = await freePort(); // nothing listens there: every attempt fails at once
    const attempt = (random: () => number) => {
      const calls: number[] = [];
      const socket = new DeviceSocket({
        url: `ws://127.0.0.1:${port}/ws/app/v1`,
        appId: SIM_APP_ID,
        credentials: async () => {
          calls.push(Date.now());
          return { uid: 'u', token: 't' };
        },
        backoffBaseMs: 30,
        backoffCapMs: 240,
        random,
      });
      sockets.push(socket);
      socket.setWanted([demoAc]);
      return calls;
    };
    const growing = attempt(() => 1);
    const steady = attempt(() => 0);
    await waitFor(() => growing.length >= 7, 3000);
    const gaps = growing.slice(1, 7).map((at, i) => at - growing[i]);
    const expected = [30, 60, 120, 240, 240, 240];
    // Never faster than the backoff: a timer can fire late on a busy machine, never early.
    gaps.forEach((gap, i) =>
      assert.ok(gap >= expected[i] - 2, `gap ${i}: ${gap} ms, expected at least ${expected[i]}`),
    );
    // The cap holds: past it the next pauses would be 480 ms and more. One late timer must not fail the
    // test (the machine may be busy), so the shortest of the three capped gaps is what is bounded.
    const capped = Math.min(...gaps.slice(3));
    assert.ok(capped < 240 + 200, `capped gaps ${gaps.slice(3).join(', ')} ms`);
    const steadyGaps = steady.slice(1).map((at, i) => at - steady[i]);
    assert.ok(steadyGaps.length >= 6);
    for (const gap of steadyGaps) assert.ok(gap >= 28, `steady gap ${gap} ms`);
    // With no jitter the pause stays at the base: growing pauses would put the median at 120 ms or more.
    const median = [...steadyGaps].sort((a, b) => a - b)[Math.floor(steadyGaps.length / 2)];
    assert.ok(median < 120, `steady gaps ${steadyGaps.join(', ')} ms`);
    assert.equal(sockets.at(-1)!.state, 'reconnecting');
  });

  it('resets the backoff only after the connection stayed up stableMs', async () => {
    const sim = ctx.sim;
    // stableMs long enough that a busy machine cannot stall past it between a reconnect and the next drop.
    const opened = open([demoAc], { backoffBaseMs: 40, backoffCapMs: 1000, stableMs: 2000, random: () => 1 });
    await online(opened, [demoAc]);
    const gapAfterDrop = async (): Promise<number> => {
      const calls = opened.credentialCalls.length;
      const eventMark = opened.events.mark();
      const dropAt = Date.now();
      sim.faults.dropAllSockets();
      await opened.events.next('noti', (e) => e.initial, 3000, eventMark);
      return opened.credentialCalls[calls].at - dropAt;
    };
    const quick = [await gapAfterDrop(), await gapAfterDrop(), await gapAfterDrop()];
    const expected = [40, 80, 160];
    // Never faster than the backoff; and short of the doubled pause a further step would have taken (a
    // timer may fire late on a busy machine, so the bound leaves room for that, not for another doubling).
    quick.forEach((gap, i) =>
      assert.ok(
        gap >= expected[i] - 2 && gap < expected[i] * 2 + 100,
        `drop ${i}: ${gap} ms, expected ${expected[i]}`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 2100)); // stays up past stableMs
    const afterStable = await gapAfterDrop();
    // Back to the base (40 ms) rather than the next step (320 ms).
    assert.ok(afterStable >= 38 && afterStable < 240, `after a stable connection: ${afterStable} ms`);
  });

  it('fails for good, naming the cause, when the credentials are refused, and does not retry', async () => {
    const sim = ctx.sim;
    const client = simClient(sim, 'demo', {
      credentials: { mode: 'password', username: 'demo', password: 'not-the-password' },
    });
    const logins = countCalls(sim, 'POST', '/app/login');
    const connections = sim.ws.connections('main');
    const socket = new DeviceSocket({
      url: socketUrl(sim),
      appId: SIM_APP_ID,
      credentials: async () => {
        const token = await client.session.token();
        return { uid: token.uid, token: token.token };
      },
      ...FAST,
    });
    sockets.push(socket);
    const events = record(socket, ['state']);
    socket.setWanted([demoAc]);
    await events.next('state', (s) => s === 'failed', 3000, 0);
    assert.ok(socket.error instanceof GizwitsError);
    assert.equal((socket.error as GizwitsError).code, 9020);
    assert.match(socket.error!.message, /9020.*check the username and password/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(countCalls(sim, 'POST', '/app/login'), logins + 1);
    assert.equal(sim.ws.connections('main'), connections, 'never opened a socket');
    assert.equal(socket.state, 'failed');
    assert.deepEqual(events.of('state'), ['failed']);
  });

  it('fails for good when the socket refuses even a fresh login (wrong AppID), without a reconnect loop', async () => {
    const sim = ctx.sim;
    const opened = open([demoAc], { appId: 'not-the-app-id' });
    await opened.events.next('state', (s) => s === 'failed', 3000, 0);
    const connections = sim.ws.connections('main');
    const failed = sim.ws.failedLogins;
    assert.match(opened.socket.error!.message, /refused the login with a fresh token: check the AppID/);
    assert.deepEqual(
      opened.credentialCalls.map((c) => c.fresh),
      [false, true],
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(sim.ws.connections('main'), connections);
    assert.equal(sim.ws.failedLogins, failed);
    await waitFor(() => sim.ws.openSockets('main') === 0, 1000);
  });

  it('close() ends the socket, its timers and any pending reconnect', async () => {
    const sim = ctx.sim;
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    const timers = activeTimers();
    const opened = open([demoAc], { pingIntervalMs: 200 });
    const sandbox = open([SIM_DEVICES.demoLamp2], { endpoint: 'sandbox' });
    await online(opened, [demoAc]);
    await online(sandbox, [SIM_DEVICES.demoLamp2]);
    assert.equal(sim.ws.openSockets('main'), 1);
    assert.equal(sim.ws.openSockets('sandbox'), 1);
    const pending = opened.socket.write(demoAc, { switch: true }, 5000);
    opened.socket.close();
    sandbox.socket.close();
    await assert.rejects(pending, /closed before the answer/);
    assert.equal(opened.socket.state, 'closed');
    await waitFor(() => sim.ws.openSockets('main') === 0 && sim.ws.openSockets('sandbox') === 0, 2000);
    assert.equal(activeTimers(), timers);

    // Closed while waiting to reconnect: no socket comes afterwards.
    const later = open([demoAc], { backoffBaseMs: 100, backoffCapMs: 100 });
    await online(later, [demoAc]);
    const connections = sim.ws.connections('main');
    sim.faults.dropAllSockets();
    await waitFor(() => later.socket.state === 'reconnecting', 2000);
    later.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(sim.ws.connections('main'), connections);
    assert.equal(activeTimers(), timers);
  });
});
