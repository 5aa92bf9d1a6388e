import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_GROUPS, SIM_PRODUCTS, SIM_SCENES } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

const rule = (name: string) => ({
  name,
  remark: '',
  did: SIM_DEVICES.demoAc,
  product_key: SIM_PRODUCTS.airConditioner.product_key,
  interval: 0,
  event: 'data',
  input: [
    { did: SIM_DEVICES.demoAc, prefix: 'device1', product_key: SIM_PRODUCTS.airConditioner.product_key },
  ],
  condition: [[{ left: 'device1.room_temp', opt: '>', right: '28' }]],
  output: [
    [
      { type: 'devctrl', did: SIM_DEVICES.demoAc, attrs: { switch: true } },
      { type: 'delay', delay: 5 },
    ],
  ],
});

describe('simulator: rules and schedulers', () => {
  const ctx = useSimulator();
  let token = '';
  before(async () => {
    token = await login(ctx.sim);
  });

  it('creates rules with integer ids, lists them as {rules}, pages, updates and deletes them', async () => {
    const first = await call(ctx.sim, 'POST', '/app/rules', { token, body: rule('太热开空调') });
    const second = await call(ctx.sim, 'POST', '/app/rules', { token, body: rule('第二条') });
    assert.ok(Number.isInteger(first.body.rule_id));
    assert.ok(second.body.rule_id > first.body.rule_id);
    const listed = await call(ctx.sim, 'GET', '/app/rules?limit=20&skip=0', { token });
    assert.deepEqual(Object.keys(listed.body), ['rules']);
    assert.deepEqual(listed.body.rules[0], { ...rule('太热开空调'), rule_id: first.body.rule_id });
    const paged = await call(ctx.sim, 'GET', '/app/rules?limit=1&skip=1', { token });
    assert.deepEqual(
      paged.body.rules.map((entry: { rule_id: number }) => entry.rule_id),
      [second.body.rule_id],
    );
    const updated = await call(ctx.sim, 'PUT', `/app/rules/${first.body.rule_id}`, {
      token,
      body: { ...rule('改名'), event: 'online' },
    });
    assert.deepEqual(updated.body, { rule_id: first.body.rule_id });
    const guest = await call(ctx.sim, 'GET', '/app/rules', { token: await login(ctx.sim, 'guest') });
    assert.deepEqual(guest.body.rules, []);
    assert.deepEqual((await call(ctx.sim, 'DELETE', `/app/rules/${second.body.rule_id}`, { token })).body, {
      rule_id: second.body.rule_id,
    });
    const after = await call(ctx.sim, 'GET', '/app/rules', { token });
    assert.deepEqual(
      after.body.rules.map((entry: { name: string }) => entry.name),
      ['改名'],
    );
  });

  it('refuses an unknown event or a malformed condition with 9015', async () => {
    const badEvent = await call(ctx.sim, 'POST', '/app/rules', {
      token,
      body: { ...rule('x'), event: 'sometimes' },
    });
    assert.equal(badEvent.body.error_code, 9015);
    const badOperator = await call(ctx.sim, 'POST', '/app/rules', {
      token,
      body: { ...rule('x'), condition: [[{ left: 'a', opt: '=~', right: '1' }]] },
    });
    assert.equal(badOperator.body.error_code, 9015);
  });

  it('answers rule parameters per product key', async () => {
    const answer = await call(
      ctx.sim,
      'GET',
      `/app/rules/params?product_key=${SIM_PRODUCTS.plug.product_key}`,
      { token },
    );
    assert.deepEqual(Object.keys(answer.body), [SIM_PRODUCTS.plug.product_key]);
    const power = answer.body[SIM_PRODUCTS.plug.product_key].find(
      (entry: { name: string }) => entry.name === 'power',
    );
    assert.deepEqual(power, { display_name: '功率(W)', enum: [], type: 'int', name: 'power' });
  });

  it('stores device schedulers as given in UTC and validates time and repeat', async () => {
    const path = `/app/devices/${SIM_DEVICES.demoPlug1}/scheduler`;
    const weekly = {
      time: '22:30',
      repeat: 'mon,wed',
      attrs: { switch: false },
      remark: '晚上关',
      enabled: true,
    };
    const created = await call(ctx.sim, 'POST', path, { token, body: weekly });
    assert.equal(created.status, 200, created.text);
    const listed = await call(ctx.sim, 'GET', path, { token });
    assert.equal(listed.body.length, 1);
    assert.equal(listed.body[0].time, '22:30');
    assert.equal(listed.body[0].repeat, 'mon,wed');
    assert.equal(listed.body[0].did, SIM_DEVICES.demoPlug1);
    assert.deepEqual(listed.body[0].attrs, { switch: false });
    for (const bad of [
      { ...weekly, time: '24:00' },
      { ...weekly, time: '7:5' },
      { ...weekly, repeat: 'monday' },
      { ...weekly, repeat: 'none' },
    ]) {
      const answer = await call(ctx.sim, 'POST', path, { token, body: bad });
      assert.equal(answer.body.error_code, 9015, JSON.stringify(bad));
    }
    const updated = await call(ctx.sim, 'PUT', `${path}/${created.body.id}`, {
      token,
      body: { time: '06:00' },
    });
    assert.deepEqual(updated.body, { id: created.body.id });
    assert.equal((await call(ctx.sim, 'GET', path, { token })).body[0].time, '06:00');
    await call(ctx.sim, 'DELETE', `${path}/${created.body.id}`, { token });
    assert.equal(
      (await call(ctx.sim, 'DELETE', `${path}/${created.body.id}`, { token })).body.error_code,
      9030,
    );
  });

  it('targets common schedulers at a device, a group or a scene', async () => {
    const once = { time: '08:00', repeat: 'none', date: '2030-01-01' };
    const forGroup = await call(ctx.sim, 'POST', '/app/common_scheduler', {
      token,
      body: { ...once, group_id: SIM_GROUPS.demoLamps, attrs: { switch: true } },
    });
    const forScene = await call(ctx.sim, 'POST', '/app/common_scheduler', {
      token,
      body: {
        ...once,
        repeat: 'day',
        days: [1, 15],
        scene_id: SIM_SCENES.demoEvening,
        attrs: { ignored: 1 },
      },
    });
    assert.equal(forGroup.status, 200, forGroup.text);
    assert.equal(forScene.status, 200, forScene.text);
    const scenes = await call(ctx.sim, 'GET', `/app/common_scheduler?scene_id=${SIM_SCENES.demoEvening}`, {
      token,
    });
    assert.equal(scenes.body.length, 1);
    assert.deepEqual(scenes.body[0].attrs, {}, 'scene tasks drop their command');
    assert.deepEqual(scenes.body[0].days, [1, 15]);
    const badDays = await call(ctx.sim, 'POST', '/app/common_scheduler', {
      token,
      body: { ...once, repeat: 'day', days: [32], did: SIM_DEVICES.demoPlug1, attrs: { switch: true } },
    });
    assert.equal(badDays.body.error_code, 9015);
  });
});
