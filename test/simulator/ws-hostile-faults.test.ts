// The fault switches that make the simulated cloud send what a hostile network path could: any text (or
// bytes) as a websocket frame, and bindings whose fields were replaced. Both in-process and over
// /_sim/ for a separate process.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';
import { loginFrame, socketUrl } from './ws-helpers';

const { demoAc, demoPlug1 } = SIM_DEVICES;

/** A socket that keeps every frame as received (text or bytes), without parsing it. */
class RawSocket {
  readonly frames: Array<{ text: string; binary: boolean }> = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, binary) => this.frames.push({ text: data.toString(), binary }));
    socket.on('error', () => undefined);
  }

  static async loggedIn(url: string, token: string, subscribe: string[] = []): Promise<RawSocket> {
    const socket = new WebSocket(url);
    const raw = new RawSocket(socket);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify(loginFrame({ uid: SIM_USERS.demo.uid, token })));
    await raw.waitFor((f) => f.text.includes('"login_res"'));
    if (subscribe.length) {
      socket.send(JSON.stringify({ cmd: 'subscribe_req', data: subscribe.map((did) => ({ did })) }));
      await raw.waitFor((f) => f.text.includes('"subscribe_res"'));
    }
    raw.frames.length = 0;
    return raw;
  }

  async waitFor(match: (frame: { text: string; binary: boolean }) => boolean, ms = 2000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such frame; got ${JSON.stringify(this.frames)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('simulator: hostile frames and corrupted bindings', () => {
  const ctx = useSimulator();
  const open: RawSocket[] = [];
  afterEach(() => {
    for (const raw of open.splice(0)) raw.socket.terminate();
  });

  async function socketOf(subscribe: string[] = []): Promise<RawSocket> {
    const raw = await RawSocket.loggedIn(socketUrl(ctx.sim), await login(ctx.sim), subscribe);
    open.push(raw);
    return raw;
  }

  it('sends the exact text to every logged-in socket, and not to sockets that are not logged in', async () => {
    const first = await socketOf();
    const second = await socketOf();
    const anonymous = new WebSocket(socketUrl(ctx.sim));
    const heard: string[] = [];
    anonymous.on('message', (data) => heard.push(data.toString()));
    await new Promise((resolve) => anonymous.once('open', resolve));
    try {
      ctx.sim.faults.sendRawFrame('null');
      ctx.sim.faults.sendRawFrame('{"cmd":"s2c_noti","data":{"did":{}}');
      for (const raw of [first, second]) {
        await raw.waitFor((f) => f.text === '{"cmd":"s2c_noti","data":{"did":{}}');
        assert.deepEqual(
          raw.frames.map((f) => f.text),
          ['null', '{"cmd":"s2c_noti","data":{"did":{}}'],
        );
        assert.ok(raw.frames.every((f) => !f.binary));
      }
      // A ping answered proves the anonymous socket was served after the frames were sent.
      anonymous.send(JSON.stringify({ cmd: 'ping' }));
      await new Promise((resolve) => anonymous.once('message', resolve));
      assert.deepEqual(heard, ['{"cmd":"pong"}']);
    } finally {
      anonymous.terminate();
    }
  });

  it('sends to the subscribers of a device only when given its did, and binary frames when asked', async () => {
    const acOnly = await socketOf([demoAc]);
    const plugOnly = await socketOf([demoPlug1]);
    ctx.sim.faults.sendRawFrame('{"cmd":"s2c_noti"}', demoAc);
    ctx.sim.faults.sendRawFrame('{"cmd":"ping-for-plug"}', demoPlug1, { binary: true });
    await acOnly.waitFor((f) => f.text === '{"cmd":"s2c_noti"}');
    const binary = await plugOnly.waitFor((f) => f.text === '{"cmd":"ping-for-plug"}');
    assert.equal(binary.binary, true);
    assert.deepEqual(acOnly.frames, [{ text: '{"cmd":"s2c_noti"}', binary: false }]);
    assert.deepEqual(plugOnly.frames, [{ text: '{"cmd":"ping-for-plug"}', binary: true }]);
  });

  it('sends raw frames for another process over POST /_sim/faults/raw-frame', async () => {
    const raw = await socketOf([demoAc]);
    const answer = await call(ctx.sim, 'POST', '/_sim/faults/raw-frame', {
      body: { text: '[1,2', did: demoAc },
    });
    assert.equal(answer.status, 200);
    await raw.waitFor((f) => f.text === '[1,2');
    const refused = await call(ctx.sim, 'POST', '/_sim/faults/raw-frame', { body: { text: 7 } });
    assert.equal(refused.status, 400);
  });

  async function bindingOf(token: string, did: string) {
    const answer = await call(ctx.sim, 'GET', '/app/bindings?limit=20', { token });
    assert.equal(answer.status, 200);
    return (answer.body.devices as Array<Record<string, unknown>>).find((b) => b.did === did)!;
  }

  it('answers a corrupted binding in the list until restored, other devices untouched', async () => {
    const token = await login(ctx.sim);
    const before = await bindingOf(token, demoAc);
    ctx.sim.faults.corruptBinding(demoAc, { ws_port: 99999, host: 'bad host/../x' });
    const corrupted = await bindingOf(token, demoAc);
    assert.deepEqual(corrupted, { ...before, ws_port: 99999, host: 'bad host/../x' });
    assert.equal((await bindingOf(token, demoPlug1)).ws_port, ctx.sim.port);
    ctx.sim.faults.corruptBinding(demoAc, null);
    assert.deepEqual(await bindingOf(token, demoAc), before);
    ctx.sim.faults.corruptBinding(demoAc, { ws_port: 'x' });
    ctx.sim.faults.reset();
    assert.deepEqual(await bindingOf(token, demoAc), before);
    assert.throws(() => ctx.sim.faults.corruptBinding('NoSuchDevice0000000000', {}), RangeError);
  });

  it('corrupts bindings for another process over POST /_sim/devices/{did}/corrupt-binding', async () => {
    const token = await login(ctx.sim);
    const path = `/_sim/devices/${demoAc}/corrupt-binding`;
    assert.equal((await call(ctx.sim, 'POST', path, { body: { patch: { wss_port: -1 } } })).status, 200);
    assert.equal((await bindingOf(token, demoAc)).wss_port, -1);
    assert.equal((await call(ctx.sim, 'POST', path, { body: { patch: [1] } })).status, 400);
    assert.equal((await call(ctx.sim, 'POST', path, { body: { patch: null } })).status, 200);
    assert.equal((await bindingOf(token, demoAc)).wss_port, ctx.sim.port);
  });
});
