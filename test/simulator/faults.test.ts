import assert from 'node:assert/strict';
import { SIM_DEVICES, startSimulator } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call, login, useSimulator } from './helpers';

describe('simulator: faults, the call log and the pipeline', () => {
  const ctx = useSimulator();

  it('throttles the next calls with HTTP 429 and 9041, then answers normally', async () => {
    ctx.sim.faults.throttle(2);
    const first = await call(ctx.sim, 'GET', '/status');
    const second = await call(ctx.sim, 'GET', '/status');
    const third = await call(ctx.sim, 'GET', '/status');
    assert.equal(first.status, 429);
    assert.deepEqual(first.body, {
      error_code: 9041,
      error_message: 'request was throttled',
      detail_message: null,
    });
    assert.equal(second.status, 429);
    assert.equal(third.status, 200);
    assert.deepEqual(third.body, { status: { version: '2.15.1' } });
  });

  it('can throttle with HTTP 400 instead', async () => {
    ctx.sim.faults.throttle(1, 400);
    const answer = await call(ctx.sim, 'GET', '/status');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error_code, 9041);
  });

  it('fails the next calls with a gateway status and a body that is not Gizwits JSON', async () => {
    ctx.sim.faults.failNext(1, 502);
    const failed = await call(ctx.sim, 'GET', '/status');
    assert.equal(failed.status, 502);
    assert.ok(!failed.contentType.includes('json'));
    assert.throws(() => JSON.parse(failed.text));
    assert.equal((await call(ctx.sim, 'GET', '/status')).status, 200);
  });

  it('delays answers by the configured latency', async () => {
    ctx.sim.faults.setLatency(150);
    const started = Date.now();
    await call(ctx.sim, 'GET', '/status');
    assert.ok(Date.now() - started >= 140, `took ${Date.now() - started} ms`);
  });

  it('logs every API call with its status and error code, but not /_sim/ calls', async () => {
    const before = ctx.sim.calls.length;
    await login(ctx.sim);
    await call(ctx.sim, 'POST', '/app/login', { body: { username: 'demo', password: 'bad' } });
    await fetch(`${ctx.sim.url}/_sim/devices/${SIM_DEVICES.demoAc}`);
    const added = ctx.sim.calls.slice(before);
    assert.equal(added.length, 2);
    assert.deepEqual(
      added.map(({ method, path, status, errorCode }) => ({ method, path, status, errorCode })),
      [
        { method: 'POST', path: '/app/login', status: 200, errorCode: undefined },
        { method: 'POST', path: '/app/login', status: 400, errorCode: 9020 },
      ],
    );
  });

  it('answers an unknown route with 404 and a Gizwits-shaped body', async () => {
    const answer = await call(ctx.sim, 'GET', '/app/no-such-thing');
    assert.equal(answer.status, 404);
    assert.equal(typeof answer.body.error_code, 'number');
    assert.equal(typeof answer.body.error_message, 'string');
    assert.ok('detail_message' in answer.body);
  });

  it('answers a malformed JSON body with 9015', async () => {
    const answer = await call(ctx.sim, 'POST', '/app/login', {
      rawBody: '{"username": "demo",',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error_code, 9015);
  });

  it('lists the whole error table at /errors', async () => {
    const answer = await call(ctx.sim, 'GET', '/errors');
    const codes = (answer.body as Array<{ error_code: number }>).map((entry) => entry.error_code);
    for (const code of [9001, 9004, 9006, 9014, 9015, 9025, 9041, 9042, 9101, 9999])
      assert.ok(codes.includes(code), `${code}`);
    const token = answer.body.find((entry: { error_code: number }) => entry.error_code === 9004);
    assert.equal(token.status, 400);
    assert.equal(token.error_message, 'token invalid!');
  });

  it('lets another process steer the same switches through /_sim/', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${ctx.sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post('/_sim/faults/throttle', { count: 1 })).status, 200);
    assert.equal((await call(ctx.sim, 'GET', '/status')).status, 429);
    await post('/_sim/faults/fail', { count: 1, httpStatus: 504 });
    assert.equal((await call(ctx.sim, 'GET', '/status')).status, 504);
    const token = await login(ctx.sim);
    await post('/_sim/faults/expire-tokens', { code: 9006 });
    assert.equal((await call(ctx.sim, 'GET', '/app/users', { token })).body.error_code, 9006);

    await post(`/_sim/devices/${SIM_DEVICES.demoLamp1}/online`, { online: false });
    const state = await (await fetch(`${ctx.sim.url}/_sim/devices/${SIM_DEVICES.demoLamp1}`)).json();
    assert.equal(state.online, false);
    assert.equal(state.attrs.switch, false);
    const reported = await post(`/_sim/devices/${SIM_DEVICES.demoAc}/report`, {
      attrs: { alert_full: true, room_temp: -5 },
    });
    assert.equal(reported.status, 200);
    const latest = await call(ctx.sim, 'GET', `/app/devdata/${SIM_DEVICES.demoAc}/latest`);
    assert.equal(latest.body.attr.alert_full, 1);
    assert.equal(latest.body.attr.room_temp, -5);
    await post('/_sim/faults/reset', {});
    assert.equal(ctx.sim.model.devices.get(SIM_DEVICES.demoLamp1)?.online, true);
    assert.equal((await post('/_sim/faults/throttle', { count: 'x' })).status, 400);
  });

  it('holds a device’s readings: a reported value survives the drift until the hold is lifted', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const plug = ctx.sim.model.devices.get(did)!;
    const post = (path: string, body: unknown) =>
      fetch(`${ctx.sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    // The drift pulls a plug's power towards 0 (off) or about 60 W (on): 1500 is far from either.
    assert.equal((await post(`/_sim/devices/${did}/report`, { attrs: { power: 1500 } })).status, 200);
    assert.equal((await post(`/_sim/devices/${did}/hold-readings`, { on: true })).status, 200);
    ctx.sim.model.driftAll(5000);
    assert.equal(plug.values.get('power'), 1500);
    assert.equal((await post(`/_sim/devices/${did}/hold-readings`, { on: 'yes' })).status, 400);
    ctx.sim.faults.reset();
    ctx.sim.model.driftAll(5000);
    assert.notEqual(plug.values.get('power'), 1500);
  });

  it('makes a device drop written commands: logged, but nothing changes or is reported', async () => {
    const did = SIM_DEVICES.demoPlug1;
    const token = await login(ctx.sim);
    const post = (path: string, body: unknown) =>
      fetch(`${ctx.sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const before = ctx.sim.model.devices.get(did)!;
    const wasOn = before.values.get('switch');
    const logged = before.log.length;
    assert.equal((await post(`/_sim/devices/${did}/ignore-writes`, { on: true })).status, 200);
    const answer = await call(ctx.sim, 'POST', `/app/control/${did}`, {
      token,
      body: { attrs: { switch: !wasOn } },
    });
    assert.equal(answer.status, 200);
    assert.equal(before.values.get('switch'), wasOn);
    assert.equal(before.log.length, logged + 1);
    assert.equal(before.log.at(-1)?.type, 'app2dev');
    assert.equal((await post(`/_sim/devices/${did}/ignore-writes`, { on: 'yes' })).status, 400);
    ctx.sim.faults.reset();
    await call(ctx.sim, 'POST', `/app/control/${did}`, { token, body: { attrs: { switch: !wasOn } } });
    assert.equal(before.values.get('switch'), !wasOn);
    await call(ctx.sim, 'POST', `/app/control/${did}`, { token, body: { attrs: { switch: wasOn } } });
  });

  it('closes: the server stops accepting, readings stop drifting, and closing twice is harmless', async () => {
    const servers = (): number =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const serversBefore = servers();
    const sim = await startSimulator({ port: 0, driftIntervalMs: 10 });
    // The REST server and the sandbox websocket listener.
    assert.equal(servers(), serversBefore + 2);
    const plug = sim.model.devices.get(SIM_DEVICES.demoPlug1)!;
    await waitFor(() => plug.updatedAt > Date.now() - 5 && plug.values.get('power') !== 58.3, 3000);
    await call(sim, 'GET', '/status');
    await sim.close();
    // libuv frees the listening handle within a loop turn or two of the close callback.
    await waitFor(() => servers() === serversBefore, 500);
    await sim.close();
    await assert.rejects(fetch(`${sim.url}/status`));
    const frozenAt = plug.updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(plug.updatedAt, frozenAt, 'no drift after close');
  });
});
