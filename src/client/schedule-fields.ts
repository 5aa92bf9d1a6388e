// The fields of a scheduled task as users write them (local time) and as the cloud stores them (UTC):
// their types, and the checks and small conversions of each field. Pure.
import { GizwitsError, keyed, type ErrorText } from './errors';
import { addDays, isDate } from './time-zones';
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
export function invalid(key: string, params: Record<string, string | number | ErrorText>): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', ...keyed(key, params) });
}

export const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function checkTime(time: unknown): string {
  if (typeof time === 'string' && /^\d:[0-5]\d$/.test(time)) return `0${time}`;
  if (typeof time !== 'string' || !TIME.test(time))
    throw invalid('schedule.badTime', { value: String(JSON.stringify(time)) });
  return time;
}

export const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export type Repeat = { kind: 'none' } | { kind: 'weekly'; days: Weekday[] } | { kind: 'day' };

export function parseRepeat(repeat: unknown): Repeat {
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

export function parseDays(days: unknown): number[] {
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

export function optionalDate(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') return '';
  if (!isDate(value)) throw invalid('schedule.badDate', { field, value: String(JSON.stringify(value)) });
  return value;
}

export function shiftWeekdays(days: readonly string[], shift: number): string {
  const shifted = days.map((day) => WEEKDAYS[(WEEKDAYS.indexOf(day as Weekday) + shift + 7) % 7]);
  return WEEKDAYS.filter((day) => shifted.includes(day)).join(',');
}

/**
 * Days of the month that keep their meaning when moved by `shift` days: every month has day d exactly
 * when it has day d + shift. Months have 28 to 31 days, so +1 keeps 1-27 and -1 keeps 2-28.
 */
export function monthSafeDays(shift: number): [number, number] {
  return shift > 0 ? [1, 27] : shift < 0 ? [2, 28] : [1, 31];
}

/** The command and bookkeeping fields, copied as given. */
export function passThrough(local: LocalSchedule): Partial<Schedule> {
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

export const LOCAL_FIELDS = new Set([
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

/** start_date and end_date moved by the same days as the time, left out when not given. */
export function datesOf(start: string, end: string, shift: number): Partial<Schedule> {
  return {
    ...(start ? { start_date: addDays(start, shift) } : {}),
    ...(end ? { end_date: addDays(end, shift) } : {}),
  };
}

export function utcTimingOf(schedule: Schedule): UtcTiming {
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
