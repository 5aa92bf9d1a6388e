// Time zones and calendar dates by Intl.DateTimeFormat alone: offsets, the instant a local time stands
// for, and when a zone's offset changes next. Pure functions; no clock unless one is passed in.

import { GizwitsError, keyed } from './errors';

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter of a zone's wall clock; throws RangeError for a name Intl does not know. */
export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The host's IANA time zone, the default of the scheduler node. */
export function hostTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Wall-clock fields of an instant in a zone, as epoch ms of the same fields read as UTC. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute);
}

/** Minutes the zone is ahead of UTC at an instant (Asia/Shanghai: 480). */
export function offsetMinutesAt(instant: number, timeZone: string): number {
  const floored = Math.floor(instant / MINUTE_MS) * MINUTE_MS;
  return Math.round((wallClockMs(floored, timeZone) - floored) / MINUTE_MS);
}

export interface ResolvedLocalTime {
  instant: number;
  /** `gap`: the clocks skip this time that day; `ambiguous`: they pass it twice (the first is taken). */
  kind: 'exact' | 'ambiguous' | 'gap';
}

/** The instant a local date and time stands for in a zone. */
export function resolveLocalTime(date: string, time: string, timeZone: string): ResolvedLocalTime {
  const local = dateMs(date) + minutesOf(time) * MINUTE_MS;
  const offsets = new Set(
    [local - DAY_MS, local, local + DAY_MS].map((probe) => offsetMinutesAt(probe, timeZone)),
  );
  const valid = [...offsets]
    .map((offset) => local - offset * MINUTE_MS)
    .filter((instant) => wallClockMs(instant, timeZone) === local)
    .sort((a, b) => a - b);
  if (valid.length > 0) return { instant: valid[0], kind: valid.length > 1 ? 'ambiguous' : 'exact' };
  // In a gap the offset before the jump carries the time past it, as clocks that moved forward do.
  return { instant: local - offsetMinutesAt(local - DAY_MS, timeZone) * MINUTE_MS, kind: 'gap' };
}

/** Local date (YYYY-MM-DD) and time (HH:MM) of an instant. */
export function localParts(instant: number, timeZone: string): { date: string; time: string } {
  const wall = new Date(wallClockMs(instant, timeZone)).toISOString();
  return { date: wall.slice(0, 10), time: wall.slice(11, 16) };
}

/** UTC date (YYYY-MM-DD) and time (HH:MM) of an instant. */
export function utcParts(instant: number): { date: string; time: string } {
  const text = new Date(instant).toISOString();
  return { date: text.slice(0, 10), time: text.slice(11, 16) };
}

/** A change of a zone's offset: from `at` (epoch ms) on, the zone is `after` minutes ahead of UTC. */
export interface OffsetChange {
  at: number;
  before: number;
  after: number;
}

/**
 * The zone's first change of offset after `from`, looked for within `horizonDays` (none: undefined).
 * Found to the minute: a day-by-day scan, then halving the day in which the offset differs.
 */
export function nextOffsetChange(
  from: number,
  timeZone: string,
  horizonDays = 400,
): OffsetChange | undefined {
  const before = offsetMinutesAt(from, timeZone);
  for (let day = 1; day <= horizonDays; day++) {
    const probe = from + day * DAY_MS;
    const after = offsetMinutesAt(probe, timeZone);
    if (after === before) continue;
    let low = Math.floor((probe - DAY_MS) / MINUTE_MS);
    let high = Math.floor(probe / MINUTE_MS);
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (offsetMinutesAt(middle * MINUTE_MS, timeZone) === before) low = middle;
      else high = middle;
    }
    return { at: high * MINUTE_MS, before, after: offsetMinutesAt(high * MINUTE_MS, timeZone) };
  }
  return undefined;
}

// --- calendar dates, as YYYY-MM-DD text

export function isDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

export function dateMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function addDays(date: string, days: number): string {
  return new Date(dateMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((dateMs(to) - dateMs(from)) / DAY_MS);
}

export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** HH:MM of minutes after midnight, wrapped into one day. */
export function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** `UTC+08:00`, `UTC-04:00`. */
export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  return `UTC${sign}${hhmm(Math.abs(minutes))}`;
}

/** `1 h`, `30 min`, `1 h 30 min`: how far a change of offset moves a fixed UTC time. */
export function durationText(minutes: number): string {
  const m = Math.abs(minutes);
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  return [hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ') || '0 min';
}

/** Local `YYYY-MM-DD HH:MM` of an instant, for messages. */
export function localText(instant: number, timeZone: string): string {
  const parts = localParts(instant, timeZone);
  return `${parts.date} ${parts.time}`;
}

/** The canonical name of an IANA time zone; a clear error for a name Intl does not know. */
export function checkTimeZone(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '')
    throw new GizwitsError({ code: 'INVALID_PARAMS', ...keyed('schedule.noTimeZone', {}) });
  try {
    return formatterFor(timeZone.trim()).resolvedOptions().timeZone;
  } catch {
    throw new GizwitsError({ code: 'INVALID_PARAMS', ...keyed('schedule.unknownTimeZone', { timeZone }) });
  }
}
