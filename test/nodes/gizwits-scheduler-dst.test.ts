// A sync node in Berlin keeps its weekly task at 10:00 local across both changes of 2030 (spring-forward
// on 31 March, fall-back on 27 October), proved by the simulator's task log while its clock jumps.
import assert from 'node:assert/strict';
import type { FollowClock } from '../../src/client';
import { migrateConfig } from '../../src/nodes/common/migrate';
import { translator } from '../../src/nodes/common/red';
import { dstReporter } from '../../src/nodes/gizwits-scheduler/dst-report';
import { helper, nextMessage, useNodeRed } from '../helpers/node-red';
import { loadScheduler, resetTasks } from '../helpers/scheduler';
import { useSimulator } from '../helpers/simulator';

const SPRING = '2030-03-31T01:00:00.000Z';
const AUTUMN = '2030-10-27T01:00:00.000Z';
const SUNDAYS = { remark: 'sonntag', time: '10:00', repeat: 'sun', attrs: { countdown: 600 } };

type Out = {
  topic?: string;
  payload: {
    event?: string;
    reason?: string;
    change?: { at: string; from: string; to: string };
    updated?: Array<{ remark: string; id: string; utcTime: { from: string; to: string }; offset: string }>;
    create?: Array<{ id: string }>;
  };
  warnings?: string[];
};

