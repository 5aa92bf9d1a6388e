import assert from 'node:assert/strict';
import {
  DstFollower,
  GizwitsError,
  toUtcSchedule,
  type DstFollowReport,
  type FollowClock,
  type Schedule,
} from '../../src/client';

const BERLIN = 'Europe/Berlin';
const SPRING = Date.parse('2026-03-29T01:00:00Z');
const AUTUMN = Date.parse('2026-10-25T01:00:00Z');
const HEATING = { remark: 'heating', time: '06:30', repeat: 'mon,tue,wed,thu,fri', attrs: { switch: true } };

/** A clock that moves only when told, firing the timers it passes in order. */
class FakeClock implements FollowClock {
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private ids = 0;
  readonly delays: number[] = [];
  unrefs = 0;
  constructor(public time: number) {}
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.ids;
    this.delays.push(ms);
    this.timers.push({ at: this.time + ms, callback, id });
    return { id, unref: () => this.unrefs++ };
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((timer) => timer.id !== (handle as { id: number }).id);
  };
  get pending(): number {
    return this.timers.length;
  }
  /** Moves to `to`, firing each timer due on the way at its own time and letting its work finish. */
  async moveTo(to: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
      await settle();
    }
    this.time = to;
  }
}

/** Lets the follower's calls (all answered at once) finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The target's tasks in the cloud, and the calls made to it. */
function fakeCloud(tasks: Schedule[]) {
  const cloud = {
    tasks,
    lists: 0,
    updates: [] as Schedule[],
    failUpdates: 0,
    failLists: 0,
    async listAll() {
      cloud.lists++;
      if (cloud.failLists > 0) {
        cloud.failLists--;
        throw new GizwitsError({ code: 'NETWORK', message: 'cloud unreachable' });
      }
      return cloud.tasks.map((task) => ({ ...task }));
    },
    async call(operation: string, body: Schedule) {
      assert.equal(operation, 'commonSchedulers.update');
      cloud.updates.push(body);
      if (cloud.failUpdates > 0) {
        cloud.failUpdates--;
        throw new GizwitsError({ code: 503, message: 'server busy' });
      }
      const index = cloud.tasks.findIndex((task) => task.id === body.id);
      cloud.tasks[index] = { ...body };
      return { id: body.id };
    },
  };
  return cloud;
}

/** A cloud task as a sync at `at` wrote the declared task. */
function written(local: Record<string, unknown>, at: number, id: string): Schedule {
  const { schedule } = toUtcSchedule(local, { timeZone: BERLIN, now: at });
  return { ...schedule, id, did: 'd1', created_at: '2026-01-01T00:00:00' };
}

function follower(clock: FakeClock, cloud: ReturnType<typeof fakeCloud>, tasks: unknown[] = [HEATING]) {
  const reports: DstFollowReport[] = [];
  const follow = new DstFollower({
    client: cloud as never,
    target: { key: 'did', id: 'd1' },
    timeZone: BERLIN,
    tasks,
    clock,
    retry: { retries: 3, baseMs: 1_000, capMs: 4_000 },
    onReport: (report) => reports.push(report),
  });
  return { follow, reports };
}

