import assert from 'node:assert/strict';
import {
  checkTimeZone,
  fromUtcSchedule,
  offsetMinutesAt,
  planSchedules,
  resolveLocalTime,
  toUtcSchedule,
  type LocalSchedule,
} from '../../src/client';

// "Today" for every conversion: a winter day, so New York is on UTC-5 and summer dates are ahead.
const now = Date.parse('2026-01-15T12:00:00Z');
const shanghai = { timeZone: 'Asia/Shanghai', now };
const newYork = { timeZone: 'America/New_York', now };

function utc(local: LocalSchedule, options = shanghai) {
  return toUtcSchedule(local, options).schedule;
}

function refusal(local: unknown, options = shanghai): string {
  try {
    toUtcSchedule(local, options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('schedules: local time to UTC and back', () => {
  it('reads zone offsets with Intl, daylight saving included', () => {
    assert.equal(offsetMinutesAt(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Shanghai'), 480);
    assert.equal(offsetMinutesAt(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York'), -300);
    assert.equal(offsetMinutesAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York'), -240);
    assert.equal(offsetMinutesAt(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Kolkata'), 330);
  });

  it('converts a one-time task before 08:00 in Shanghai to the previous UTC day', () => {
    assert.deepEqual(utc({ time: '07:30', repeat: 'none', date: '2026-03-01' }), {
      time: '23:30',
      repeat: 'none',
      date: '2026-02-28',
    });
    assert.deepEqual(utc({ time: '09:15', date: '2026-03-01' }), {
      time: '01:15',
      repeat: 'none',
      date: '2026-03-01',
    });
  });

  it('moves Shanghai weekdays back a day when the UTC time is the evening before', () => {
    const task = utc({
      time: '07:30',
      repeat: 'mon,wed,sun',
      start_date: '2026-02-02',
      end_date: '2026-03-01',
    });
    assert.deepEqual(task, {
      time: '23:30',
      repeat: 'tue,sat,sun',
      start_date: '2026-02-01',
      end_date: '2026-02-28',
    });
    assert.equal(utc({ time: '12:00', repeat: ['mon', 'wed'] }).repeat, 'mon,wed', 'same day: no shift');
  });

  it('moves New York evening weekdays forward a day, with the offset of the season', () => {
    const winter = toUtcSchedule({ time: '22:00', repeat: 'fri,sun' }, newYork);
    assert.deepEqual(winter.schedule, { time: '03:00', repeat: 'mon,sat' });
    const summer = utc({ time: '22:00', repeat: 'fri,sun', start_date: '2026-06-01' }, newYork);
    assert.deepEqual(summer, { time: '02:00', repeat: 'mon,sat', start_date: '2026-06-02' });
  });

  it('honours the daylight saving change for one-time tasks on either side of it', () => {
    // 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00.
    assert.deepEqual(utc({ time: '01:30', date: '2026-03-08' }, newYork), {
      time: '06:30',
      repeat: 'none',
      date: '2026-03-08',
    });
    assert.deepEqual(utc({ time: '03:30', date: '2026-03-08' }, newYork), {
      time: '07:30',
      repeat: 'none',
      date: '2026-03-08',
    });
    assert.deepEqual(utc({ time: '21:00', date: '2026-03-07' }, newYork).time, '02:00');
    assert.deepEqual(utc({ time: '21:00', date: '2026-03-09' }, newYork).time, '01:00');
  });

  it('refuses a time the clocks skip, and takes the first of a time they pass twice', () => {
    assert.equal(resolveLocalTime('2026-03-08', '02:30', 'America/New_York').kind, 'gap');
    assert.match(
      refusal({ time: '02:30', date: '2026-03-08' }, newYork),
      /2026-03-08 02:30 does not exist in America\/New_York: the clocks jump forward/,
    );
    const twice = toUtcSchedule({ time: '01:30', date: '2026-11-01' }, newYork);
    assert.equal(twice.schedule.time, '05:30', 'the first 01:30 is still on UTC-4');
    assert.match(twice.warnings[0], /happens twice/);
    assert.deepEqual(toUtcSchedule({ time: '12:00', date: '2026-01-15' }, shanghai).warnings, [
      '2026-01-15 12:00 in Asia/Shanghai has passed: this one-time task will not run',
    ]);
  });

  it('warns when a repeating task meets an offset change, saying what the local time becomes', () => {
    const { warnings } = toUtcSchedule({ time: '07:00', repeat: 'mon' }, newYork);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /changes from UTC-05:00 to UTC-04:00 on 2026-03-08/);
    assert.match(warnings[0], /runs at 08:00 local time/);
    const bounded = toUtcSchedule({ time: '07:00', repeat: 'mon', end_date: '2026-02-28' }, newYork);
    assert.deepEqual(bounded.warnings, [], 'no change before the end date');
    assert.deepEqual(toUtcSchedule({ time: '07:00', repeat: 'mon' }, shanghai).warnings, []);
  });

  it('keeps monthly days that cannot cross a month boundary, moved with the time', () => {
    assert.deepEqual(utc({ time: '07:00', repeat: 'day', days: [2, 15, '28'] }).days, [1, 14, 27]);
    assert.deepEqual(utc({ time: '22:00', repeat: 'day', days: [1, 27] }, newYork).days, [2, 28]);
    assert.deepEqual(utc({ time: '12:00', repeat: 'day', days: [31, 1] }).days, [1, 31]);
  });

  it('refuses monthly days that would move across a month boundary, and says why and what works', () => {
    const first = refusal({ time: '07:00', repeat: 'day', days: [1, 15] });
    assert.match(
      first,
      /monthly task on day 1 at 07:00 in Asia\/Shanghai \(UTC\+08:00\) runs on the day before in UTC/,
    );
    assert.match(first, /Use days 2-28, or a time at or after 08:00/);
    const late = refusal({ time: '21:00', repeat: 'day', days: [10, 28, 31] }, newYork);
    assert.match(late, /on day 28, 31 at 21:00 .* runs on the day after in UTC/);
    assert.match(late, /Use days 1-27, or a time before 19:00/);
    assert.match(refusal({ time: '07:00', repeat: 'day', days: [29] }), /day 29/);
  });

  it('refuses malformed tasks with messages that name the field', () => {
    assert.match(refusal({ time: '7.30', repeat: 'mon' }), /time must be HH:MM/);
    assert.match(refusal({ time: '07:30', repeat: 'monday,tues' }), /repeat must be "none", "day"/);
    assert.match(refusal({ time: '07:30', repeat: 'none' }), /needs date as YYYY-MM-DD, in Asia\/Shanghai/);
    assert.match(
      refusal({ time: '07:30', repeat: 'day', days: [0] }),
      /days, a list of days of the month 1-31/,
    );
    assert.match(
      refusal({ time: '07:30', repeat: 'mon', start_date: '2026-02-30' }),
      /start_date must be a date/,
    );
    assert.match(
      refusal({ time: '07:30', repeat: 'mon', start_date: '2026-03-01', end_date: '2026-02-01' }),
      /end_date 2026-02-01 is before start_date 2026-03-01/,
    );
    assert.match(refusal({ time: '07:30', repeat: 'mon', when: 'x' }), /unknown field "when"/);
    assert.match(
      refusal({ time: '07:30', repeat: 'mon' }, { timeZone: 'Mars/Olympus', now }),
      /Unknown time zone "Mars\/Olympus"/,
    );
    assert.match(refusal('07:30'), /must be an object/);
  });

  it('accepts IANA names and says so for others', () => {
    assert.equal(checkTimeZone('Asia/Shanghai'), 'Asia/Shanghai');
    assert.equal(checkTimeZone('UTC'), 'UTC');
    assert.throws(() => checkTimeZone(''), /No time zone given/);
  });

  it('lists UTC tasks back in local time, exactly undoing the conversion', () => {
    const cases: Array<[LocalSchedule, typeof shanghai]> = [
      [{ time: '07:30', repeat: 'mon,wed', start_date: '2026-02-02', end_date: '2026-03-01' }, shanghai],
      [{ time: '07:30', repeat: 'none', date: '2026-03-01' }, shanghai],
      [{ time: '07:00', repeat: 'day', days: [2, 28] }, shanghai],
      [{ time: '22:00', repeat: 'fri,sun' }, newYork],
      [{ time: '22:00', repeat: 'day', days: [1, 27], start_date: '2026-06-01' }, newYork],
      [{ time: '21:00', date: '2026-07-04' }, newYork],
    ];
    for (const [local, options] of cases) {
      const view = fromUtcSchedule({ ...utc(local, options), id: 'x', remark: 'r', enabled: false }, options);
      for (const [key, value] of Object.entries(local))
        assert.deepEqual(view[key as keyof typeof view], value, `${JSON.stringify(local)}: ${key}`);
      assert.equal(view.id, 'x');
      assert.equal(view.enabled, false);
      assert.equal(view.timezone, options.timeZone);
      assert.equal(view.note, undefined);
    }
  });

  it('marks a listed monthly task whose UTC days have no exact local days', () => {
    const view = fromUtcSchedule({ time: '23:00', repeat: 'day', days: [1, 31] }, shanghai);
    assert.deepEqual(view.days, [2]);
    assert.match(view.note!, /crosses a month boundary/);
  });

  it('plans a sync by remark, ignoring key order and server defaults', () => {
    const declared = [
      { remark: 'a', time: '01:00', repeat: 'mon', attrs: { switch: true } },
      { remark: 'b', time: '02:00', repeat: 'none', date: '2026-05-01', attrs: { switch: false } },
      { remark: 'c', time: '03:00', repeat: 'day', days: [3], attrs: { switch: true } },
    ];
    const cloud = [
      {
        id: '1',
        attrs: { switch: true },
        repeat: 'mon',
        time: '01:00',
        remark: 'a',
        enabled: true,
        days: [],
        raw: '',
        date: '',
        start_date: '',
        end_date: '',
      },
      { id: '2', remark: 'b', time: '02:30', repeat: 'none', date: '2026-05-01', attrs: { switch: false } },
      { id: '3', remark: 'old', time: '04:00', repeat: 'tue', attrs: { switch: true } },
    ];
    const plan = planSchedules(declared, cloud, true);
    assert.deepEqual(
      plan.unchanged.map((t) => t.id),
      ['1'],
    );
    assert.deepEqual(
      plan.update.map((t) => [t.id, t.remark]),
      [['2', 'b']],
    );
    assert.deepEqual(plan.changes, { b: ['time'] });
    assert.deepEqual(
      plan.create.map((t) => t.remark),
      ['c'],
    );
    assert.deepEqual(
      plan.delete.map((t) => t.id),
      ['3'],
    );
    assert.deepEqual(planSchedules(declared, cloud, false).delete, []);
  });
});
