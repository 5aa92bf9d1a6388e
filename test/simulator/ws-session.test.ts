import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call, login, sleep, useSimulator } from './helpers';
import { loginFrame, socketLogin, socketUrl, subscribe, useSockets } from './ws-helpers';

describe('simulator websocket: sessions, heartbeat and session faults', () => {
  const ctx = useSimulator();
  const sockets = useSockets();
  const demoUid = SIM_USERS.demo.uid;

  it('answers login_req with success for a valid appid, uid and token', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    const before = ctx.sim.ws.logins;
    const token = await login(ctx.sim);
    socket.send(loginFrame({ uid: demoUid, token }));
    assert.deepEqual(await socket.next('login_res'), { cmd: 'login_res', data: { success: true } });
    assert.equal(ctx.sim.ws.logins, before + 1);
  });

  it('refuses a bad appid, a bad token and a uid that is not the token’s, keeping the socket open', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    const token = await login(ctx.sim);
    const failedBefore = ctx.sim.ws.failedLogins;
    const attempts = [
      loginFrame({ uid: demoUid, token, appid: 'not-the-app' }),
      loginFrame({ uid: demoUid, token: 'f'.repeat(32) }),
      loginFrame({ uid: SIM_USERS.guest.uid, token }),
    ];
    for (const attempt of attempts) {
      socket.send(attempt);
      assert.deepEqual(await socket.next('login_res'), { cmd: 'login_res', data: { success: false } });
    }
    assert.equal(ctx.sim.ws.failedLogins, failedBefore + 3);
    assert.equal(socket.closed, false);
    socket.send(loginFrame({ uid: demoUid, token }));
    assert.equal((await socket.next('login_res')).data.success, true);
  });

  it('answers ping with pong', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    socket.send({ cmd: 'ping' });
    assert.deepEqual(await socket.next('pong'), { cmd: 'pong' });
  });

  it('answers requests before login with 1009, and malformed frames with 9015', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    socket.send({ cmd: 'subscribe_req', data: [{ did: SIM_DEVICES.demoAc }] });
    assert.deepEqual(await socket.next('s2c_invalid_msg'), {
      cmd: 's2c_invalid_msg',
      data: { error_code: 1009, msg: 'M2M socket has closed, please login again!' },
    });
    socket.socket.send('{not json');
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9015);
    await socketLogin(ctx.sim, socket);
    socket.send({ cmd: 'c2s_no_such_thing', data: {} });
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9015);
  });

  it('logs every received frame with cmd, did, req_sn and endpoint', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    const mark = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    await socketLogin(ctx.sim, socket);
    await subscribe(socket, [SIM_DEVICES.demoAc, SIM_DEVICES.demoPlug1]);
    socket.send({ cmd: 'c2s_read', req_sn: 7, data: { did: SIM_DEVICES.demoAc } });
    await socket.next('s2c_noti');
    const seen = ctx.sim.ws.received
      .filter((frame) => frame.seq > mark)
      .map(({ cmd, did, dids, req_sn, endpoint }) => ({ cmd, did, dids, req_sn, endpoint }));
    assert.deepEqual(seen, [
      { cmd: 'login_req', did: undefined, dids: undefined, req_sn: undefined, endpoint: 'main' },
      {
        cmd: 'subscribe_req',
        did: undefined,
        dids: [SIM_DEVICES.demoAc, SIM_DEVICES.demoPlug1],
        req_sn: undefined,
        endpoint: 'main',
      },
      { cmd: 'c2s_read', did: SIM_DEVICES.demoAc, dids: undefined, req_sn: 7, endpoint: 'main' },
    ]);
  });

  it('ends a session that declared a heartbeat and stayed silent longer with 1011, then closes', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket, 'demo', { heartbeatSeconds: 0.3 });
    assert.deepEqual(await socket.next('s2c_invalid_msg', 1500), {
      cmd: 's2c_invalid_msg',
      data: { error_code: 1011, msg: 'No heartbeat!' },
    });
    await socket.waitClosed();
  });

  it('keeps a session whose pings come within the declared heartbeat', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    // Pings 200 ms apart keep a 1 s heartbeat for 1.6 s: a ping may come 800 ms late (a busy machine
    // stalls this process, the simulator's timer included) before the session would rightly end.
    await socketLogin(ctx.sim, socket, 'demo', { heartbeatSeconds: 1 });
    for (let round = 0; round < 8; round++) {
      await sleep(200);
      socket.send({ cmd: 'ping' });
      await socket.next('pong');
    }
    assert.equal(socket.closed, false);
    assert.deepEqual(socket.frames, []);
  });

  it('sends 1009 to the sessions of expired tokens; a new login on the same socket works', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket);
    await subscribe(socket, [SIM_DEVICES.demoPlug1]);
    ctx.sim.faults.expireAllTokens();
    assert.deepEqual(await socket.next('s2c_invalid_msg'), {
      cmd: 's2c_invalid_msg',
      data: { error_code: 1009, msg: 'M2M socket has closed, please login again!' },
    });
    // Logged out: no pushes, and requests answer 1009.
    await call(ctx.sim, 'POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/report`, {
      body: { attrs: { power: 11 } },
    });
    assert.deepEqual(await socket.collect(150, (frame) => frame.cmd === 's2c_noti'), []);
    socket.send({ cmd: 'c2s_read', data: { did: SIM_DEVICES.demoPlug1 } });
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 1009);

    // The old token is refused; a fresh one logs in again, and the old subscription is gone.
    socket.send(loginFrame({ uid: demoUid, token: await login(ctx.sim) }));
    assert.equal((await socket.next('login_res')).data.success, true);
    await call(ctx.sim, 'POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/report`, {
      body: { attrs: { power: 12 } },
    });
    assert.deepEqual(await socket.collect(150, (frame) => frame.cmd === 's2c_noti'), []);
    await subscribe(socket, [SIM_DEVICES.demoPlug1]);
    await call(ctx.sim, 'POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/report`, {
      body: { attrs: { power: 13 } },
    });
    assert.deepEqual((await socket.next('s2c_noti')).data, {
      did: SIM_DEVICES.demoPlug1,
      attrs: { power: 13 },
    });
  });

  it('refuses a socket login with a token the expire fault refused', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    const token = await login(ctx.sim);
    ctx.sim.faults.expireAllTokens(9006);
    socket.send(loginFrame({ uid: demoUid, token }));
    assert.equal((await socket.next('login_res')).data.success, false);
  });

  for (const code of [1009, 1003] as const) {
    it(`sendInvalid(${code}) reaches logged-in sockets only and logs them out`, async () => {
      const loggedIn = await sockets.open(socketUrl(ctx.sim));
      const anonymous = await sockets.open(socketUrl(ctx.sim));
      await socketLogin(ctx.sim, loggedIn);
      ctx.sim.faults.sendInvalid(code);
      assert.equal((await loggedIn.next('s2c_invalid_msg')).data.error_code, code);
      assert.deepEqual(await anonymous.collect(100), []);
      loggedIn.send({ cmd: 'subscribe_req', data: [{ did: SIM_DEVICES.demoAc }] });
      assert.equal((await loggedIn.next('s2c_invalid_msg')).data.error_code, 1009);
      assert.equal(loggedIn.closed, false);
    });
  }

  it('sendInvalid(1011) over HTTP sends "No heartbeat!" and closes the socket', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket);
    const answer = await fetch(`${ctx.sim.url}/_sim/faults/socket-invalid`, {
      method: 'POST',
      body: JSON.stringify({ code: 1011 }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual((await socket.next('s2c_invalid_msg')).data, { error_code: 1011, msg: 'No heartbeat!' });
    await socket.waitClosed();
    const refused = await fetch(`${ctx.sim.url}/_sim/faults/socket-invalid`, {
      method: 'POST',
      body: JSON.stringify({ code: 4000 }),
    });
    assert.equal(refused.status, 400);
  });

  it('stopAnsweringPings silences every answer and push until reset', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket);
    await subscribe(socket, [SIM_DEVICES.demoPlug1]);
    ctx.sim.faults.stopAnsweringPings(true);
    const mark = ctx.sim.ws.received.at(-1)?.seq ?? 0;
    socket.send({ cmd: 'ping' });
    socket.send({ cmd: 'c2s_read', req_sn: 1, data: { did: SIM_DEVICES.demoPlug1 } });
    ctx.sim.faults.setOnline(SIM_DEVICES.demoPlug1, false);
    assert.deepEqual(await socket.collect(300), []);
    // The frames still arrive (and are logged); nothing comes back.
    const logged = ctx.sim.ws.received.filter((frame) => frame.seq > mark).map((frame) => frame.cmd);
    assert.deepEqual(logged, ['ping', 'c2s_read']);

    ctx.sim.faults.reset();
    socket.send({ cmd: 'ping' });
    assert.deepEqual(await socket.next('pong'), { cmd: 'pong' });
  });

  it('the silence switch works over HTTP too', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    const post = (on: boolean) =>
      fetch(`${ctx.sim.url}/_sim/faults/silence`, { method: 'POST', body: JSON.stringify({ on }) });
    assert.equal((await post(true)).status, 200);
    socket.send({ cmd: 'ping' });
    assert.deepEqual(await socket.collect(200), []);
    assert.equal((await post(false)).status, 200);
    socket.send({ cmd: 'ping' });
    await socket.next('pong');
  });

  it('dropAllSockets ends every socket on both endpoints, programmatically and over HTTP', async () => {
    const main = await sockets.open(socketUrl(ctx.sim));
    const sandbox = await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    await waitFor(() => ctx.sim.ws.openSockets('main') >= 1 && ctx.sim.ws.openSockets('sandbox') >= 1, 2000);
    ctx.sim.faults.dropAllSockets();
    await main.waitClosed();
    await sandbox.waitClosed();
    await waitFor(
      () => ctx.sim.ws.openSockets('main') === 0 && ctx.sim.ws.openSockets('sandbox') === 0,
      2000,
    );

    const again = await sockets.open(socketUrl(ctx.sim));
    const answer = await fetch(`${ctx.sim.url}/_sim/faults/drop-sockets`, { method: 'POST' });
    assert.equal(answer.status, 200);
    await again.waitClosed();
  });

  it('serves the websocket at /ws/app/v1 only', async () => {
    await assert.rejects(sockets.open(`ws://127.0.0.1:${ctx.sim.port}/ws/app/v2`), /404/);
  });
});