describe('DST follower', () => {
  it('moves a weekday task at each change, once per task and change, keeping 06:30 local', async () => {
    const start = Date.parse('2026-03-20T12:00:00Z');
    const clock = new FakeClock(start);
    const cloud = fakeCloud([written(HEATING, start, 't1')]);
    assert.equal(cloud.tasks[0].time, '05:30');
    const { follow, reports } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    assert.equal(reports.length, 0, 'right at start: nothing to say');
    assert.equal(cloud.updates.length, 0);

    await clock.moveTo(SPRING - 1);
    assert.equal(cloud.updates.length, 0, 'nothing before the change');
    await clock.moveTo(SPRING + 60_000);
    assert.equal(cloud.tasks[0].time, '04:30');
    assert.deepEqual(cloud.tasks[0].attrs, { switch: true }, 'the command is kept');
    assert.deepEqual(
      reports.map((r) => [r.reason, r.change?.at, r.updated.map((u) => [u.remark, u.from, u.to, u.offset])]),
      [['change', SPRING, [['heating', '05:30', '04:30', 120]]]],
    );

    // Someone puts the old time back: the follower does not fight over the same change.
    cloud.tasks[0] = { ...cloud.tasks[0], time: '05:30' };
    await follow.pass('start');
    assert.equal(cloud.updates.length, 1, 'one update per task and change');

    cloud.tasks[0] = { ...cloud.tasks[0], time: '04:30' };
    await clock.moveTo(AUTUMN + 60_000);
    assert.equal(cloud.tasks[0].time, '05:30');
    assert.equal(cloud.updates.length, 2);
    assert.equal(reports[1].change?.at, AUTUMN);
    follow.stop();
    assert.equal(clock.pending, 0, 'stopped: no timer left');
  });

  it('corrects the tasks at start when Node-RED was down at the change', async () => {
    const winter = Date.parse('2026-03-01T12:00:00Z');
    const clock = new FakeClock(Date.parse('2026-04-02T07:00:00Z'));
    const cloud = fakeCloud([written(HEATING, winter, 't1')]);
    const { follow, reports } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    assert.equal(cloud.tasks[0].time, '04:30');
    assert.deepEqual(
      reports.map((r) => [r.reason, r.change?.at, r.updated.length]),
      [['start', SPRING, 1]],
    );
    follow.stop();
  });

  it('retries a failed update with a growing pause, saying the task is off by an hour meanwhile', async () => {
    const clock = new FakeClock(Date.parse('2026-03-20T12:00:00Z'));
    const cloud = fakeCloud([written(HEATING, clock.time, 't1')]);
    const { follow, reports } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    cloud.failUpdates = 2;
    await clock.moveTo(SPRING);
    assert.deepEqual(
      reports.map((r) => r.failed.map((f) => [f.remark, f.attempts, f.retryAt, f.offByMinutes])),
      [[['heating', 1, SPRING + 1_000, 60]]],
    );
    await clock.moveTo(SPRING + 1_000);
    assert.deepEqual(
      reports[1].failed.map((f) => [f.attempts, f.retryAt]),
      [[2, SPRING + 3_000]],
    );
    assert.equal(reports[1].reason, 'retry');
    await clock.moveTo(SPRING + 3_000);
    assert.deepEqual(
      reports[2].updated.map((u) => u.to),
      ['04:30'],
    );
    assert.equal(cloud.updates.length, 3);
    follow.stop();
  });

  it('gives up after its retries, until the next change or start', async () => {
    const clock = new FakeClock(Date.parse('2026-03-20T12:00:00Z'));
    const cloud = fakeCloud([written(HEATING, clock.time, 't1')]);
    const { follow, reports } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    cloud.failUpdates = 100;
    await clock.moveTo(SPRING + 60 * 60_000);
    assert.equal(cloud.updates.length, 4, 'the first attempt and 3 retries');
    assert.equal(reports.at(-1)!.failed[0].retryAt, undefined, 'given up');
    assert.equal(reports.at(-1)!.failed[0].attempts, 4);
    follow.stop();
  });

  it('retries listing the tasks when the cloud cannot be reached', async () => {
    const clock = new FakeClock(Date.parse('2026-04-02T07:00:00Z'));
    const cloud = fakeCloud([written(HEATING, Date.parse('2026-03-01T12:00:00Z'), 't1')]);
    cloud.failLists = 1;
    const { follow, reports } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    assert.equal(reports[0].retryAt, clock.time + 1_000);
    assert.ok(reports[0].listError instanceof GizwitsError);
    await clock.moveTo(clock.time + 1_000);
    assert.equal(cloud.tasks[0].time, '04:30');
    follow.stop();
  });

  it('leaves alone tasks that are not a declared task at another offset', async () => {
    const start = Date.parse('2026-03-20T12:00:00Z');
    const clock = new FakeClock(start);
    const edited = { ...written(HEATING, start, 't1'), time: '07:00' };
    const other = { ...written({ ...HEATING, remark: 'other' }, start, 't2') };
    const once = written({ remark: 'once', time: '06:30', date: '2026-04-01', attrs: {} }, start, 't3');
    const cloud = fakeCloud([edited, other, once]);
    const declared = [HEATING, { remark: 'once', time: '06:30', date: '2026-04-01' }];
    const { follow } = follower(clock, cloud, declared);
    follow.start();
    await clock.moveTo(clock.time);
    await clock.moveTo(SPRING + 60_000);
    assert.deepEqual(cloud.updates, []);
    follow.stop();
  });

  it('waits longer than setTimeout can with several timers, each unref-ed, and nothing in a zone without changes', async () => {
    const clock = new FakeClock(Date.parse('2026-04-01T12:00:00Z'));
    const cloud = fakeCloud([written(HEATING, clock.time, 't1')]);
    const { follow } = follower(clock, cloud);
    follow.start();
    await clock.moveTo(clock.time);
    const max = 2 ** 31 - 1;
    assert.deepEqual(clock.delays, [0, max], 'at once, then autumn, more than 24.8 days away');
    await clock.moveTo(clock.time + max);
    assert.equal(clock.delays.length, 3);
    assert.equal(clock.delays[2], Math.min(max, AUTUMN - clock.time));
    assert.equal(cloud.lists, 1, 'waking early lists nothing');
    assert.equal(clock.unrefs, 3);
    follow.stop();

    const shanghai = new DstFollower({
      client: cloud as never,
      target: { key: 'did', id: 'd1' },
      timeZone: 'Asia/Shanghai',
      tasks: [HEATING],
      clock,
      onReport: () => assert.fail('no report'),
    });
    shanghai.start();
    await clock.moveTo(clock.time);
    assert.equal(cloud.lists, 1);
    assert.equal(clock.pending, 0);
  });
});
