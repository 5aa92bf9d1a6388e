import assert from 'node:assert/strict';
import {
  dstStance,
  fromUtcSchedule,
  nextOffsetChange,
  offsetForRepeat,
  toUtcSchedule,
  updateMoment,
  type LocalRepeat,
  type LocalSchedule,
} from '../../src/client';

// Every conversion is made from a day in January 2026, before all the changes below.
const now = Date.parse('2026-01-15T12:00:00Z');
const hour = 3_600_000;
const minute = 60_000;

/** The changes of 2026, written out from the zones' rules (not computed by the code under test). */
const ZONES = [
  {
    zone: 'Europe/Berlin',
    changes: [
      { day: '2026-03-29', at: '2026-03-29T01:00:00Z', before: 60, after: 120 },
      { day: '2026-10-25', at: '2026-10-25T01:00:00Z', before: 120, after: 60 },
    ],
  },
  {
    zone: 'America/New_York',
    changes: [
      { day: '2026-03-08', at: '2026-03-08T07:00:00Z', before: -300, after: -240 },
      { day: '2026-11-01', at: '2026-11-01T06:00:00Z', before: -240, after: -300 },
    ],
  },
  {
    zone: 'Australia/Sydney',
    changes: [
      { day: '2026-04-05', at: '2026-04-04T16:00:00Z', before: 660, after: 600 },
      { day: '2026-10-04', at: '2026-10-03T16:00:00Z', before: 600, after: 660 },
    ],
  },
] as const;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** 10:00 local with an offset, as UTC time and the days it moves the date by. */
function tenOClock(offset: number): { time: string; shift: number } {
  const minutes = 600 - offset;
  const wrapped = ((minutes % 1440) + 1440) % 1440;
  return {
    time: `${String(Math.floor(wrapped / 60)).padStart(2, '0')}:${String(wrapped % 60).padStart(2, '0')}`,
    shift: Math.floor(minutes / 1440),
  };
}

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
function weekday(date: string): string {
  return WEEK[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
}

describe('schedules across daylight saving: the offset of the first run', () => {
  for (const { zone, changes } of ZONES) {
    for (const change of changes) {
      // Changes fall on Sundays: the Thursday before is 3 days earlier.
      const thursday = addDays(change.day, -3);
      const cases: Array<[string, LocalSchedule, number, string]> = [
        [
          'a one-time task before',
          { time: '10:00', date: addDays(change.day, -2) },
          change.before,
          addDays(change.day, -2),
        ],
        [
          'a one-time task after',
          { time: '10:00', date: addDays(change.day, 2) },
          change.after,
          addDays(change.day, 2),
        ],
        [
          'a weekly task whose first run is before',
          { time: '10:00', repeat: 'fri', start_date: thursday },
          change.before,
          addDays(change.day, -2),
        ],
        [
          'a weekly task starting before whose first run is after',
          { time: '10:00', repeat: 'sun', start_date: thursday },
          change.after,
          change.day,
        ],
        [
          'a date range before',
          {
            time: '10:00',
            repeat: WEEK,
            start_date: addDays(change.day, -6),
            end_date: addDays(change.day, -1),
          },
          change.before,
          addDays(change.day, -6),
        ],
        [
          'a date range after',
          {
            time: '10:00',
            repeat: WEEK,
            start_date: addDays(change.day, 1),
            end_date: addDays(change.day, 6),
          },
          change.after,
          addDays(change.day, 1),
        ],
        [
          'a date range across (by its first day)',
          {
            time: '10:00',
            repeat: WEEK,
            start_date: addDays(change.day, -2),
            end_date: addDays(change.day, 6),
          },
          change.before,
          addDays(change.day, -2),
        ],
      ];
      for (const [name, local, offset, firstRun] of cases) {
        it(`${zone}, ${name} the change of ${change.day}: written with UTC${offset >= 0 ? '+' : ''}${offset / 60}`, () => {
          const options = { timeZone: zone, now };
          const { schedule } = toUtcSchedule(local, options);
          const expected = tenOClock(offset);
          assert.equal(schedule.time, expected.time);
          if (local.date) assert.equal(schedule.date, addDays(local.date, expected.shift));
          if (local.start_date) assert.equal(schedule.start_date, addDays(local.start_date, expected.shift));
          if (local.repeat === 'sun' || local.repeat === 'fri')
            assert.equal(schedule.repeat, weekday(addDays(firstRun, expected.shift)));
          // Listing it gives back what was written.
          const view = fromUtcSchedule(schedule, options);
          assert.equal(view.time, '10:00');
          if (local.date) assert.equal(view.date, local.date);
          if (local.start_date) assert.equal(view.start_date, local.start_date);
          if (typeof local.repeat === 'string') assert.equal(view.repeat, local.repeat);
        });
      }
    }
  }

  it('Asia/Shanghai, without daylight saving: 10:00 is 02:00 UTC all year', () => {
    for (const date of ['2026-01-20', '2026-03-29', '2026-07-01', '2026-10-25']) {
      const options = { timeZone: 'Asia/Shanghai', now };
      assert.equal(toUtcSchedule({ time: '10:00', date }, options).schedule.time, '02:00');
      const weekly = toUtcSchedule({ time: '10:00', repeat: 'sun', start_date: date }, options);
      assert.equal(weekly.schedule.time, '02:00');
      assert.deepEqual(weekly.warnings, []);
    }
    assert.equal(nextOffsetChange(now, 'Asia/Shanghai'), undefined);
  });

  it('the issue: Sundays 10:00 in Berlin from the Thursday before spring-forward is 08:00 UTC', () => {
    const local = { time: '10:00', repeat: 'sun', start_date: '2026-03-26' };
    const followed = toUtcSchedule(local, { timeZone: 'Europe/Berlin', now, followDst: true });
    assert.deepEqual(followed.schedule, { time: '08:00', repeat: 'sun', start_date: '2026-03-26' });
    assert.deepEqual(followed.warnings, [], 'a followed task is kept right: nothing to warn about');
    const fixed = toUtcSchedule(local, { timeZone: 'Europe/Berlin', now });
    assert.deepEqual(fixed.warnings, [
      'Europe/Berlin changes from UTC+02:00 to UTC+01:00 on 2026-10-25 at 03:00; the cloud keeps 08:00 UTC, ' +
        'so from then on this task runs at 09:00 local time instead of 10:00. ' +
        'A sync node with followDst on moves it at the change; otherwise sync it again after the change',
    ]);
  });

  it('finds the changes of a zone to the minute', () => {
    for (const { zone, changes } of ZONES) {
      let from = now;
      for (const change of changes) {
        const found = nextOffsetChange(from, zone)!;
        assert.deepEqual(found, { at: Date.parse(change.at), before: change.before, after: change.after });
        from = found.at;
      }
    }
  });

  it('says what happens to a followed task on the days its local time is skipped or repeated', () => {
    const { schedule, warnings } = toUtcSchedule(
      { time: '02:30', repeat: 'sun' },
      { timeZone: 'Europe/Berlin', now, followDst: true },
    );
    assert.equal(schedule.time, '01:30');
    assert.deepEqual(warnings, [
      'on 2026-03-29 02:30 does not exist in Europe/Berlin (the clocks jump from 02:00 to 03:00): ' +
        'that day the task runs at 03:30, then at 02:30 again from the next run',
      'on 2026-10-25 02:30 happens twice in Europe/Berlin (the clocks go back from 03:00 to 02:00): ' +
        'the task runs once, at the first 02:30 (UTC+02:00, 00:30 UTC)',
    ]);
  });

  it('refuses a followed monthly task whose days only one of the offsets can keep', () => {
    // 01:30 on day 1 is 00:30 UTC in winter (same day), 23:30 UTC the day before in summer.
    const local = { time: '01:30', repeat: 'day', days: [1] };
    assert.deepEqual(toUtcSchedule(local, { timeZone: 'Europe/Berlin', now }).schedule.days, [1]);
    assert.throws(
      () => toUtcSchedule(local, { timeZone: 'Europe/Berlin', now, followDst: true }),
      /monthly task on day 1 at 01:30 in Europe\/Berlin \(UTC\+02:00\) runs on the day before in UTC/,
    );
  });
});

describe('schedules across daylight saving: when a followed task moves', () => {
  const berlin = 'Europe/Berlin';
  const spring = { at: Date.parse('2026-03-29T01:00:00Z'), before: 60, after: 120 };
  const autumn = { at: Date.parse('2026-10-25T01:00:00Z'), before: 120, after: 60 };
  const sundays = (time: string): LocalRepeat => ({
    time,
    runsOn: (date) => new Date(`${date}T00:00:00Z`).getUTCDay() === 0,
  });

  it('moves an ordinary task at the change itself', () => {
    assert.equal(updateMoment(sundays('10:00'), spring, berlin), spring.at);
    assert.equal(updateMoment(sundays('10:00'), autumn, berlin), autumn.at);
  });

  it('lets a skipped 02:30 run at 03:30 by the old time before moving it', () => {
    assert.equal(updateMoment(sundays('02:30'), spring, berlin), spring.at + 30 * minute + 2 * minute);
  });

  it('lets a repeated 02:30 run once, at the first, moving it after the second has passed', () => {
    // The first 02:30 is 00:30 UTC; the second, which the new time would fire at, 01:30 UTC.
    assert.equal(updateMoment(sundays('02:30'), autumn, berlin), autumn.at + 32 * minute);
    const between = dstStance(sundays('02:30'), berlin, autumn.at + 10 * minute);
    assert.deepEqual(
      [between.desired, between.accepted, between.nextUpdateAt],
      [120, [120], autumn.at + 32 * minute],
    );
  });

  it('moves a task that first runs right at the change a little before it', () => {
    // 03:00 on the spring-forward day is 01:00 UTC, the change itself.
    assert.equal(updateMoment(sundays('03:00'), spring, berlin), spring.at - 2 * minute);
  });

  it('writes a new task with the old offset only while it still owes a run', () => {
    assert.equal(offsetForRepeat(sundays('10:00'), berlin, Date.parse('2026-03-22T08:00:00Z')), 60);
    assert.equal(offsetForRepeat(sundays('10:00'), berlin, Date.parse('2026-03-22T09:05:00Z')), 120);
    const after = dstStance(sundays('10:00'), berlin, Date.parse('2026-03-22T09:05:00Z'));
    assert.deepEqual([after.desired, after.accepted, after.nextUpdateAt], [60, [60, 120], spring.at]);
    const summer = dstStance(sundays('10:00'), berlin, Date.parse('2026-06-01T00:00:00Z'));
    assert.deepEqual([summer.desired, summer.nextUpdateAt], [120, autumn.at]);
    assert.equal(summer.nextUpdateAt! - spring.at > 200 * 24 * hour, true);
  });
});
