// Scheduled tasks converted between the user's time zone and the UTC the Open API stores
// (docs/open-api.md: scheduler times are UTC). Pure functions over Intl.DateTimeFormat: no dependency, no clock unless one is passed in.
//
// - A one-time task converts exactly: its local date and time is one instant (a time the clocks skip is
//   refused; a time they pass twice takes the first).
// - A weekly or monthly task keeps one UTC time, so it is converted with the offset in force at its first
//   run from now (or from its start date): weekdays and dates move with the time across midnight. When
//   the zone changes offset later, the DST follower (dst-follow.ts) moves it, or a warning says what the
//   local time becomes (dst-warnings.ts).
// - A monthly task whose days would move across a month boundary (day 1 becoming the last day of the
//   previous month in UTC, say) cannot be expressed with the API's fixed day numbers, and is refused.
import { offsetForRepeat, type LocalRepeat } from './dst-plan';
import { repeatWarnings } from './dst-warnings';
import {
  checkTime,
  datesOf,
  invalid,
  LOCAL_FIELDS,
  monthSafeDays,
  optionalDate,
  parseDays,
  parseRepeat,
  passThrough,
  shiftWeekdays,
  TIME,
  utcTimingOf,
  WEEKDAYS,
  type ConvertOptions,
  type LocalSchedule,
  type LocalScheduleView,
  type Repeat,
  type UtcConversion,
  type UtcTiming,
  type Weekday,
} from './schedule-fields';
import {
  addDays,
  checkTimeZone,
  DAY_MS,
  MINUTE_MS,
  dateMs,
  daysBetween,
  hhmm,
  isDate,
  localParts,
  minutesOf,
  nextOffsetChange,
  offsetText,
  resolveLocalTime,
  utcParts,
} from './time-zones';
import type { Schedule } from './types';

/** The UTC task for a task written in local time. Throws INVALID_PARAMS with the reason when it cannot be. */
export function toUtcSchedule(input: unknown, options: ConvertOptions): UtcConversion {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalid('schedule.notObject', {});
  const local = input as LocalSchedule;
  for (const key of Object.keys(local)) {
    if (!LOCAL_FIELDS.has(key)) throw invalid('schedule.unknownField', { field: key });
  }
  const timeZone = checkTimeZone(options.timeZone);
  const time = checkTime(local.time);
  const repeat = parseRepeat(local.repeat);
  const start = optionalDate(local.start_date, 'start_date');
  const end = optionalDate(local.end_date, 'end_date');
  if (start && end && end < start) throw invalid('schedule.endBeforeStart', { end, start });
  const warnings: string[] = [];
  const base = passThrough(local);
  const now = options.now ?? Date.now();

  if (repeat.kind === 'none') {
    if (!isDate(local.date)) throw invalid('schedule.onceNeedsDate', { timeZone });
    const resolved = resolveLocalTime(local.date, time, timeZone);
    if (resolved.kind === 'gap') {
      throw invalid('schedule.gap', { date: local.date, time, timeZone });
    }
    if (resolved.kind === 'ambiguous') {
      warnings.push(
        `${local.date} ${time} happens twice in ${timeZone} (the clocks go back that night); the first one is used`,
      );
    }
    if (resolved.instant <= now)
      warnings.push(`${local.date} ${time} in ${timeZone} has passed: this one-time task will not run`);
    const utc = utcParts(resolved.instant);
    const shift = daysBetween(local.date, utc.date);
    return {
      schedule: { ...base, time: utc.time, repeat: 'none', date: utc.date, ...datesOf(start, end, shift) },
      warnings,
    };
  }

  // A repeating task: the offset of its first run from now, or from its start date (dst-plan.ts).
  const days = repeat.kind === 'day' ? parseDays(local.days) : [];
  const task = localRepeat(time, repeat, days, start, end);
  const from =
    start && start > localParts(now, timeZone).date
      ? resolveLocalTime(start, '00:00', timeZone).instant
      : now;
  const offset = options.offsetMinutes ?? offsetForRepeat(task, timeZone, from);
  const schedule = { ...base, ...repeatingTiming(task, repeat, start, end, offset, timeZone) };
  if (options.followDst && options.offsetMinutes === undefined) {
    // The follower will write the task with each offset the zone takes within a year: each must work.
    const until = end ? dateMs(end) + DAY_MS : from + 366 * DAY_MS;
    for (let change = nextOffsetChange(from, timeZone); change && change.at < until;) {
      repeatingTiming(task, repeat, start, end, change.after, timeZone);
      change = nextOffsetChange(change.at, timeZone);
    }
  }
  warnings.push(
    ...repeatWarnings(task, {
      timeZone,
      from,
      end,
      offset,
      utcTime: schedule.time,
      followDst: options.followDst === true,
    }),
  );
  return { schedule, warnings };
}

type RepeatRule = Exclude<Repeat, { kind: 'none' }>;

/** A declared task's local time and dates when it repeats (undefined for a one-time task); throws as toUtcSchedule does. */
export function localRepeatOf(input: LocalSchedule): LocalRepeat | undefined {
  const repeat = parseRepeat(input.repeat);
  if (repeat.kind === 'none') return undefined;
  const days = repeat.kind === 'day' ? parseDays(input.days) : [];
  return localRepeat(
    checkTime(input.time),
    repeat,
    days,
    optionalDate(input.start_date, 'start_date'),
    optionalDate(input.end_date, 'end_date'),
  );
}