describe('gizwits-scheduler across daylight saving', () => {
  const ctx = useSimulator();
  useNodeRed();

  /** The follower's timers, run by the simulator's clock: each fires when a jump passes its time. */
  let timers: Map<number, { at: number; callback: () => void }>;
  let onJump: (from: number, to: number) => void;
  before(() => {
    timers = new Map();
    let ids = 0;
    const simClock = () => ctx.sim.model.clock;
    const clock: FollowClock = {
      now: () => simClock().now(),
      setTimeout: (callback, ms) => {
        const id = ++ids;
        timers.set(id, { at: simClock().now() + ms, callback });
        return id;
      },
      clearTimeout: (id) => timers.delete(id as number),
    };
    onJump = (_from, to) => {
      const due = [...timers].filter(([, timer]) => timer.at <= to).sort((a, b) => a[1].at - b[1].at);
      for (const [id, timer] of due) {
        timers.delete(id);
        timer.callback();
      }
    };
    ctx.sim.model.clock.on('jump', onJump);
    helper.settings({ gizwits: { clock } });
  });
  after(() => {
    ctx.sim.model.clock.off('jump', onJump);
    helper.settings({});
  });
  afterEach(() => {
    timers.clear();
    resetTasks(ctx.sim);
  });

  async function load(config: Record<string, unknown>) {
    const flow = await loadScheduler(ctx.sim, {
      action: 'sync',
      timezone: 'Europe/Berlin',
      schedules: JSON.stringify([SUNDAYS]),
      configVersion: 2,
      followDst: true,
      ...config,
    });
    const statuses: Array<{ fill?: string; text?: string }> = [];
    flow.node.on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) =>
      statuses.push(call.args[0]),
    );
    return {
      statuses,
      next: () => nextMessage<Out>(flow.outNode),
      sync: () => flow.run<Out>({ payload: null }),
    };
  }

  const clock = () => ctx.sim.model.clock;
  const stored = () => [...ctx.sim.model.schedulers.values()][0].fields;
  const firings = () =>
    ctx.sim.model.firings
      .filter((firing) => firing.kind === 'schedule')
      .map((firing) => new Date(firing.at).toISOString());
  const puts = () =>
    ctx.sim.calls.filter((c) => c.method === 'PUT' && c.path.startsWith('/app/common_scheduler')).length;

  /** Moves the clock to just after `iso` and returns the firings of that jump. */
  function jumpTo(iso: string): string[] {
    const before = firings().length;
    clock().set(Date.parse(iso) + 60_000);
    return firings().slice(before);
  }

  it('fires a Sunday 10:00 task at 10:00 local before and after both changes, moving it once per change', async () => {
    clock().set('2030-03-20T12:00:00Z');
    const { sync, next, statuses } = await load({});
    await sync();
    const putsBefore = puts();
    assert.equal(stored().time, '09:00', 'winter: UTC+01:00');
    assert.deepEqual(jumpTo('2030-03-24T09:00:00Z'), ['2030-03-24T09:00:00.000Z']);

    const moved = next();
    clock().set(Date.parse(SPRING) + 30_000);
    const spring = await moved;
    assert.equal(spring.topic, 'dst');
    assert.deepEqual(
      [spring.payload.reason, spring.payload.change, spring.payload.updated],
      [
        'change',
        { at: SPRING, from: 'UTC+01:00', to: 'UTC+02:00' },
        [
          {
            remark: 'sonntag',
            id: spring.payload.updated![0].id,
            utcTime: { from: '09:00', to: '08:00' },
            offset: 'UTC+02:00',
          },
        ],
      ],
    );
    assert.match(statuses.at(-1)!.text!, /^1 tasks moved to UTC\+02:00 · \d\d:\d\d:\d\d$/);
    assert.equal(stored().time, '08:00');
    assert.deepEqual(jumpTo('2030-03-31T08:00:00Z'), ['2030-03-31T08:00:00.000Z'], '10:00 CEST');
    assert.deepEqual(jumpTo('2030-04-07T08:00:00Z'), ['2030-04-07T08:00:00.000Z']);

    const back = next();
    clock().set(Date.parse(AUTUMN) + 30_000);
    const autumn = await back;
    assert.deepEqual(autumn.payload.change, { at: AUTUMN, from: 'UTC+02:00', to: 'UTC+01:00' });
    assert.equal(stored().time, '09:00');
    assert.deepEqual(jumpTo('2030-10-27T09:00:00Z'), ['2030-10-27T09:00:00.000Z'], '10:00 CET');
    assert.equal(puts() - putsBefore, 2, 'one update per change');
  });

  it("stores the issue's task (Sundays 10:00 from the Thursday before spring-forward) as 08:00 UTC", async () => {
    clock().set('2030-03-20T12:00:00Z');
    const { sync } = await load({ schedules: JSON.stringify([{ ...SUNDAYS, start_date: '2030-03-28' }]) });
    const out = await sync();
    assert.equal(out.warnings, undefined);
    assert.equal(stored().time, '08:00');
    assert.deepEqual(jumpTo('2030-03-31T08:00:00Z'), ['2030-03-31T08:00:00.000Z']);
  });

  it('corrects the task at start when Node-RED was down at the change (a flow saved before followDst)', async () => {
    clock().set('2030-03-20T12:00:00Z');
    await (await load({})).sync();
    await helper.unload();
    clock().set('2030-04-02T07:00:00Z');
    // A flow saved before followDst existed: version 1, no followDst.
    await load({ configVersion: 1, followDst: undefined });
    const started = nextMessage<Out>(helper.getNode('out'));
    clock().advance(0);
    const corrected = await started;
    assert.deepEqual([corrected.payload.reason, corrected.payload.change?.at], ['start', SPRING]);
    assert.equal(stored().time, '08:00');
    assert.deepEqual(jumpTo('2030-04-07T08:00:00Z'), ['2030-04-07T08:00:00.000Z']);
  });

  it('with followDst off keeps the UTC time and says the task runs at 11:00 local from 31 March', async () => {
    clock().set('2030-03-20T12:00:00Z');
    const { sync } = await load({ followDst: false });
    const putsBefore = puts();
    const out = await sync();
    assert.deepEqual(out.warnings, [
      'task #1 "sonntag": Europe/Berlin changes from UTC+01:00 to UTC+02:00 on 2030-03-31 at 02:00; the cloud keeps ' +
        '09:00 UTC, so from then on this task runs at 11:00 local time instead of 10:00. A sync node with followDst ' +
        'on moves it at the change; otherwise sync it again after the change',
    ]);
    assert.equal(timers.size, 0, 'no follower');
    assert.deepEqual(
      jumpTo('2030-03-31T09:00:00Z'),
      ['2030-03-24T09:00:00.000Z', '2030-03-31T09:00:00.000Z'],
      '10:00 CET, then 11:00 CEST as warned',
    );
    assert.equal(puts(), putsBefore, 'nothing moved it');
  });

  it('migrates a scheduler saved before followDst to follow, and keeps an explicit off', () => {
    assert.deepEqual(migrateConfig('gizwits-scheduler', { configVersion: 1, action: 'sync' }), {
      configVersion: 2,
      action: 'sync',
      followDst: true,
    });
    assert.equal(migrateConfig('gizwits-scheduler', { followDst: false }).followDst, false);
    assert.equal(migrateConfig('gizwits-api', { configVersion: 1 }).configVersion, 1);
  });

  it('shows a task whose update failed as off by 1 h until updated, and says so in a message', () => {
    const statuses: Array<{ fill?: string; text?: string }> = [];
    const sent: Out[] = [];
    const node = { status: (s: object) => statuses.push(s), send: (m: Out) => sent.push(m), warn: () => {} };
    // A runtime with no catalogue loaded: the texts come from the node's en-US locale.
    const say = translator({ _: (key: string) => key } as never, 'gizwits-scheduler');
    const report = dstReporter(node as never, say, (e) => e as Error);
    report({
      reason: 'change',
      timeZone: 'Europe/Berlin',
      change: { at: Date.parse(SPRING), before: 60, after: 120 },
      updated: [],
      failed: [
        {
          remark: 'sonntag',
          id: 't1',
          error: new Error('busy'),
          attempts: 1,
          retryAt: Date.parse(SPRING) + 60_000,
          offByMinutes: 60,
        },
      ],
    });
    assert.deepEqual(statuses, [
      { fill: 'yellow', shape: 'ring', text: '"sonntag" off by 1 h until updated' },
    ]);
    assert.deepEqual((sent[0].payload as { failed: unknown }).failed, [
      {
        remark: 'sonntag',
        id: 't1',
        error: 'busy',
        attempts: 1,
        offBy: '1 h',
        retryAt: '2030-03-31T01:01:00.000Z',
      },
    ]);
  });
});
