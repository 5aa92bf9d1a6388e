import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_GROUPS, SIM_SCENES } from '../../src/simulator';
import { helper, useNodeRed } from '../helpers/node-red';
import { loadScheduler, resetTasks } from '../helpers/scheduler';
import { useSimulator, withoutCalls } from '../helpers/simulator';

type View = {
  id: string;
  remark: string;
  time: string;
  repeat: string;
  date?: string;
  start_date?: string;
  enabled: boolean;
  utc: { time: string; repeat: string; date: string; start_date: string };
};
type Out = {
  payload: View & View[] & { create: View[]; update: View[]; delete: View[]; unchanged: View[] };
  warnings?: string[];
  changes?: Record<string, string[]>;
};

const commonWrites = (calls: ReadonlyArray<{ method: string; path: string }>) =>
  calls.filter((c) => c.path.startsWith('/app/common_scheduler') && c.method !== 'GET').length;

describe('gizwits-scheduler in Node-RED', () => {
  const ctx = useSimulator();
  useNodeRed();
  afterEach(() => resetTasks(ctx.sim));

  async function load(config: Record<string, unknown>) {
    const flow = await loadScheduler(ctx.sim, {
      action: 'create',
      timezone: 'Asia/Shanghai',
      configVersion: 1,
      ...config,
    });
    return {
      scheduler: flow.node,
      run: (payload: unknown) => flow.run<Out>({ payload }),
      fail: (payload: unknown) => flow.fail({ payload }),
    };
  }

  function stored(id: string) {
    return ctx.sim.model.schedulers.get(id)!.fields;
  }

  it('stores a weekly Shanghai morning task as UTC the evening before, and lists it in local time', async () => {
    const { run } = await load({});
    const created = await run({
      remark: '早上开',
      time: '07:30',
      repeat: 'mon,wed',
      attrs: { switch: true },
    });
    const id = created.payload.id;
    assert.deepEqual(
      [stored(id).time, stored(id).repeat, stored(id).did],
      ['23:30', 'tue,sun', SIM_DEVICES.demoPlug1],
    );
    assert.deepEqual([created.payload.time, created.payload.repeat], ['07:30', 'mon,wed']);
    assert.deepEqual([created.payload.utc.time, created.payload.utc.repeat], ['23:30', 'tue,sun']);
    await helper.unload();
    const listed = (await (await load({ action: 'list' })).run(null)).payload;
    assert.deepEqual(
      listed.map((task) => [task.id, task.remark, task.time, task.repeat]),
      [[id, '早上开', '07:30', 'mon,wed']],
    );
  });

  it('fires a one-time Shanghai task in the simulator at its UTC time, the evening before', async () => {
    const { run } = await load({});
    await run({ time: '07:30', date: '2030-01-08', attrs: { countdown: 730 } });
    const clock = ctx.sim.model.clock;
    clock.set('2030-01-07T23:29:00Z');
    const plug = () => ctx.sim.model.devices.get(SIM_DEVICES.demoPlug1)!.socketSnapshot().countdown;
    assert.notEqual(plug(), 730);
    clock.advance(2 * 60_000);
    assert.equal(plug(), 730);
  });

  it('converts New York evenings to the next UTC day, with the offset before and after daylight saving', async () => {
    // Daylight saving starts in New York on 2030-03-10 at 02:00.
    const { run } = await load({
      target: 'group',
      targetId: SIM_GROUPS.demoLamps,
      timezone: 'America/New_York',
    });
    const before = await run({ time: '22:00', date: '2030-03-09', attrs: { LED_B: 1 } });
    const after = await run({ time: '22:00', date: '2030-03-10', attrs: { LED_B: 2 } });
    assert.deepEqual(
      [stored(before.payload.id).date, stored(before.payload.id).time],
      ['2030-03-10', '03:00'],
    );
    assert.deepEqual([stored(after.payload.id).date, stored(after.payload.id).time], ['2030-03-11', '02:00']);
    assert.equal(stored(after.payload.id).group_id, SIM_GROUPS.demoLamps);
    const summer = await run({ time: '22:00', repeat: 'fri', start_date: '2030-06-07', attrs: { LED_B: 3 } });
    assert.deepEqual(
      [
        stored(summer.payload.id).time,
        stored(summer.payload.id).repeat,
        stored(summer.payload.id).start_date,
      ],
      ['02:00', 'sat', '2030-06-08'],
    );
    assert.match(summer.warnings![0], /America\/New_York changes from UTC-04:00 to UTC-05:00 on 2030-11-03/);

    const lamp = () => ctx.sim.model.devices.get(SIM_DEVICES.demoLamp1)!.socketSnapshot().LED_B;
    ctx.sim.model.clock.set('2030-03-10T02:59:00Z');
    ctx.sim.model.clock.advance(2 * 60_000);
    assert.equal(lamp(), 1);
    ctx.sim.model.clock.set('2030-03-11T01:59:00Z');
    ctx.sim.model.clock.advance(2 * 60_000);
    assert.equal(lamp(), 2);
  });

  it('updates a task from the fields given, keeping the rest, and deletes it', async () => {
    const { run } = await load({});
    const { id } = (await run({ remark: 'r', time: '07:30', repeat: 'mon,wed', attrs: { switch: true } }))
      .payload;
    await helper.unload();
    const updating = await load({ action: 'update' });
    const disabled = await updating.run({ id, enabled: false });
    assert.deepEqual([stored(id).enabled, stored(id).time, stored(id).repeat], [false, '23:30', 'tue,sun']);
    assert.equal(disabled.payload.time, '07:30');
    await updating.run({ id, time: '09:00' });
    assert.deepEqual([stored(id).time, stored(id).repeat, stored(id).remark], ['01:00', 'mon,wed', 'r']);
    await helper.unload();
    const deleting = await load({ action: 'delete' });
    assert.deepEqual((await deleting.run(id)).payload, { id });
    assert.equal(ctx.sim.model.schedulers.has(id), false);
  });

  it('schedules a scene without a command', async () => {
    const { run } = await load({ target: 'scene', targetId: SIM_SCENES.demoEvening });
    const { payload } = await run({ time: '18:00', repeat: 'day', days: [5, 20], remark: '晚上' });
    assert.deepEqual(
      [stored(payload.id).scene_id, stored(payload.id).days, stored(payload.id).time],
      [SIM_SCENES.demoEvening, [5, 20], '10:00'],
    );
  });

  it('syncs a declared set matched by remark: create, unchanged, update, prune', async () => {
    const declared = [
      { remark: 'on', time: '07:00', repeat: 'mon,tue,wed,thu,fri', attrs: { switch: true } },
      { remark: 'off', time: '23:00', repeat: 'day', days: [2, 16], attrs: { switch: false } },
    ];
    const { run } = await load({ action: 'sync', schedules: JSON.stringify(declared) });
    const first = await run(Date.now());
    assert.deepEqual(
      first.payload.create.map((t) => t.remark),
      ['on', 'off'],
    );
    const writes = commonWrites(ctx.sim.calls);
    const second = await run(Date.now());
    assert.deepEqual(
      second.payload.unchanged.map((t) => [t.remark, t.time]),
      [
        ['on', '07:00'],
        ['off', '23:00'],
      ],
    );
    assert.equal(commonWrites(ctx.sim.calls), writes, 'the second sync changed nothing');
    const third = await run([{ ...declared[0], time: '06:45' }]);
    assert.deepEqual(third.changes, { on: ['time'] });
    assert.deepEqual(third.payload.delete, [], 'without prune "off" stays');
    await helper.unload();
    const pruning = await load({ action: 'sync', prune: true, schedules: JSON.stringify([declared[0]]) });
    const pruned = await pruning.run(Date.now());
    assert.deepEqual(
      [pruned.payload.update.map((t) => t.remark), pruned.payload.delete.map((t) => t.remark)],
      [['on'], ['off']],
    );
    assert.equal(ctx.sim.model.schedulers.size, 1);
  });

  for (const [name, node, payload, pattern] of [
    [
      'a monthly task whose days would cross a month boundary',
      {},
      { time: '07:00', repeat: 'day', days: [1], attrs: { switch: true } },
      /monthly task on day 1 at 07:00 in Asia\/Shanghai \(UTC\+08:00\) runs on the day before in UTC.*Use days 2-28/,
    ],
    [
      'a time the clocks skip',
      { timezone: 'America/New_York' },
      { time: '02:30', date: '2030-03-10', attrs: { switch: true } },
      /2030-03-10 02:30 does not exist in America\/New_York/,
    ],
    [
      'an unknown time zone',
      { timezone: 'Asia/Beijing' },
      { time: '07:00', date: '2030-01-01', attrs: { switch: true } },
      /Unknown time zone "Asia\/Beijing"/,
    ],
    [
      'a command for a scene',
      { target: 'scene', targetId: SIM_SCENES.demoEvening },
      { time: '07:00', date: '2030-01-01', attrs: { switch: true } },
      /a scene task takes no attrs or raw/,
    ],
    [
      'a device task without a command',
      {},
      { time: '07:00', date: '2030-01-01' },
      /a device task needs attrs/,
    ],
    [
      'no target',
      { targetId: '' },
      { time: '07:00', date: '2030-01-01', attrs: { switch: true } },
      /no device chosen/,
    ],
    [
      'update without an id',
      { action: 'update' },
      { enabled: false },
      /update needs msg.payload with the task id/,
    ],
    ['delete without an id', { action: 'delete' }, 42, /delete needs the task id/],
    [
      'sync with a repeated remark',
      { action: 'sync' },
      [
        { remark: 'x', time: '07:00', repeat: 'mon', attrs: { switch: true } },
        { remark: 'x', time: '08:00', repeat: 'mon', attrs: { switch: true } },
      ],
      /task #2 "x": another task has the same remark/,
    ],
    [
      'sync with a bad task',
      { action: 'sync' },
      [{ remark: 'x', time: '25:00', repeat: 'mon' }],
      /task #1 "x": time must be HH:MM/,
    ],
  ] as const) {
    it(`refuses ${name} with a clear error, calling nothing`, async () => {
      const { fail } = await load(node);
      assert.match(await withoutCalls(ctx.sim, () => fail(payload)), pattern);
    });
  }

  it("refuses values the device's data points do not allow, creating nothing", async () => {
    const { fail } = await load({});
    const writes = commonWrites(ctx.sim.calls);
    assert.match(
      await fail({ time: '07:00', date: '2030-01-01', attrs: { countdown: 5000 } }),
      /"countdown" must be between 0 and 1440/,
    );
    assert.equal(commonWrites(ctx.sim.calls), writes);
  });
});
