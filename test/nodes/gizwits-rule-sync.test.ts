import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_PRODUCTS } from '../../src/simulator';
import { helper, loadNode, useNodeRed } from '../helpers/node-red';
import { waitFor } from '../helpers/live';
import { failAfterFirstRule, simClient, useSimulator, withoutCalls } from '../helpers/simulator';

type Entry = { name: string; rule_id?: number };
type Out = {
  payload: { create: Entry[]; update: Entry[]; delete: Entry[]; unchanged: Entry[] };
  changes: Record<string, string[]>;
};

/** Plug 1 switched on → lamp 1 on and red; written the short way (no remark, interval, product keys). */
const plugLightsLamp = {
  name: '插座开 → 彩灯红',
  event: 'data',
  did: SIM_DEVICES.demoPlug1,
  input: [{ did: SIM_DEVICES.demoPlug1, prefix: 'plug' }],
  condition: [[{ left: 'plug.switch', opt: '==', right: 'true' }]],
  output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { switch: true, LED_R: 33, mode: 1 } }]],
};

const acOffline = {
  name: '空调离线提醒',
  remark: 'lamp blinks',
  event: 'offline',
  did: SIM_DEVICES.demoAc,
  output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp2, attrs: { mode: '闪烁' } }]],
};

const writes = (calls: ReadonlyArray<{ method: string; path: string }>) =>
  calls.filter((c) => c.path.startsWith('/app/rules') && c.method !== 'GET').length;

