// The admin routes behind the editor's pick-lists, called as the editor calls them: with the account as
// its dialog holds it, deployed (stored secrets behind the placeholder) or not deployed at all.
import assert from 'node:assert/strict';
import {
  SIM_APP_ID,
  SIM_DEVICES,
  SIM_GROUPS,
  SIM_PRODUCTS,
  SIM_SCENES,
  SIM_USERS,
} from '../../src/simulator';
import { accountNode, apiNode, helper, simAccount, useNodeRed } from '../helpers/node-red';
import { countCalls, useSimulator } from '../helpers/simulator';

describe('gizwits-account pick-list routes', () => {
  const ctx = useSimulator();
  useNodeRed();

  const config = () => ({
    name: 'sim',
    region: 'custom',
    apiUrl: ctx.sim.url,
    appId: SIM_APP_ID,
    authMode: 'password',
    secure: false,
  });
  const typed = (password = SIM_USERS.demo.password) => ({
    config: config(),
    credentials: { username: 'demo', password },
  });

  beforeEach(async () => {
    const account = simAccount(ctx.sim);
    await helper.load([accountNode, apiNode], [account.node], account.credentials);
  });

  const post = (path: string, body: unknown) =>
    helper
      .request()
      .post(`/gizwits/account/${path}`)
      .send(body as object);

  it('lists the devices of a deployed account whose password stays behind the placeholder', async () => {
    const answer = await post('devices', {
      id: 'account',
      config: config(),
      credentials: { username: 'demo', password: '__PWRD__' },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      answer.body.map((d: { did: string }) => d.did).sort(),
      Object.values(SIM_DEVICES).sort(),
    );
    const ac = answer.body.find((d: { did: string }) => d.did === SIM_DEVICES.demoAc);
    assert.deepEqual(ac, {
      did: SIM_DEVICES.demoAc,
      alias: '客厅空调',
      productKey: SIM_PRODUCTS.airConditioner.product_key,
      productName: SIM_PRODUCTS.airConditioner.name,
      online: true,
      mac: 'accf23a10001',
    });
    const offline = answer.body.find((d: { did: string }) => d.did === SIM_DEVICES.demoPlug2Offline);
    assert.equal(offline.online, false);
    assert.ok(!JSON.stringify(answer.body).includes(SIM_USERS.demo.password));
  });

  it('works with values typed in the dialog of an account never deployed, signing in once', async () => {
    const logins = countCalls(ctx.sim, 'POST', '/app/login');
    const devices = await post('devices', typed());
    assert.equal(devices.status, 200, JSON.stringify(devices.body));
    assert.equal(devices.body.length, Object.keys(SIM_DEVICES).length);
    const groups = await post('groups', typed());
    assert.equal(groups.status, 200);
    assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - logins, 1, 'one sign-in for both lists');
  });

  it("lists a device's data points with type, range, labels and read/write, by did or product key", async () => {
    const byDid = await post('datapoints', { ...typed(), did: SIM_DEVICES.demoLamp1 });
    assert.equal(byDid.status, 200, JSON.stringify(byDid.body));
    const brightness = byDid.body.find((p: { name: string }) => p.name === 'brightness');
    assert.deepEqual(brightness, {
      name: 'brightness',
      displayName: '亮度',
      kind: 'writable',
      dataType: 'uint8',
      min: 0,
      max: 100,
      step: 1,
    });
    const mode = byDid.body.find((p: { name: string }) => p.name === 'mode');
    assert.deepEqual(mode.labels, ['常亮', '呼吸', '闪烁', '渐变']);
    const byKey = await post('datapoints', {
      ...typed(),
      productKey: SIM_PRODUCTS.airConditioner.product_key,
    });
    const room = byKey.body.find((p: { name: string }) => p.name === 'room_temp');
    assert.equal(room.kind, 'readonly');
    assert.equal(room.min, -10);
    assert.ok(byKey.body.some((p: { kind: string }) => p.kind === 'alert'));
  });

  it('refuses a did the account does not have, and a request naming neither did nor product', async () => {
    const unknown = await post('datapoints', { ...typed(), did: 'NotMyDevice0000000000' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'INVALID_PARAMS');
    assert.match(unknown.body.message, /NotMyDevice0000000000 is not bound to this account/);
    const neither = await post('datapoints', typed());
    assert.equal(neither.status, 400);
    assert.match(neither.body.message, /Give a device/);
  });

  it('lists groups and scenes in the shapes the group and scene nodes expect', async () => {
    const groups = await post('groups', typed());
    assert.deepEqual(
      groups.body.find((g: { id: string }) => g.id === SIM_GROUPS.demoLamps),
      {
        id: SIM_GROUPS.demoLamps,
        group_name: '卧室灯组',
        product_key: SIM_PRODUCTS.rgbLamp.product_key,
      },
    );
    const scenes = await post('scenes', typed());
    assert.deepEqual(
      scenes.body.find((s: { id: string }) => s.id === SIM_SCENES.demoEvening),
      { id: SIM_SCENES.demoEvening, scene_name: '回家模式' },
    );
  });

  it('answers a refused sign-in with 400 {message, code}, never the password, and lets a fixed one work', async () => {
    const wrong = await post('devices', typed('Not-The-Pass-77'));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 9020);
    assert.equal(typeof wrong.body.message, 'string');
    assert.ok(!JSON.stringify(wrong.body).includes('Not-The-Pass-77'));
    const right = await post('devices', typed());
    assert.equal(right.status, 200);
  });

  it('explains a configuration that cannot work', async () => {
    const answer = await post('devices', {
      config: { ...config(), apiUrl: 'nope' },
      credentials: { username: 'demo', password: 'x' },
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body.message, /"nope" is not a URL/);
  });

  it('resolves ${ENV} references in the dialog, as the deployed node would', async () => {
    process.env.GIZWITS_PICK_URL = ctx.sim.url;
    process.env.GIZWITS_PICK_PASSWORD = SIM_USERS.demo.password;
    try {
      const answer = await post('scenes', {
        config: { ...config(), apiUrl: '${GIZWITS_PICK_URL}' },
        credentials: { username: 'demo', password: '${GIZWITS_PICK_PASSWORD}' },
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const missing = await post('scenes', {
        config: config(),
        credentials: { username: 'demo', password: '${GIZWITS_PICK_NOT_SET}' },
      });
      assert.equal(missing.status, 400);
      assert.match(missing.body.message, /GIZWITS_PICK_NOT_SET, which is not set/);
    } finally {
      delete process.env.GIZWITS_PICK_URL;
      delete process.env.GIZWITS_PICK_PASSWORD;
    }
  });
});
