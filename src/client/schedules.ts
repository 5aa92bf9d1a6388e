// Scheduled tasks in the user's time zone, and the UTC the Open API stores (docs/open-api.md: scheduler times
// are UTC). Pure functions over Intl.DateTimeFormat: no dependency, no clock unless one is passed in.
//
// - A one-time task converts exactly: its local date and time is one instant (a time the clocks skip is
//   refused; a time they pass twice takes the first).
// - A weekly or monthly task keeps one UTC time, so it is converted with the offset in force at its first
//   run from now (or from its start date): weekdays and dates move with the time across midnight. When
//   the zone changes offset later, the DST follower (dst-follow.ts) moves it, or a warning says what the
//   local time becomes (dst-warnings.ts).
// - A monthly task whose days would move across a month boundary (day 1 becoming the last day of the
//   previous month in UTC, say) cannot be expressed with the API's fixed day numbers, and is refused.
import { GizwitsError, keyed, type ErrorText } from './errors';
import { offsetForRepeat, type LocalRepeat } from './dst-plan';
import { repeatWarnings } from './dst-warnings';
import { canonicalJson, planSync } from './sync-plan';
import {
  addDays,
  DAY_MS,
  MINUTE_MS,
  dateMs,
  daysBetween,
  formatterFor,
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

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A scheduled task as users write it: times and dates in their own time zone. */
export interface LocalSchedule {
  id?: string;
  remark?: string;
  enabled?: boolean;
  /** HH:MM, local. */
  time: string;
  /** `none` (once, on `date`), weekdays (`"mon,wed"` or `["mon", "wed"]`), or `day` (monthly on `days`). */
  repeat?: string | string[];
  /** YYYY-MM-DD, local, for one-time tasks. */
  date?: string;
  /** Days of the month (1-31), local, for `repeat: "day"`. */
  days?: Array<number | string>;
  start_date?: string;
  end_date?: string;
  attrs?: Record<string, unknown>;
  raw?: string | number[];
}

/** The timing fields of a task as the cloud stores them (UTC). */
export interface UtcTiming {
  time: string;
  repeat: string;
  date: string;
  days: number[];
  start_date: string;
  end_date: string;
}

/** A task read from the cloud, shown in local time, with the cloud's UTC timing beside it. */
export interface LocalScheduleView {
  id?: string;
  remark: string;
  enabled: boolean;
  time: string;
  repeat: string;
  date?: string;
  days?: number[];
  start_date?: string;
  end_date?: string;
  attrs?: Record<string, unknown>;
  raw?: string;
  did?: string;
  group_id?: string;
  scene_id?: string;
  timezone: string;
  utc: UtcTiming;
  /** Set when the UTC timing has no exact local equivalent (days across a month boundary). */
  note?: string;
}

export interface ConvertOptions {
  timeZone: string;
  /** Epoch ms that "today" is taken from; defaults to Date.now(). */
  now?: number;
  /** A repeating task will be kept at its local time across offset changes (a following sync node). */
  followDst?: boolean;
  /** Writes a repeating task with this offset (minutes ahead of UTC) instead of its first run's. */
  offsetMinutes?: number;
}

export interface UtcConversion {
  schedule: Schedule;
  /** Things the user should know, such as an offset change ahead. Never a reason to refuse. */
  warnings: string[];
}

/** A refused task, by its key in the catalogue (`schedule.*`). */
function invalid(key: string, params: Record<string, string | number | ErrorText>): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', ...keyed(key, params) });
}

// --- time zones

/** The canonical name of an IANA time zone; a clear error for a name Intl does not know. */
export function checkTimeZone(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') throw invalid('schedule.noTimeZone', {});
  try {
    return formatterFor(timeZone.trim()).resolvedOptions().timeZone;
  } catch {
    throw invalid('schedule.unknownTimeZone', { timeZone });
  }
}

// --- fields

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function checkTime(time: unknown): string {
  if (typeof time === 'string' && /^\d:[0-5]\d$/.test(time)) return `0${time}`;
  if (typeof time !== 'string' || !TIME.test(time))
    throw invalid('schedule.badTime', { value: String(JSON.stringify(time)) });
  return time;
}

const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

type Repeat = { kind: 'none' } | { kind: 'weekly'; days: Weekday[] } | { kind: 'day' };

function parseRepeat(repeat: unknown): Repeat {
  if (repeat === undefined || repeat === null || repeat === '' || repeat === 'none') return { kind: 'none' };
  if (repeat === 'day') return { kind: 'day' };
  const list = Array.isArray(repeat) ? repeat : typeof repeat === 'string' ? repeat.split(',') : undefined;
  const days = list?.map((day) => {
    const name = typeof day === 'string' ? day.trim().toLowerCase() : day;
    return typeof name === 'string' && FULL_DAY_NAMES.includes(name) ? name.slice(0, 3) : name;
  });
  if (!days || days.length === 0 || !days.every((day) => WEEKDAYS.includes(day as Weekday))) {
    throw invalid('schedule.badRepeat', { value: String(JSON.stringify(repeat)) });
  }
  const unique = WEEKDAYS.filter((day) => days.includes(day));
  return { kind: 'weekly', days: unique };
}

