import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_GROUPS, SIM_PRODUCTS } from '../../src/simulator';
import { loadNode, useNodeRed } from '../helpers/node-red';
import { countCalls, useSimulator, withoutCalls } from '../helpers/simulator';

type Out = { payload: unknown; failed?: string[]; action?: string; groupId?: string };

describe('gizwits-group-control in Node-RED', () => {
  const ctx = useSimulator();
  useNodeRed();

  async function load(config: Record<string, unknown> = {}) {
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-group-control',
      id: 'group',
      config: { group: '', action: 'control', configVersion: 1, ...config },
    });
    return { group: flow.node, run: (msg: Record<string, unknown>) => flow.run<Out>(msg), fail: flow.fail };
  }

  it('lists groups and their devices', async () => {
    const { run } = await load({ action: 'list' });
    const groups = (await run({ payload: Date.now() })).payload as Array<{ id: string; product_key: string }>;
    assert.equal(
      groups.find((g) => g.id === SIM_GROUPS.demoLamps)?.product_key,
      SIM_PRODUCTS.rgbLamp.product_key,
    );
    const devices = await run({ action: 'devices', groupId: SIM_GROUPS.demoLamps });
    assert.deepEqual(
      (devices.payload as Array<{ did: string }>).map((d) => d.did),
      [SIM_DEVICES.demoLamp1, SIM_DEVICES.demoLamp2],
    );
    assert.equal(devices.groupId, SIM_GROUPS.demoLamps);
  });

  it('manages a group, and controls it: the offline plug fails, the status says 1 of 2', async () => {
    const { group, run } = await load();
    const created = await run({
      action: 'create',
      payload: { group_name: 'plugs', product_key: SIM_PRODUCTS.plug.product_key },
    });
    const id = (created.payload as { id: string }).id;
    const added = await run({
      action: 'add',
      groupId: id,
      payload: [SIM_DEVICES.demoPlug1, SIM_DEVICES.demoPlug2Offline, SIM_DEVICES.demoAc],
    });
    assert.deepEqual(added.failed, [SIM_DEVICES.demoAc]);
    // The details come only with show_detail=1.
    assert.equal((added.payload as { detail: Array<{ error_code: number }> }).detail[0].error_code, 9002);

    const controlled = await run({ groupId: id, payload: { switch: false, countdown: 15 } });
    assert.deepEqual(controlled.payload, [
      { did: SIM_DEVICES.demoPlug1, result: true },
      { did: SIM_DEVICES.demoPlug2Offline, result: false },
    ]);
    assert.deepEqual(controlled.failed, [SIM_DEVICES.demoPlug2Offline]);
    const plug = ctx.sim.model.devices.get(SIM_DEVICES.demoPlug1)!.socketSnapshot();
    assert.deepEqual([plug.switch, plug.countdown], [false, 15]);
    const status = group.status.lastCall.args[0];
    assert.equal(status.fill, 'yellow');
    assert.match(status.text, /^1 of 2 ok/);

    await run({ action: 'update', groupId: id, payload: 'all plugs' });
    const removed = await run({
      action: 'remove',
      groupId: id,
      payload: { dids: [SIM_DEVICES.demoPlug2Offline] },
    });
    assert.deepEqual(removed.failed, []);
    const all = await run({ groupId: id, payload: { switch: true } });
    assert.deepEqual(all.failed, []);
    assert.match(group.status.lastCall.args[0].text, /^1 of 1 ok/);
    await run({ action: 'delete', groupId: id });
    assert.equal(ctx.sim.model.groups.has(id), false);
  });

  it('sends raw bytes to every device', async () => {
    const { run } = await load({ group: SIM_GROUPS.demoLamps });
    const before = countCalls(ctx.sim, 'POST', `/app/group/${SIM_GROUPS.demoLamps}/control`);
    const answer = await run({ payload: [1, 2, 3] });
    assert.equal((answer.payload as unknown[]).length, 2);
    assert.equal(countCalls(ctx.sim, 'POST', `/app/group/${SIM_GROUPS.demoLamps}/control`) - before, 1);
  });

  it("validates values against the group's product before controlling", async () => {
    const { fail } = await load({ group: SIM_GROUPS.demoLamps });
    const path = `/app/group/${SIM_GROUPS.demoLamps}/control`;
    const before = countCalls(ctx.sim, 'POST', path);
    assert.match(
      await fail({ payload: { LED_R: 300 } }),
      /group "卧室灯组": "LED_R" must be between 0 and 254/,
    );
    assert.match(await fail({ payload: { power: 1 } }), /"power" is not a data point of RGB 彩灯/);
    assert.equal(countCalls(ctx.sim, 'POST', path), before, 'nothing was sent');
  });

  it('says clearly that a mixed group cannot be controlled', async () => {
    const { run, fail } = await load();
    const { id } = (await run({ action: 'create', payload: { group_name: 'mixed' } })).payload as {
      id: string;
    };
    await run({ action: 'add', groupId: id, payload: [SIM_DEVICES.demoPlug1, SIM_DEVICES.demoLamp1] });
    const message = await fail({ groupId: id, payload: { switch: true } });
    assert.match(
      message,
      /group "mixed" is not a single-product group, and the Open API controls single-product groups only/,
    );
    assert.equal(countCalls(ctx.sim, 'POST', `/app/group/${id}/control`), 0);
  });

  for (const [name, node, msg, pattern] of [
    [
      'an unknown action',
      {},
      { action: 'explode', groupId: 'x' },
      /unknown action "explode": use one of control, list/,
    ],
    [
      'no group',
      {},
      { payload: { switch: true } },
      /control needs a group: choose one in the node or set msg.groupId/,
    ],
    [
      'a control payload that is no values',
      { group: SIM_GROUPS.demoLamps },
      { payload: 5 },
      /control needs msg.payload: data point values/,
    ],
    [
      'bad bytes',
      { group: SIM_GROUPS.demoLamps },
      { payload: [1, 999] },
      /raw data must be a non-empty array of bytes/,
    ],
    [
      'add without dids',
      { action: 'add', group: SIM_GROUPS.demoLamps },
      { payload: [] },
      /msg.payload must be the dids to add or remove/,
    ],
    ['create without a name', { action: 'create' }, { payload: {} }, /create needs a group name/],
  ] as const) {
    it(`refuses ${name} with a clear error, calling nothing`, async () => {
      const { fail } = await load(node);
      assert.match(await withoutCalls(ctx.sim, () => fail({ ...msg })), pattern);
    });
  }
});
