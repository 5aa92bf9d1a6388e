// The fields every scheduled task shares (device schedulers and common schedulers), checked as the
// document describes them. Times are UTC and stored as given.
import { formInvalid } from '../errors';
import { parseRawPayload, parseWrittenAttrs } from '../model/datapoint-values';
import type { ProductDefinition } from '../model/product-types';
import type { JsonObject } from './fields';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface ScheduleTarget {
  /** Product whose data points `attrs` must name; undefined when attrs are not allowed (scenes). */
  product?: ProductDefinition;
  /** Scenes take no command: raw and attrs are dropped, as the document says. */
  takesCommand: boolean;
}

function isDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

function checkRepeat(repeat: unknown): string {
  if (typeof repeat !== 'string' || repeat === '')
    throw formInvalid('repeat must be none, day or weekdays like "mon,wed"');
  if (repeat === 'none' || repeat === 'day') return repeat;
  const days = repeat.split(',').map((day) => day.trim());
  if (!days.every((day) => WEEKDAYS.includes(day)) || new Set(days).size !== days.length) {
    throw formInvalid(`repeat weekdays must be among ${WEEKDAYS.join(',')}`);
  }
  return days.join(',');
}

function checkDays(days: unknown): Array<number | string> {
  const valid =
    Array.isArray(days) &&
    days.length > 0 &&
    days.every((day) => {
      const value = typeof day === 'string' && /^\d+$/.test(day) ? Number(day) : day;
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 31;
    });
  if (!valid) throw formInvalid('days must be a non-empty list of days of the month, 1..31');
  return [...(days as Array<number | string>)];
}

/** Validates a whole schedule (for updates: the stored one merged with the changes). */
export function validatedSchedule(input: JsonObject, target: ScheduleTarget): JsonObject {
  const time = input.time;
  if (typeof time !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time))
    throw formInvalid('time must be HH:MM (UTC)');
  const repeat = checkRepeat(input.repeat ?? 'none');
  const schedule: JsonObject = { time, repeat, days: [], date: '', start_date: '', end_date: '' };
  if (repeat === 'none') {
    if (!isDate(input.date)) throw formInvalid('a one-off task needs date as YYYY-MM-DD (UTC)');
    schedule.date = input.date;
  } else if (repeat === 'day') {
    schedule.days = checkDays(input.days);
  }
  for (const key of ['start_date', 'end_date'] as const) {
    const value = input[key];
    if (value === undefined || value === null || value === '') continue;
    if (!isDate(value)) throw formInvalid(`${key} must be YYYY-MM-DD`);
    schedule[key] = value;
  }
  if (schedule.start_date && schedule.end_date && String(schedule.end_date) < String(schedule.start_date)) {
    throw formInvalid('end_date must not be before start_date');
  }
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') throw formInvalid('enabled must be a boolean');
  schedule.enabled = enabled;
  const remark = input.remark ?? '';
  if (typeof remark !== 'string') throw formInvalid('remark must be a string');
  schedule.remark = remark;
  Object.assign(schedule, commandOf(input, target));
  return schedule;
}

/** raw is hex by default here (the document's scheduler section), attrs use the product's data points. */
function commandOf(input: JsonObject, target: ScheduleTarget): JsonObject {
  if (!target.takesCommand) return { raw: '', attrs: {} };
  const hasAttrs = input.attrs !== undefined && input.attrs !== null && !isEmptyObject(input.attrs);
  const raw =
    input.raw === undefined || input.raw === null || input.raw === '' ? undefined : String(input.raw);
  if (!hasAttrs && raw === undefined) throw formInvalid('give attrs or raw');
  if (hasAttrs) {
    if (!target.product) throw formInvalid('attrs need a single-product target');
    parseWrittenAttrs(target.product, input.attrs, 'hex');
  }
  if (raw !== undefined) parseRawPayload(raw, 'hex');
  return { raw: raw ?? '', attrs: hasAttrs ? JSON.parse(JSON.stringify(input.attrs)) : {} };
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}
