import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { SIM_DEVICES, startSimulator } from '../../src/simulator';
import { freePort } from '../helpers/node-red-process';
import { waitFor } from '../helpers/live';
import { call, login, useSimulator } from './helpers';
import { TestSocket, socketLogin, socketUrl, subscribe, useSockets } from './ws-helpers';

describe('simulator websocket: the sandbox endpoint', () => {
  const ctx = useSimulator();
  const sockets = useSockets();

  it('announces demoLamp2 on the sandbox port and every other device on the main port', async () => {
    const token = await login(ctx.sim);
    const answer = await call(ctx.sim, 'GET', '/app/bindings', { token });
    assert.notEqual(ctx.sim.sandboxPort, ctx.sim.port);
    for (const binding of answer.body.devices) {
      const sandbox = binding.did === SIM_DEVICES.demoLamp2;
      const port = sandbox ? ctx.sim.sandboxPort : ctx.sim.port;
      assert.deepEqual(
        {
          host: binding.host,
          ws_port: binding.ws_port,
          wss_port: binding.wss_port,
          is_sandbox: binding.is_sandbox,
        },
        { host: '127.0.0.1', ws_port: port, wss_port: port, is_sandbox: sandbox },
        binding.did,
      );
    }
    const single = await call(ctx.sim, 'GET', `/app/devices/${SIM_DEVICES.demoLamp2}`, { token });
    assert.equal(single.body.ws_port, ctx.sim.sandboxPort);
  });

  it('subscribes sandbox devices on the sandbox endpoint only, and main devices on the main one only', async () => {
    const sandbox = await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    const main = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, sandbox);
    await socketLogin(ctx.sim, main);
    const onSandbox = await subscribe(sandbox, [SIM_DEVICES.demoLamp2, SIM_DEVICES.demoLamp1]);
    assert.deepEqual(
      onSandbox.data.success.map((entry: { did: string }) => entry.did),
      [SIM_DEVICES.demoLamp2],
    );
    assert.deepEqual(
      onSandbox.data.failed.map((entry: { did: string; error_code: number }) => [
        entry.did,
        entry.error_code,
      ]),
      [[SIM_DEVICES.demoLamp1, 9014]],
    );
    const onMain = await subscribe(main, [SIM_DEVICES.demoLamp2]);
    assert.equal(onMain.data.failed[0].error_code, 9014);
  });

  it('carries demoLamp2’s reports, and only those', async () => {
    const sandbox = await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    const main = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, sandbox, 'demo', { autoSubscribe: true });
    await socketLogin(ctx.sim, main, 'demo', { autoSubscribe: true });
    ctx.sim.model.reportFromDevice(SIM_DEVICES.demoLamp1, new Map([['brightness', 11]]));
    ctx.sim.model.reportFromDevice(SIM_DEVICES.demoLamp2, new Map([['brightness', 12]]));
    assert.deepEqual((await sandbox.next('s2c_noti')).data, {
      did: SIM_DEVICES.demoLamp2,
      attrs: { brightness: 12 },
    });
    assert.deepEqual((await main.next('s2c_noti')).data, {
      did: SIM_DEVICES.demoLamp1,
      attrs: { brightness: 11 },
    });
    assert.deepEqual(await sandbox.collect(100), []);
    assert.deepEqual(await main.collect(0), []);

    sandbox.send({ cmd: 'c2s_write', req_sn: 5, data: { did: SIM_DEVICES.demoLamp2, attrs: { LED_R: 1 } } });
    assert.equal((await sandbox.next('s2c_ack')).res_sn, 5);
    assert.deepEqual((await sandbox.next('s2c_noti')).data.attrs, { LED_R: 1 });
  });

  it('counts open sockets and connections per endpoint, also at /_sim/sockets', async () => {
    const before = { main: ctx.sim.ws.connections('main'), sandbox: ctx.sim.ws.connections('sandbox') };
    await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    await sockets.open(socketUrl(ctx.sim));
    // Sockets of earlier tests may still be closing on the server side.
    await waitFor(
      () => ctx.sim.ws.openSockets('sandbox') === 2 && ctx.sim.ws.openSockets('main') === 1,
      3000,
    );
    assert.equal(ctx.sim.ws.connections('sandbox'), before.sandbox + 2);
    assert.equal(ctx.sim.ws.connections('main'), before.main + 1);
    const summary = await (await fetch(`${ctx.sim.url}/_sim/sockets`)).json();
    assert.deepEqual(summary.openSockets, { main: 1, sandbox: 2 });
    assert.equal(summary.logins, ctx.sim.ws.logins);
    assert.ok(Array.isArray(summary.received) && Array.isArray(summary.alerts));
  });

  it('answers plain HTTP and other paths on the sandbox port with 404', async () => {
    const answer = await fetch(`http://127.0.0.1:${ctx.sim.sandboxPort}/app/bindings`);
    assert.equal(answer.status, 404);
    await assert.rejects(TestSocket.open(`ws://127.0.0.1:${ctx.sim.sandboxPort}/ws/other`), /404/);
  });
});

describe('simulator websocket: start options and close()', () => {
  it('listens on the sandbox port it is given', async () => {
    const free = await freePort();
    const sim = await startSimulator({ driftIntervalMs: 0, sandboxPort: free });
    try {
      assert.equal(sim.sandboxPort, free);
    } finally {
      await sim.close();
    }
  });

  it('closes every socket and both listeners, and may be called twice', async () => {
    const sim = await startSimulator({ driftIntervalMs: 0 });
    const main = await TestSocket.open(socketUrl(sim));
    const sandbox = await TestSocket.open(socketUrl(sim, 'sandbox'));
    await socketLogin(sim, main, 'demo', { heartbeatSeconds: 100 });
    await sim.close();
    await main.waitClosed();
    await sandbox.waitClosed();
    await sim.close();
    assert.equal(await refusesConnections(sim.port), true);
    assert.equal(await refusesConnections(sim.sandboxPort), true);
  });
});

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
