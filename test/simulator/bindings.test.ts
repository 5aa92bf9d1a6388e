import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SIM_DEVICES, SIM_MANY_PLUG_COUNT, SIM_PRODUCTS, simManyPlugDid } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

const BINDING_FIELDS = [
  'product_key',
  'did',
  'mac',
  'is_online',
  'passcode',
  'host',
  'port',
  'port_s',
  'ws_port',
  'wss_port',
  'remark',
  'is_disabled',
  'type',
  'dev_alias',
  'dev_label',
  'proto_ver',
  'wifi_soft_version',
  'is_sandbox',
  'role',
];

function signedHeaders(secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'X-Gizwits-Timestamp': String(timestamp),
    'X-Gizwits-Signature': createHash('md5')
      .update(secret + timestamp)
      .digest('hex'),
  };
}

describe('simulator: bindings', () => {
  const ctx = useSimulator();

  it("lists the demo user's five devices with every field of the document and this server as websocket host", async () => {
    const token = await login(ctx.sim);
    const answer = await call(ctx.sim, 'GET', '/app/bindings', { token });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body), ['devices']);
    const devices = answer.body.devices as Array<Record<string, unknown>>;
    assert.deepEqual(devices.map((device) => device.did).sort(), Object.values(SIM_DEVICES).sort());
    for (const device of devices) {
      assert.deepEqual(Object.keys(device).sort(), [...BINDING_FIELDS].sort());
      assert.equal(device.host, '127.0.0.1');
      // demoLamp2 sits on the sandbox websocket host (ws-sandbox.test.ts); the rest on this server.
      const wsPort = device.did === SIM_DEVICES.demoLamp2 ? ctx.sim.sandboxPort : ctx.sim.port;
      assert.equal(device.ws_port, wsPort);
      assert.match(String(device.did), /^[A-Za-z0-9]{22}$/);
    }
    const offline = devices.find((device) => device.did === SIM_DEVICES.demoPlug2Offline);
    assert.equal(offline?.is_online, false);
    assert.equal(devices.filter((device) => device.is_online === false).length, 1);
  });

  it("pages the `many` user's 45 plugs 20 at a time without a total", async () => {
    const token = await login(ctx.sim, 'many');
    const pages: number[] = [];
    const seen: string[] = [];
    for (let skip = 0; ; skip += 20) {
      const answer = await call(ctx.sim, 'GET', `/app/bindings?limit=20&skip=${skip}`, { token });
      assert.equal(answer.body.total, undefined);
      pages.push(answer.body.devices.length);
      seen.push(...answer.body.devices.map((device: { did: string }) => device.did));
      if (answer.body.devices.length < 20) break;
    }
    assert.deepEqual(pages, [20, 20, 5]);
    assert.equal(new Set(seen).size, SIM_MANY_PLUG_COUNT);
    assert.equal(seen[0], simManyPlugDid(1));
    const defaultPage = await call(ctx.sim, 'GET', '/app/bindings', { token });
    assert.equal(defaultPage.body.devices.length, 20);
    const capped = await call(ctx.sim, 'GET', '/app/bindings?limit=500', { token });
    assert.equal(capped.body.devices.length, 45);
  });

  it('binds by MAC with a valid signature, and refuses a bad signature (9044) or a stale timestamp (9043)', async () => {
    const token = await login(ctx.sim, 'guest');
    const body = { product_key: SIM_PRODUCTS.plug.product_key, mac: 'aabbccddee01', dev_alias: '新插座' };
    const badSignature = await call(ctx.sim, 'POST', '/app/bind_mac', {
      token,
      body,
      headers: signedHeaders(SIM_PRODUCTS.airConditioner.product_secret),
    });
    assert.equal(badSignature.status, 400);
    assert.equal(badSignature.body.error_code, 9044);
    const stale = await call(ctx.sim, 'POST', '/app/bind_mac', {
      token,
      body,
      headers: signedHeaders(SIM_PRODUCTS.plug.product_secret, Math.floor(Date.now() / 1000) - 600),
    });
    assert.equal(stale.body.error_code, 9043);
    const bound = await call(ctx.sim, 'POST', '/app/bind_mac', {
      token,
      body,
      headers: signedHeaders(SIM_PRODUCTS.plug.product_secret),
    });
    assert.equal(bound.status, 200, bound.text);
    assert.equal(bound.body.mac, 'aabbccddee01');
    assert.equal(bound.body.dev_alias, '新插座');
    assert.equal(bound.body.role, 'special');
    assert.match(bound.body.did, /^[A-Za-z0-9]{22}$/);
    const list = await call(ctx.sim, 'GET', '/app/bindings', { token });
    assert.deepEqual(
      list.body.devices.map((device: { did: string }) => device.did),
      [bound.body.did],
    );
    const latest = await call(ctx.sim, 'GET', `/app/devdata/${bound.body.did}/latest`);
    assert.equal(latest.body.attr.switch, 0);

    const unbound = await call(ctx.sim, 'DELETE', '/app/bindings', {
      token,
      body: { devices: [{ did: bound.body.did }, { did: SIM_DEVICES.demoAc }] },
    });
    assert.deepEqual(unbound.body, { success: [bound.body.did], failed: [SIM_DEVICES.demoAc] });
    assert.equal((await call(ctx.sim, 'GET', '/app/bindings', { token })).body.devices.length, 0);
  });

  it('binds by QR content and answers 9040 for content it cannot read', async () => {
    const token = await login(ctx.sim, 'guest');
    const bad = await call(ctx.sim, 'POST', '/app/bind_latest', {
      token,
      body: { qr_content: 'hello world' },
    });
    assert.equal(bad.body.error_code, 9040);
    const qr = `product_key=${SIM_PRODUCTS.rgbLamp.product_key}&mac=aabbccddee02`;
    const bound = await call(ctx.sim, 'POST', '/app/bind_latest', { token, body: { qr_content: qr } });
    assert.equal(bound.status, 200, bound.text);
    assert.equal(bound.body.product_key, SIM_PRODUCTS.rgbLamp.product_key);
    await call(ctx.sim, 'DELETE', '/app/bindings', { token, body: { devices: [{ did: bound.body.did }] } });
  });

  it("refuses to bind another user's owned device (9092)", async () => {
    const token = await login(ctx.sim, 'guest');
    const mac = 'accf23a10001';
    const answer = await call(ctx.sim, 'POST', '/app/bind_mac', {
      token,
      body: { product_key: SIM_PRODUCTS.airConditioner.product_key, mac },
      headers: signedHeaders(SIM_PRODUCTS.airConditioner.product_secret),
    });
    assert.equal(answer.body.error_code, 9092);
  });

  it('updates alias, remark and labels of a binding, per user', async () => {
    const token = await login(ctx.sim);
    const did = SIM_DEVICES.demoLamp2;
    const updated = await call(ctx.sim, 'PUT', `/app/bindings/${did}`, {
      token,
      body: { dev_alias: '新名字', remark: '备注', dev_label: ['卧室'] },
    });
    assert.deepEqual(updated.body, { remark: '备注', dev_label: ['卧室'], dev_alias: '新名字' });
    const details = await call(ctx.sim, 'GET', `/app/devices/${did}`, { token });
    assert.equal(details.body.dev_alias, '新名字');
    const empty = await call(ctx.sim, 'PUT', `/app/bindings/${did}`, { token, body: {} });
    assert.equal(empty.body.error_code, 9015);
    const foreign = await call(ctx.sim, 'PUT', `/app/bindings/${did}`, {
      token: await login(ctx.sim, 'guest'),
      body: { remark: 'x' },
    });
    assert.equal(foreign.body.error_code, 9017);
  });

  it("keeps each user's bindings separate", async () => {
    const guest = await call(ctx.sim, 'GET', '/app/bindings', { token: await login(ctx.sim, 'guest') });
    assert.deepEqual(guest.body.devices, []);
    const many = await call(ctx.sim, 'GET', '/app/bindings?limit=100', {
      token: await login(ctx.sim, 'many'),
    });
    assert.ok(many.body.devices.every((device: { did: string }) => device.did.startsWith('ManyPlug')));
    assert.equal(many.body.devices.length, 45);
  });
});
