// Linkage rules at work: every device report (and online change) is checked against the rules whose
// trigger device it is; when the event and one condition group hold, the output groups run, each in
// order with its delays (scaled by model.timeScale), the groups side by side, as the document says.
import { parseWrittenAttrs, type StoredValue } from './datapoint-values';
import type { DeviceOnlineEvent, DeviceReportEvent, SimulatorModel } from './model';
import type { DataPointDefinition } from './product-types';
import type { RuleRecord } from './records';

/** One rule or schedule that fired, for tests and the curious. */
export interface AutomationFiring {
  kind: 'rule' | 'schedule';
  /** rule_id, or the scheduler id. */
  id: string;
  /** Simulated epoch ms. */
  at: number;
  ok: boolean;
  detail?: string;
}

const FIRINGS_KEPT = 1000;

export function recordFiring(model: SimulatorModel, firing: AutomationFiring): void {
  model.firings.push(firing);
  if (model.firings.length > FIRINGS_KEPT) model.firings.splice(0, model.firings.length - FIRINGS_KEPT);
}

type Json = Record<string, unknown>;
type Value = StoredValue | string;

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]+)$/;

export class RuleEngine {
  private readonly lastFired = new Map<number, number>();
  /** Rules whose output is being written right now: their own writes do not trigger them again. */
  private readonly writing = new Set<number>();

  constructor(private readonly model: SimulatorModel) {}

  attach(): void {
    this.model.on('report', (event) => this.onReport(event));
    this.model.on('online', (event) => this.onOnline(event));
  }

  private rulesOf(did: string): RuleRecord[] {
    return [...this.model.rules.values()].filter((rule) => rule.body.did === did);
  }

  private onReport(event: DeviceReportEvent): void {
    // A report that changes nothing is not an event: it also ends loops of rules that write what is there.
    if (event.changed.length === 0) return;
    for (const rule of this.rulesOf(event.did)) {
      if (this.writing.has(rule.rule_id)) continue;
      const kind = rule.body.event;
      if (kind === 'data') this.consider(rule);
      else if (kind === 'alert' || kind === 'fault') {
        const attr = rule.body.event_attr as Json | undefined;
        const name = typeof attr?.attr_name === 'string' ? attr.attr_name : '';
        const happens = String(attr?.value ?? '1') === '1';
        if (name && event.changed.includes(name) && Boolean(event.attrs[name]) === happens)
          this.consider(rule);
      }
    }
  }

  private onOnline(event: DeviceOnlineEvent): void {
    for (const rule of this.rulesOf(event.did)) {
      if (rule.body.event === (event.online ? 'online' : 'offline')) this.consider(rule);
    }
  }

  private consider(rule: RuleRecord): void {
    const now = this.model.clock.now();
    const interval = Number(rule.body.interval ?? 0) * 1000;
    const last = this.lastFired.get(rule.rule_id);
    if (interval > 0 && last !== undefined && now - last < interval) return;
    if (!this.conditionsHold(rule)) return;
    this.lastFired.set(rule.rule_id, now);
    const outputs = Array.isArray(rule.body.output) ? (rule.body.output as unknown[][]) : [];
    Promise.all(outputs.map((group) => this.runGroup(rule, group))).then(
      () => recordFiring(this.model, { kind: 'rule', id: String(rule.rule_id), at: now, ok: true }),
      (error: Error) =>
        recordFiring(this.model, {
          kind: 'rule',
          id: String(rule.rule_id),
          at: now,
          ok: false,
          detail: error.message,
        }),
    );
  }

  /** Any group whose conditions all hold; no conditions at all holds. */
  private conditionsHold(rule: RuleRecord): boolean {
    const groups = Array.isArray(rule.body.condition) ? (rule.body.condition as Json[][]) : [];
    if (groups.length === 0) return true;
    const inputs = new Map<string, string>();
    for (const input of (rule.body.input as Json[] | undefined) ?? [])
      inputs.set(String(input.prefix), String(input.did));
    return groups.some((group) =>
      group.every((condition) => {
        const left = this.operand(condition.left, inputs);
        const right = this.operand(condition.right, inputs);
        return left !== undefined && right !== undefined && compare(left, String(condition.opt), right);
      }),
    );
  }

  private operand(
    text: unknown,
    inputs: Map<string, string>,
  ): { value: Value; point?: DataPointDefinition } | undefined {
    const source = String(text ?? '').trim();
    const reference = REFERENCE.exec(source);
    if (reference) {
      const device = this.model.devices.get(inputs.get(reference[1]) ?? '');
      const point = device?.product.attrs.find((candidate) => candidate.name === reference[2]);
      const value = device?.values.get(reference[2]);
      return point && value !== undefined ? { value, point } : undefined;
    }
    if (/^-?\d+(\.\d+)?$/.test(source)) return { value: Number(source) };
    if (source === 'true' || source === 'false') return { value: source === 'true' };
    const quoted = /^'(.*)'$|^"(.*)"$/.exec(source);
    return quoted ? { value: quoted[1] ?? quoted[2] } : undefined;
  }

  private async runGroup(rule: RuleRecord, group: unknown[]): Promise<void> {
    // Never inside the report that triggered the rule: the device's own report finishes first.
    await this.model.sleep(0);
    for (const action of group as Json[]) {
      if (action.type === 'delay') {
        await this.model.sleep(Number(action.delay ?? 0) * 1000 * this.model.timeScale);
        continue;
      }
      const did = String(action.did ?? '');
      const device = this.model.devices.get(did);
      if (!device || !this.model.binding(rule.uid, did)) throw new Error(`device ${did} not bound`);
      if (!device.online) throw new Error(`device ${did} offline`);
      this.writing.add(rule.rule_id);
      try {
        if (action.attrs && typeof action.attrs === 'object' && Object.keys(action.attrs).length > 0) {
          const values = parseWrittenAttrs(device.product, action.attrs, 'hex');
          this.model.writeAttrs(did, values, { uid: rule.uid, source: 'client' });
        }
        if (Array.isArray(action.raw) && action.raw.length > 0)
          this.model.writeRaw(did, Buffer.from(action.raw as number[]), { uid: rule.uid, source: 'client' });
      } finally {
        this.writing.delete(rule.rule_id);
      }
    }
  }
}

type Operand = { value: Value; point?: DataPointDefinition };

/** Enum labels become indexes, booleans 0/1 beside numbers; ordering only between numbers. */
function compare(left: Operand, opt: string, right: Operand): boolean {
  const [a, b] = [comparable(left, right), comparable(right, left)];
  switch (opt) {
    case '==':
      return same(a, b);
    case '!=':
      return !same(a, b);
    default: {
      if (typeof a !== 'number' || typeof b !== 'number') return false;
      if (opt === '>') return a > b;
      if (opt === '>=') return a >= b;
      if (opt === '<') return a < b;
      return a <= b;
    }
  }
}

function comparable(side: Operand, other: Operand): Value {
  const value = side.value;
  const otherPoint = other.point;
  if (typeof value === 'string' && otherPoint?.data_type === 'enum') {
    const index = otherPoint.enum?.indexOf(value) ?? -1;
    return index >= 0 ? index : value;
  }
  if (typeof value === 'boolean' && (typeof other.value === 'number' || Buffer.isBuffer(other.value)))
    return value ? 1 : 0;
  return value;
}

function same(a: Value, b: Value): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) {
    const hex = (v: Value) => (Buffer.isBuffer(v) ? v.toString('hex') : String(v).toLowerCase());
    return hex(a) === hex(b);
  }
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  return a === b;
}