function parseDays(days: unknown): number[] {
  const list = Array.isArray(days) ? days : undefined;
  const numbers = list?.map((day) => (typeof day === 'string' && /^\d+$/.test(day) ? Number(day) : day));
  if (
    !numbers ||
    numbers.length === 0 ||
    !numbers.every((day) => typeof day === 'number' && Number.isInteger(day) && day >= 1 && day <= 31)
  ) {
    throw invalid('schedule.badDays', {});
  }
  return [...new Set(numbers as number[])].sort((a, b) => a - b);
}

function optionalDate(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') return '';
  if (!isDate(value)) throw invalid('schedule.badDate', { field, value: String(JSON.stringify(value)) });
  return value;
}

function shiftWeekdays(days: readonly string[], shift: number): string {
  const shifted = days.map((day) => WEEKDAYS[(WEEKDAYS.indexOf(day as Weekday) + shift + 7) % 7]);
  return WEEKDAYS.filter((day) => shifted.includes(day)).join(',');
}

/**
 * Days of the month that keep their meaning when moved by `shift` days: every month has day d exactly
 * when it has day d + shift. Months have 28 to 31 days, so +1 keeps 1-27 and -1 keeps 2-28.
 */
function monthSafeDays(shift: number): [number, number] {
  return shift > 0 ? [1, 27] : shift < 0 ? [2, 28] : [1, 31];
}

/** The command and bookkeeping fields, copied as given. */
function passThrough(local: LocalSchedule): Partial<Schedule> {
  const out: Partial<Schedule> = {};
  if (local.remark !== undefined) {
    if (typeof local.remark !== 'string') throw invalid('schedule.badRemark', {});
    out.remark = local.remark;
  }
  if (local.enabled !== undefined) {
    if (typeof local.enabled !== 'boolean') throw invalid('schedule.badEnabled', {});
    out.enabled = local.enabled;
  }
  if (local.attrs !== undefined) out.attrs = local.attrs as Schedule['attrs'];
  if (local.raw !== undefined) out.raw = local.raw as string;
  return out;
}

const LOCAL_FIELDS = new Set([
  'id',
  'remark',
  'enabled',
  'time',
  'repeat',
  'date',
  'days',
  'start_date',
  'end_date',
  'attrs',
  'raw',
  // Read-only fields of a listed task, so that a listing can be fed back in.
  'timezone',
  'utc',
  'note',
  'did',
  'group_id',
  'scene_id',
  'product_key',
  'created_at',
]);

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

/** start_date and end_date moved by the same days as the time, left out when not given. */
function datesOf(start: string, end: string, shift: number): Partial<Schedule> {
  return {
    ...(start ? { start_date: addDays(start, shift) } : {}),
    ...(end ? { end_date: addDays(end, shift) } : {}),
  };
}

function utcTimingOf(schedule: Schedule): UtcTiming {
  const days = Array.isArray(schedule.days)
    ? schedule.days.map(Number).filter((day) => Number.isInteger(day))
    : [];
  return {
    time: String(schedule.time ?? ''),
    repeat: String(schedule.repeat || 'none'),
    date: schedule.date ?? '',
    days,
    start_date: schedule.start_date ?? '',
    end_date: schedule.end_date ?? '',
  };
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

/** The fields that decide when and what a task does, in one canonical shape, for comparing tasks. */
export function scheduleEssence(schedule: Schedule): Record<string, unknown> {
  const utc = utcTimingOf(schedule);
  return {
    ...utc,
    days: [...utc.days].sort((a, b) => a - b),
    repeat:
      utc.repeat === 'none' || utc.repeat === 'day'
        ? utc.repeat
        : WEEKDAYS.filter((day) => utc.repeat.split(',').includes(day)).join(','),
    date: utc.repeat === 'none' ? utc.date : '',
    enabled: schedule.enabled !== false,
    remark: schedule.remark ?? '',
    attrs: schedule.attrs && Object.keys(schedule.attrs).length > 0 ? schedule.attrs : {},
    raw: schedule.raw ? String(schedule.raw).toLowerCase() : '',
  };
}

/** The fields in which two tasks differ (empty: the same task). */
export function scheduleDifferences(a: Schedule, b: Schedule): string[] {
  const left = scheduleEssence(a);
  const right = scheduleEssence(b);
  return Object.keys(left).filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key]));
}

export interface SchedulePlan {
  create: Schedule[];
  update: Schedule[];
  delete: Schedule[];
  unchanged: Schedule[];
  /** For each task to update, by remark: the fields that differ. */
  changes: Record<string, string[]>;
}

/** What turns the cloud's tasks (of one target) into the declared ones, matched by remark. */
export function planSchedules(declared: Schedule[], cloud: Schedule[], prune: boolean): SchedulePlan {
  const sorted = [...cloud].sort((a, b) =>
    String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')),
  );
  const plan = planSync(declared, sorted, (task) => task.remark ?? '', scheduleDifferences);
  return {
    create: plan.create,
    update: plan.update.map(({ declared: task, current }) => ({ ...task, id: current.id })),
    delete: prune ? plan.extra : [],
    unchanged: plan.unchanged.map(({ declared: task, current }) => ({ ...task, id: current.id })),
    changes: Object.fromEntries(
      plan.update.map(({ declared: task, changed }) => [task.remark ?? '', changed]),
    ),
  };
}