describe('gizwits-rule-sync in Node-RED', () => {
  const ctx = useSimulator();
  useNodeRed();
  afterEach(() => ctx.sim.model.rules.clear());

  async function load(config: Record<string, unknown> = {}) {
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-rule-sync',
      id: 'sync',
      config: {
        rules: JSON.stringify([plugLightsLamp, acOffline]),
        mode: 'apply',
        prune: false,
        configVersion: 1,
        ...config,
      },
    });
    return {
      sync: flow.node,
      run: (msg: Record<string, unknown> = {}) => flow.run<Out>({ payload: Date.now(), ...msg }),
      fail: (msg: Record<string, unknown> = {}) => flow.failure({ payload: Date.now(), ...msg }),
    };
  }

  const names = (entries: Entry[]) => entries.map((e) => e.name);

  it('plans without changing anything, then applies, and a second apply changes nothing', async () => {
    const plan = await (await load({ mode: 'plan' })).run();
    assert.deepEqual(names(plan.payload.create), [plugLightsLamp.name, acOffline.name]);
    assert.equal(ctx.sim.model.rules.size, 0, 'plan made no change');
    await helper.unload();

    const { run, sync } = await load();
    const applied = await run();
    assert.deepEqual(names(applied.payload.create), [plugLightsLamp.name, acOffline.name]);
    const ids = applied.payload.create.map((e) => e.rule_id);
    assert.ok(
      ids.every((id) => Number.isInteger(id)),
      'each created entry carries its rule_id',
    );
    assert.deepEqual(
      [...ctx.sim.model.rules.values()].map((r) => r.body.name),
      [plugLightsLamp.name, acOffline.name],
    );
    assert.match(sync.status.lastCall.args[0].text, /^applied \+2 ~0 -0 =0/);

    const writesBefore = writes(ctx.sim.calls);
    const again = await run();
    assert.deepEqual(names(again.payload.unchanged), [plugLightsLamp.name, acOffline.name]);
    assert.deepEqual(
      again.payload.unchanged.map((e) => e.rule_id),
      ids,
    );
    assert.deepEqual([again.payload.create, again.payload.update, again.payload.delete], [[], [], []]);
    assert.equal(writes(ctx.sim.calls), writesBefore, 'the second apply sent no change');
  });

  it('updates a changed rule, keeps extra cloud rules, and deletes them with prune', async () => {
    const client = simClient(ctx.sim);
    const { rule_id: extra } = await client.call('rules.create', {
      ...acOffline,
      name: 'made in the app',
      event: 'online',
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp2, attrs: { switch: true } }]],
    } as never);
    const { run } = await load();
    await run();
    const changed = {
      ...plugLightsLamp,
      interval: 60,
      condition: [[{ left: 'plug.switch', opt: '==', right: '1' }]],
    };
    const updated = await run({ payload: [changed, acOffline] });
    assert.deepEqual(names(updated.payload.update), [plugLightsLamp.name]);
    assert.deepEqual(updated.changes, { [plugLightsLamp.name]: ['interval', 'condition'] });
    assert.deepEqual(names(updated.payload.unchanged), [acOffline.name]);
    assert.deepEqual(updated.payload.delete, []);
    assert.ok(ctx.sim.model.rules.has(extra), 'without prune the extra rule stays');
    await helper.unload();

    const pruning = await load({ prune: true });
    const pruned = await pruning.run({ payload: [changed, acOffline] });
    assert.deepEqual(
      pruned.payload.delete.map((e) => e.rule_id),
      [extra],
    );
    assert.equal(ctx.sim.model.rules.has(extra), false);
    assert.equal(ctx.sim.model.rules.size, 2);
  });

  it('reads every page of the cloud rules, so a large set stays unchanged on the second apply', async () => {
    const many = Array.from({ length: 23 }, (_, i) => ({ ...acOffline, name: `rule ${i + 1}` }));
    const { run } = await load({ rules: JSON.stringify(many) });
    assert.equal((await run()).payload.create.length, 23);
    const pages = ctx.sim.calls.filter((c) => c.method === 'GET' && c.path === '/app/rules').length;
    const again = await run();
    assert.equal(again.payload.unchanged.length, 23);
    assert.deepEqual(again.payload.create, []);
    assert.equal(
      ctx.sim.calls.filter((c) => c.method === 'GET' && c.path === '/app/rules').length - pages,
      2,
    );
    assert.equal(ctx.sim.model.rules.size, 23);
  });

  it('ignores key order and the defaults the server fills in', async () => {
    const client = simClient(ctx.sim);
    await client.call('rules.create', {
      output: [
        [{ attrs: { mode: '呼吸', LED_R: 33, switch: true }, did: SIM_DEVICES.demoLamp1, type: 'devctrl' }],
      ],
      condition: [[{ right: 'true', opt: '==', left: 'plug.switch' }]],
      input: [{ product_key: SIM_PRODUCTS.plug.product_key, prefix: 'plug', did: SIM_DEVICES.demoPlug1 }],
      interval: 0,
      remark: '',
      product_key: SIM_PRODUCTS.plug.product_key,
      did: SIM_DEVICES.demoPlug1,
      event: 'data',
      name: plugLightsLamp.name,
    } as never);
    const { run } = await load({ mode: 'plan' });
    const plan = await run({ payload: [plugLightsLamp] });
    assert.deepEqual(names(plan.payload.unchanged), [plugLightsLamp.name]);
    assert.deepEqual(plan.payload.update, []);
  });

  it('makes an applied rule visibly control a device in the simulated cloud', async () => {
    const { run } = await load({ rules: JSON.stringify([plugLightsLamp]) });
    await run();
    const client = simClient(ctx.sim);
    await client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: false } });
    await client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: true } });
    const lamp = () => ctx.sim.model.devices.get(SIM_DEVICES.demoLamp1)!.socketSnapshot();
    await waitFor(() => lamp().LED_R === 33, 3000);
    assert.deepEqual([lamp().switch, lamp().mode], [true, '呼吸']);
  });

  it('reports which rules were applied and which were not when a call fails part-way', async () => {
    // The second create fails as a gateway would.
    const restore = failAfterFirstRule(ctx.sim);
    try {
      const { fail } = await load({
        rules: JSON.stringify([plugLightsLamp, acOffline, { ...acOffline, name: 'third' }]),
      });
      const msg = await fail();
      assert.match(msg.error.message, /gizwits-rule-sync: create "空调离线提醒" failed: .*HTTP 502/);
      assert.match(
        msg.error.message,
        /Applied: create "插座开 → 彩灯红"\. Not applied: create "空调离线提醒", create "third"\./,
      );
      assert.match(msg.error.message, /checked by reading the cloud again/);
      assert.deepEqual(msg.applied, ['create "插座开 → 彩灯红"']);
      assert.deepEqual(msg.notApplied, ['create "空调离线提醒"', 'create "third"']);
      assert.equal(ctx.sim.model.rules.size, 1);
    } finally {
      restore();
    }
  });

  for (const [name, rules, pattern] of [
    [
      'an unknown event',
      [{ ...acOffline, event: 'boot' }],
      /rule "空调离线提醒" \(#1\), event: must be one of online, offline, alert, fault, data/,
    ],
    [
      'an alert rule without event_attr',
      [{ ...acOffline, event: 'alert' }],
      /event_attr: an alert rule needs event_attr/,
    ],
    [
      'a condition on an undeclared prefix',
      [{ ...plugLightsLamp, condition: [[{ left: 'ac.room_temp', opt: '>', right: '28' }]] }],
      /condition\[0\]\[0\].left: "ac.room_temp" uses the prefix "ac", which no input declares \(inputs: plug\)/,
    ],
    [
      'ordering on text',
      [{ ...plugLightsLamp, condition: [[{ left: 'plug.power', opt: '>=', right: "'high'" }]] }],
      /">=" compares numbers only/,
    ],
    [
      'an unknown output type',
      [{ ...acOffline, output: [[{ type: 'email' }]] }],
      /output\[0\]\[0\].type: must be devctrl or delay/,
    ],
    [
      'two rules of one name',
      [acOffline, acOffline],
      /rule "空调离线提醒" \(#2\), name: is used by another rule/,
    ],
    ['text that is not JSON', '[{"name": ', /the rules are not valid JSON/],
  ] as const) {
    it(`refuses ${name} before any call`, async () => {
      const { fail } = await load({ rules: typeof rules === 'string' ? rules : JSON.stringify(rules) });
      const msg = await withoutCalls(ctx.sim, fail);
      assert.match(msg.error.message, /^(GizwitsError: )?gizwits-rule-sync: /);
      assert.match(msg.error.message, pattern);
    });
  }

  for (const [name, rule, pattern] of [
    [
      'a value out of range',
      {
        ...plugLightsLamp,
        output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { LED_R: 300 } }]],
      },
      /output\[0\]\[0\].attrs: "LED_R" must be between 0 and 254; 300 is out of range/,
    ],
    [
      'a device the account does not have',
      { ...acOffline, did: 'NoSuchDevice0000000000' },
      /did: device NoSuchDevice0000000000 is not bound/,
    ],
    [
      'ordering on a boolean',
      { ...plugLightsLamp, condition: [[{ left: 'plug.switch', opt: '>', right: '0' }]] },
      /">" compares numbers only; plug.switch is bool/,
    ],
    [
      'a fault point that is not one',
      { ...acOffline, event: 'fault', event_attr: { attr_name: 'alert_full', value: '1' } },
      /"alert_full" is not a fault point of 智能空调 \(fault points: fault_roomtemp\)/,
    ],
  ] as const) {
    it(`refuses ${name}, checked against the data points, changing nothing`, async () => {
      const { fail } = await load({ payload: undefined });
      const reads = () => ctx.sim.calls.filter((c) => c.method === 'GET' && c.path === '/app/rules').length;
      const before = [writes(ctx.sim.calls), reads()];
      const msg = await fail({ payload: [rule] });
      assert.match(msg.error.message, pattern);
      assert.deepEqual(
        [writes(ctx.sim.calls), reads()],
        before,
        'the cloud rules were neither read nor changed',
      );
    });
  }
});
