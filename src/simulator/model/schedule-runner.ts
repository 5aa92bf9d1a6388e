// Scheduled tasks at work: every task fires at its UTC date and time by the simulator's clock (one-time,
// weekly, or monthly on fixed UTC days), between its start and end dates, when enabled. A jump of the
// clock fires what fell due in between, each occurrence once.
import { parseRawPayload, parseWrittenAttrs } from './datapoint-values';
import { controlGroup } from './group-control';
import type { SimulatorModel } from './model';
import type { SchedulerRecord } from './records';
import { recordFiring } from './rule-engine';
import { startScene } from './scene-runner';

const DAY_MS = 86_400_000;
/** A jump longer than this fires only the occurrences of its last part. */
const LOOKBACK_DAYS = 400;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

type Fields = Record<string, unknown>;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Whether the task runs on this UTC day (epoch ms of its midnight). */
export function runsOn(fields: Fields, dayMs: number): boolean {
  const date = new Date(dayMs).toISOString().slice(0, 10);
  const start = text(fields.start_date);
  const end = text(fields.end_date);
  if ((start && date < start) || (end && date > end)) return false;
  const repeat = text(fields.repeat) || 'none';
  if (repeat === 'none') return text(fields.date) === date;
  if (repeat === 'day') {
    const days = Array.isArray(fields.days) ? fields.days.map(Number) : [];
    return days.includes(new Date(dayMs).getUTCDate());
  }
  return repeat.split(',').includes(WEEKDAYS[new Date(dayMs).getUTCDay()]);
}

/** The instants in (from, to] at which the task is due. */
export function dueTimes(fields: Fields, from: number, to: number): number[] {
  if (fields.enabled === false || to <= from) return [];
  const match = /^(\d{2}):(\d{2})$/.exec(text(fields.time));
  if (!match) return [];
  const offset = (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  const first = Math.max(Math.floor(from / DAY_MS), Math.floor(to / DAY_MS) - LOOKBACK_DAYS) * DAY_MS;
  const due: number[] = [];
  for (let day = first; day <= to; day += DAY_MS) {
    const at = day + offset;
    if (at > from && at <= to && runsOn(fields, day)) due.push(at);
  }
  return due;
}

export class ScheduleRunner {
  private checkedUntil = 0;

  constructor(private readonly model: SimulatorModel) {}

  attach(): void {
    this.checkedUntil = this.model.clock.now();
    this.model.clock.on('jump', (_from, to) => this.runDue(to));
  }

  /** Fires every task due since the last check; a clock moved back fires nothing. */
  runDue(to = this.model.clock.now()): void {
    const from = this.checkedUntil;
    this.checkedUntil = to;
    if (to <= from) return;
    const due: Array<{ at: number; record: SchedulerRecord }> = [];
    for (const record of this.model.schedulers.values())
      for (const at of dueTimes(record.fields, from, to)) due.push({ at, record });
    due.sort((a, b) => a.at - b.at);
    for (const { at, record } of due) this.fire(record, at);
  }

  private fire(record: SchedulerRecord, at: number): void {
    try {
      this.carryOut(record);
      recordFiring(this.model, { kind: 'schedule', id: record.id, at, ok: true });
    } catch (error) {
      recordFiring(this.model, {
        kind: 'schedule',
        id: record.id,
        at,
        ok: false,
        detail: (error as Error).message,
      });
    }
  }

  private carryOut(record: SchedulerRecord): void {
    const { model } = this;
    const fields = record.fields;
    const origin = { uid: record.uid, source: 'client' as const };
    const attrs = fields.attrs && typeof fields.attrs === 'object' ? (fields.attrs as Fields) : {};
    const raw = text(fields.raw);
    if (text(fields.scene_id)) {
      const scene = model.scenes.get(text(fields.scene_id));
      if (!scene || scene.uid !== record.uid) throw new Error(`scene ${text(fields.scene_id)} not found`);
      startScene(model, scene);
    } else if (text(fields.group_id)) {
      const group = model.groups.get(text(fields.group_id));
      if (!group || group.uid !== record.uid) throw new Error(`group ${text(fields.group_id)} not found`);
      const product = model.products.get(group.product_key);
      const values =
        product && Object.keys(attrs).length ? parseWrittenAttrs(product, attrs, 'hex') : undefined;
      controlGroup(model, group, { values, raw: raw ? parseRawPayload(raw, 'hex') : undefined }, origin);
    } else {
      const did = text(fields.did);
      const device = model.devices.get(did);
      if (!device || !model.binding(record.uid, did)) throw new Error(`device ${did} not bound`);
      if (!device.online) throw new Error(`device ${did} offline`);
      if (Object.keys(attrs).length)
        model.writeAttrs(did, parseWrittenAttrs(device.product, attrs, 'hex'), origin);
      if (raw) model.writeRaw(did, parseRawPayload(raw, 'hex'), origin);
    }
  }
}
