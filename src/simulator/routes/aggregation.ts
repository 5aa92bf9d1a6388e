// `agg_data`: sums, averages, maxima and minima of numeric data points per hour/day/week/month.
// The simulator keeps no history, so buckets are made up around the device's current value, but
// deterministically, so that the same query gives the same answer.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { utcText } from '../model/ids';
import { queryInteger, requireBoundDevice } from './fields';

const AGGREGATORS = ['sum', 'avg', 'max', 'min'] as const;
type Aggregator = (typeof AGGREGATORS)[number];

const UNITS: Record<string, 'HOURS' | 'DAYS' | 'WEEKS' | 'MONTHS'> = {
  hour: 'HOURS',
  hours: 'HOURS',
  day: 'DAYS',
  days: 'DAYS',
  week: 'WEEKS',
  weeks: 'WEEKS',
  month: 'MONTHS',
  months: 'MONTHS',
};

const MAX_BUCKETS = 1000;
const HOUR_MS = 3_600_000;

export function aggregatedData(context: RequestContext) {
  const { device } = requireBoundDevice(context, context.params.did);
  const query = context.query;
  const start = queryInteger(query, 'start_ts');
  const end = queryInteger(query, 'end_ts');
  if (start === undefined || end === undefined)
    throw formInvalid('start_ts and end_ts are required (milliseconds)');
  if (end <= start) throw formInvalid('end_ts must be after start_ts');
  const aggregator = query.get('aggregator') as Aggregator | null;
  if (!aggregator || !AGGREGATORS.includes(aggregator))
    throw formInvalid('aggregator must be sum, avg, max or min');
  const unitText = query.get('unit') ?? '';
  const unit = UNITS[unitText.toLowerCase()];
  if (!unit) throw formInvalid('unit must be hours, day, weeks or months');
  const attrsText = query.get('attrs') ?? '';
  const names = attrsText
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw formInvalid('attrs is required');
  for (const name of names) {
    const point = device.product.attrs.find((candidate) => candidate.name === name);
    if (!point || !(point.data_type.startsWith('uint') || point.data_type === 'bool')) {
      throw new GizwitsApiError(9025, `'${name}' is not a numeric data point`);
    }
  }
  const buckets = bucketStarts(start, end, unit);
  const data = buckets.map((bucketStart, index) => {
    const hours = (bucketEnd(bucketStart, unit) - bucketStart) / HOUR_MS;
    const attrs: Record<string, string> = {};
    for (const name of names) {
      const current = device.values.get(name);
      const base = typeof current === 'number' ? current : current === true ? 1 : 0;
      attrs[name] = formatNumber(aggregate(aggregator, base, index, hours));
    }
    return {
      datatime: utcText(bucketStart),
      uid: context.uid,
      product_key: device.product.product_key,
      attrs,
    };
  });
  return { query: { aggregator, end_ts: end, start_ts: start, attrs: attrsText, unit }, data };
}

function aggregate(aggregator: Aggregator, base: number, index: number, hours: number): number {
  const wobble = Math.sin(index * 1.7) * Math.max(1, Math.abs(base) * 0.05);
  switch (aggregator) {
    case 'avg':
      return base + wobble;
    case 'max':
      return base + Math.abs(wobble);
    case 'min':
      return base - Math.abs(wobble);
    case 'sum':
      return (base + wobble) * hours;
  }
}

function formatNumber(value: number): string {
  return String(Number(value.toFixed(2)));
}

function bucketStarts(start: number, end: number, unit: string): number[] {
  const starts: number[] = [];
  let cursor = alignStart(start, unit);
  while (cursor < end) {
    starts.push(cursor);
    if (starts.length > MAX_BUCKETS)
      throw formInvalid(`at most ${MAX_BUCKETS} ${unit.toLowerCase()} per query`);
    cursor = bucketEnd(cursor, unit);
  }
  return starts;
}

function alignStart(ms: number, unit: string): number {
  const date = new Date(ms);
  if (unit === 'HOURS')
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours());
  if (unit === 'MONTHS') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (unit === 'DAYS') return day;
  // Weeks start on Monday.
  return day - ((date.getUTCDay() + 6) % 7) * 24 * HOUR_MS;
}

function bucketEnd(bucketStart: number, unit: string): number {
  const date = new Date(bucketStart);
  if (unit === 'HOURS') return bucketStart + HOUR_MS;
  if (unit === 'DAYS') return bucketStart + 24 * HOUR_MS;
  if (unit === 'WEEKS') return bucketStart + 7 * 24 * HOUR_MS;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