/** A repeating task's local dates, for the offset rules of dst-plan.ts. */
function localRepeat(
  time: string,
  repeat: RepeatRule,
  days: number[],
  start: string,
  end: string,
): LocalRepeat & { monthDays: number[] } {
  return {
    time,
    monthDays: days,
    runsOn(date: string): boolean {
      if ((start && date < start) || (end && date > end)) return false;
      const at = new Date(dateMs(date));
      if (repeat.kind === 'day') return days.includes(at.getUTCDate());
      return repeat.days.includes(WEEKDAYS[(at.getUTCDay() + 6) % 7]);
    },
  };
}

/** The UTC timing of a repeating task written with `offset`; refuses monthly days it would break. */
function repeatingTiming(
  task: LocalRepeat & { monthDays: number[] },
  repeat: RepeatRule,
  start: string,
  end: string,
  offset: number,
  timeZone: string,
): Schedule {
  const { time } = task;
  const utcMinutes = minutesOf(time) - offset;
  const shift = Math.floor(utcMinutes / 1440);
  const schedule: Schedule = { time: hhmm(utcMinutes), repeat: 'day', ...datesOf(start, end, shift) };
  if (repeat.kind === 'weekly') {
    schedule.repeat = shiftWeekdays(repeat.days, shift);
    return schedule;
  }
  const days = task.monthDays;
  const [low, high] = monthSafeDays(shift);
  const unsafe = days.filter((day) => day < low || day > high);
  if (unsafe.length > 0) {
    const sameTime = hhmm(shift < 0 ? offset : 1440 + offset);
    throw invalid(shift < 0 ? 'schedule.monthlyDayBefore' : 'schedule.monthlyDayAfter', {
      days: unsafe.join(', '),
      time,
      timeZone,
      offset: offsetText(offset),
      low,
      high,
      sameTime,
    });
  }
  schedule.days = days.map((day) => day + shift);
  return schedule;
}

/** The UTC day of a repeating task's first run at or after `now` (its start date, or today, if none). */
function firstUtcRunDay(utc: UtcTiming, now: number): string {
  const from = isDate(utc.start_date) ? Math.max(now, dateMs(utc.start_date)) : now;
  const weekdays = utc.repeat.split(',').map((day) => day.trim());
  for (let day = utcParts(from).date, n = 0; n < 400; day = addDays(day, 1), n++) {
    if (isDate(utc.end_date) && day > utc.end_date) break;
    const at = new Date(dateMs(day));
    const runs =
      utc.repeat === 'day'
        ? utc.days.includes(at.getUTCDate())
        : weekdays.includes(WEEKDAYS[(at.getUTCDay() + 6) % 7]);
    if (runs && dateMs(day) + minutesOf(utc.time) * MINUTE_MS >= from) return day;
  }
  return utcParts(from).date;
}

/** A task as the cloud lists it (UTC), shown in local time. Never throws on what the cloud answers. */
export function fromUtcSchedule(schedule: Schedule, options: ConvertOptions): LocalScheduleView {
  const timeZone = checkTimeZone(options.timeZone);
  const utc = utcTimingOf(schedule);
  const view: LocalScheduleView = {
    ...(schedule.id !== undefined ? { id: schedule.id } : {}),
    remark: schedule.remark ?? '',
    enabled: schedule.enabled !== false,
    time: utc.time,
    repeat: utc.repeat,
    timezone: timeZone,
    utc,
  };
  for (const key of ['did', 'group_id', 'scene_id'] as const) if (schedule[key]) view[key] = schedule[key];
  if (schedule.attrs && Object.keys(schedule.attrs).length > 0) view.attrs = { ...schedule.attrs };
  if (schedule.raw) view.raw = schedule.raw;
  if (!TIME.test(utc.time)) {
    view.note = `the cloud's time "${utc.time}" is not HH:MM; shown as given`;
    return view;
  }
  const isOnce = utc.repeat === 'none';
  const anchor = isOnce && isDate(utc.date) ? utc.date : undefined;
  // The local time of a repeating task is that of its first run, as toUtcSchedule converted it.
  const reference = anchor ?? firstUtcRunDay(utc, options.now ?? Date.now());
  const instant = dateMs(reference) + minutesOf(utc.time) * MINUTE_MS;
  const local = localParts(instant, timeZone);
  const shift = daysBetween(reference, local.date);
  view.time = local.time;
  if (isDate(utc.start_date)) view.start_date = addDays(utc.start_date, shift);
  if (isDate(utc.end_date)) view.end_date = addDays(utc.end_date, shift);
  if (isOnce) {
    if (anchor) view.date = local.date;
    else view.note = 'a one-time task without a date';
  } else if (utc.repeat === 'day') {
    const [low, high] = monthSafeDays(shift);
    view.days = utc.days.map((day) => day + shift).filter((day) => day >= 1 && day <= 31);
    if (utc.days.some((day) => day < low || day > high)) {
      view.note = `UTC days ${utc.days.join(', ')} at ${utc.time} fall on ${shift < 0 ? 'the day before' : 'the day after'} in ${timeZone}; in some months that crosses a month boundary, so the local days shown are approximate`;
    }
  } else {
    const days = utc.repeat.split(',').map((day) => day.trim());
    if (days.every((day) => WEEKDAYS.includes(day as Weekday))) view.repeat = shiftWeekdays(days, shift);
    else view.note = `unknown repeat "${utc.repeat}"; shown as given`;
  }
  return view;
}
