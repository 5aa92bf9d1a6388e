import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_GROUPS, SIM_PRODUCTS, SIM_SCENES } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call, login, useSimulator } from './helpers';

describe('simulator: groups and scenes', () => {
  const ctx = useSimulator();
  let token = '';
  before(async () => {
    token = await login(ctx.sim);
    ctx.sim.model.timeScale = 0.01;
  });

  it("lists the demo user's lamp group with its devices", async () => {
    const groups = await call(ctx.sim, 'GET', '/app/group', { token });
    const lamps = groups.body.find((group: { id: string }) => group.id === SIM_GROUPS.demoLamps);
    assert.equal(lamps.product_key, SIM_PRODUCTS.rgbLamp.product_key);
    assert.equal(lamps.verbose_name, SIM_PRODUCTS.rgbLamp.name);
    const devices = await call(ctx.sim, 'GET', `/app/group/${SIM_GROUPS.demoLamps}/devices`, { token });
    assert.deepEqual(
      devices.body.map((device: { did: string }) => device.did),
      [SIM_DEVICES.demoLamp1, SIM_DEVICES.demoLamp2],
    );
    const guestGroups = await call(ctx.sim, 'GET', '/app/group', { token: await login(ctx.sim, 'guest') });
    assert.deepEqual(guestGroups.body, []);
  });

  it('creates a plug group, reports why devices could not join, and controls it with result false for the offline plug', async () => {
    const created = await call(ctx.sim, 'POST', '/app/group', {
      token,
      body: { group_name: '插座', product_key: SIM_PRODUCTS.plug.product_key },
    });
    const id = created.body.id as string;
    assert.match(id, /^[0-9a-f]{24}$/);
    const added = await call(ctx.sim, 'POST', `/app/group/${id}/devices?show_detail=1`, {
      token,
      body: {
        dids: [
          SIM_DEVICES.demoPlug1,
          SIM_DEVICES.demoPlug2Offline,
          'NoSuchDevice0000000000',
          SIM_DEVICES.demoAc,
        ],
      },
    });
    assert.deepEqual(added.body.success, [SIM_DEVICES.demoPlug1, SIM_DEVICES.demoPlug2Offline]);
    assert.deepEqual(added.body.failed, ['NoSuchDevice0000000000', SIM_DEVICES.demoAc]);
    assert.deepEqual(added.body.detail[0], {
      did: 'NoSuchDevice0000000000',
      error_message: 'device not found!',
      error_code: 9014,
      detail_msg: null,
    });
    const controlled = await call(ctx.sim, 'POST', `/app/group/${id}/control`, {
      token,
      body: { attrs: { switch: false } },
    });
    assert.deepEqual(controlled.body, [
      { did: SIM_DEVICES.demoPlug1, result: true },
      { did: SIM_DEVICES.demoPlug2Offline, result: false },
    ]);
    const latest = await call(ctx.sim, 'GET', `/app/devdata/${SIM_DEVICES.demoPlug1}/latest`);
    assert.equal(latest.body.attr.switch, 0);
    const invalid = await call(ctx.sim, 'POST', `/app/group/${id}/control`, {
      token,
      body: { attrs: { power: 1 } },
    });
    assert.equal(invalid.body.error_code, 9025);

    const removed = await call(ctx.sim, 'DELETE', `/app/group/${id}/devices`, {
      token,
      body: { dids: [SIM_DEVICES.demoPlug1] },
    });
    assert.deepEqual(removed.body, { failed: [], success: [SIM_DEVICES.demoPlug1] });
    await call(ctx.sim, 'PUT', `/app/group/${id}`, { token, body: { group_name: '阳台' } });
    const renamed = (await call(ctx.sim, 'GET', '/app/group', { token })).body.find(
      (group: { id: string }) => group.id === id,
    );
    assert.equal(renamed.group_name, '阳台');
    assert.equal((await call(ctx.sim, 'DELETE', `/app/group/${id}`, { token })).status, 200);
    assert.equal((await call(ctx.sim, 'GET', `/app/group/${id}/devices`, { token })).status, 404);
  });

  it('runs the demo scene: status 3 before, 0 while its delay waits, 1 when done, with the writes applied', async () => {
    const path = `/app/scene/${SIM_SCENES.demoEvening}/task`;
    assert.deepEqual((await call(ctx.sim, 'GET', path, { token })).body, { status: 3 });
    await call(ctx.sim, 'POST', `/app/control/${SIM_DEVICES.demoAc}`, {
      token,
      body: { attrs: { switch: false, mode: 0 } },
    });
    ctx.sim.model.timeScale = 0.1;
    assert.equal((await call(ctx.sim, 'POST', path, { token })).status, 200);
    assert.deepEqual((await call(ctx.sim, 'GET', path, { token })).body, { status: 0 });
    await waitFor(async () => (await call(ctx.sim, 'GET', path, { token })).body.status === 1, 3000);
    const ac = await call(ctx.sim, 'GET', `/app/devdata/${SIM_DEVICES.demoAc}/latest`);
    assert.equal(ac.body.attr.switch, 1);
    assert.equal(ac.body.attr.mode, '制冷');
    const lamp = await call(ctx.sim, 'GET', `/app/devdata/${SIM_DEVICES.demoLamp2}/latest`);
    assert.equal(lamp.body.attr.brightness, 80);
    ctx.sim.model.timeScale = 0.01;
  });

  it('creates, updates by PUT or POST, lists and deletes a scene; a failing device task ends in status 2', async () => {
    const created = await call(ctx.sim, 'POST', '/app/scene', {
      token,
      body: {
        scene_name: '离家',
        tasks: [
          { task_type: 'delay', time: 1 },
          { task_type: 'device', did: SIM_DEVICES.demoPlug2Offline, attrs: { switch: false } },
        ],
      },
    });
    const id = created.body.id as string;
    assert.equal(created.status, 200, created.text);
    await call(ctx.sim, 'PUT', `/app/scene/${id}`, { token, body: { remark: '出门' } });
    await call(ctx.sim, 'POST', `/app/scene/${id}`, { token, body: { scene_name: '离家模式' } });
    const listed = (await call(ctx.sim, 'GET', '/app/scene', { token })).body.find(
      (scene: { id: string }) => scene.id === id,
    );
    assert.equal(listed.scene_name, '离家模式');
    assert.equal(listed.remark, '出门');
    assert.equal(listed.tasks[1].product_key, SIM_PRODUCTS.plug.product_key);
    await call(ctx.sim, 'POST', `/app/scene/${id}/task`, { token });
    await waitFor(
      async () => (await call(ctx.sim, 'GET', `/app/scene/${id}/task`, { token })).body.status === 2,
      3000,
    );
    const badTask = await call(ctx.sim, 'POST', '/app/scene', {
      token,
      body: { scene_name: 'x', tasks: [{ task_type: 'delay', time: 3601 }] },
    });
    assert.equal(badTask.body.error_code, 9015);
    const foreign = await call(ctx.sim, 'GET', `/app/scene/${id}/task`, {
      token: await login(ctx.sim, 'guest'),
    });
    assert.equal(foreign.body.error_code, 9221);
    await call(ctx.sim, 'DELETE', `/app/scene/${id}`, { token });
    const gone = await call(ctx.sim, 'GET', `/app/scene/${id}/task`, { token });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, 9220);
  });
});
