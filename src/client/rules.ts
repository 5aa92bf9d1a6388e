// Linkage rules as a declared set: validation that points at the rule and field, the canonical form that
// compares a declared rule with the cloud's (ignoring rule_id, key order and the defaults the server
// fills in), and the plan that turns the cloud's set into the declared one. Pure: no calls here.
import { encodeWrite, toRestAttrs, writeReason, type ProductSchema } from './datapoints';
import { GizwitsError, keyed, type ErrorText } from './errors';
import type { AttrValues, Rule, RuleCondition, RuleInput, RuleOutput } from './types';

export const RULE_EVENTS = ['online', 'offline', 'alert', 'fault', 'data'] as const;
export const RULE_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
const ORDERING = new Set(['>', '>=', '<', '<=']);
const RULE_FIELDS = [
  'rule_id',
  'name',
  'remark',
  'did',
  'product_key',
  'interval',
  'event',
  'event_attr',
  'input',
  'condition',
  'output',
];
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]+)$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so that key order never makes two values differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What is wrong, in English and as a key of the nodes' error catalogue (`rule.*`). */
type Problem = { message: string; text: ErrorText };

function invalid(problem: Problem): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', ...problem });
}

/** An event's name inside a text (`alert` points), translated where the catalogue has it. */
function eventName(event: unknown): string | ErrorText {
  return event === 'alert' || event === 'fault' ? { key: `rule.eventName.${event}` } : String(event);
}

class RuleProblem {
  constructor(
    private readonly rule: unknown,
    private readonly index: number,
  ) {}

  /** The problem of one field (`''`: of the rule itself), prefixed with the rule's name and number. */
  error(field: string, problem: Problem): GizwitsError {
    const raw = isObject(this.rule) && typeof this.rule.name === 'string' ? this.rule.name.trim() : '';
    const number = this.index + 1;
    const where = raw
      ? keyed('rule.where.named', { name: raw, number })
      : keyed('rule.where.numbered', { number });
    return invalid(
      field
        ? keyed('rule.at', { where: where.text, field, problem: problem.text })
        : keyed('rule.atRule', { where: where.text, problem: problem.text }),
    );
  }
}

/** The problems several fields share. */
const MISSING = () => keyed('rule.missing', {});
const NOT_TEXT = () => keyed('rule.notText', {});
const NOT_SECONDS = () => keyed('rule.notSeconds', {});

/** A condition operand: a data point reference, or a constant in the document's notation. */
type Operand =
  | { kind: 'ref'; prefix: string; attr: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'bool'; value: boolean; text: string }
  | { kind: 'text'; value: string; text: string };

export function parseOperand(value: unknown): Operand | undefined {
  if (typeof value === 'number' && Number.isFinite(value))
    return { kind: 'number', value, text: String(value) };
  if (typeof value === 'boolean') return { kind: 'bool', value, text: String(value) };
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const reference = REFERENCE.exec(text);
  if (reference) return { kind: 'ref', prefix: reference[1], attr: reference[2], text };
  if (NUMBER.test(text)) return { kind: 'number', value: Number(text), text };
  if (text === 'true' || text === 'false') return { kind: 'bool', value: text === 'true', text };
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(text);
  if (quoted) return { kind: 'text', value: quoted[1] ?? quoted[2], text };
  return undefined;
}

function parseSetInput(input: unknown): unknown[] {
  let value = input;
  if (typeof value === 'string') {
    if (value.trim() === '') throw invalid(keyed('rule.set.empty', {}));
    try {
      value = JSON.parse(value);
    } catch (error) {
      const reason = (error as Error).message;
      throw invalid(keyed('rule.set.badJson', { reason }));
    }
  }
  if (isObject(value) && Array.isArray(value.rules)) value = value.rules;
  if (!Array.isArray(value)) throw invalid(keyed('rule.set.notArray', {}));
  return value;
}

function checkInteger(value: unknown, fallback: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function parseInputs(rule: Json, at: RuleProblem): RuleInput[] {
  if (rule.input === undefined || rule.input === null) return [];
  if (!Array.isArray(rule.input)) throw at.error('input', keyed('rule.input.notArray', {}));
  const seen = new Set<string>();
  return rule.input.map((input, i) => {
    const field = `input[${i}]`;
    if (!isObject(input)) throw at.error(field, keyed('rule.input.notObject', {}));
    if (typeof input.did !== 'string' || !input.did) throw at.error(`${field}.did`, MISSING());
    if (typeof input.prefix !== 'string' || !PREFIX.test(input.prefix))
      throw at.error(`${field}.prefix`, keyed('rule.input.badPrefix', {}));
    if (seen.has(input.prefix))
      throw at.error(`${field}.prefix`, keyed('rule.input.twice', { prefix: input.prefix }));
    seen.add(input.prefix);
    if (input.product_key !== undefined && typeof input.product_key !== 'string')
      throw at.error(`${field}.product_key`, NOT_TEXT());
    return { did: input.did, prefix: input.prefix, product_key: (input.product_key as string) ?? '' };
  });
}

function parseConditions(rule: Json, inputs: RuleInput[], at: RuleProblem): RuleCondition[][] {
  if (rule.condition === undefined || rule.condition === null) return [];
  if (!Array.isArray(rule.condition)) throw at.error('condition', keyed('rule.condition.notArray', {}));
  const prefixes = inputs.map((input) => input.prefix);
  return rule.condition.map((group, g) => {
    if (!Array.isArray(group) || group.length === 0)
      throw at.error(`condition[${g}]`, keyed('rule.condition.badGroup', {}));
    return group.map((condition, c) => {
      const field = `condition[${g}][${c}]`;
      if (!isObject(condition)) throw at.error(field, keyed('rule.condition.notObject', {}));
      const opt = condition.opt;
      if (typeof opt !== 'string' || !(RULE_OPERATORS as readonly string[]).includes(opt))
        throw at.error(
          `${field}.opt`,
          keyed('rule.oneOf', { choices: RULE_OPERATORS.join(' '), value: String(JSON.stringify(opt)) }),
        );
      const sides = (['left', 'right'] as const).map((side) => {
        const operand = parseOperand(condition[side]);
        if (!operand) {
          throw at.error(
            `${field}.${side}`,
            keyed('rule.condition.badOperand', { value: String(JSON.stringify(condition[side])) }),
          );
        }
        if (operand.kind === 'ref' && !prefixes.includes(operand.prefix)) {
          const params = { operand: operand.text, prefix: operand.prefix };
          throw at.error(
            `${field}.${side}`,
            prefixes.length
              ? keyed('rule.condition.undeclared', { ...params, inputs: prefixes.join(', ') })
              : keyed('rule.condition.undeclaredNoInput', params),
          );
        }
        if (ORDERING.has(opt) && (operand.kind === 'text' || operand.kind === 'bool')) {
          throw at.error(
            `${field}.${side}`,
            keyed('rule.condition.notNumber', { opt, operand: operand.text }),
          );
        }
        return operand;
      });
      if (sides[0].kind !== 'ref' && sides[1].kind !== 'ref')
        throw at.error(field, keyed('rule.condition.constants', {}));
      return { left: sides[0].text, opt: opt as RuleCondition['opt'], right: sides[1].text };
    });
  });
}

function parseAction(action: unknown, field: string, at: RuleProblem): RuleOutput {
  if (!isObject(action)) throw at.error(field, keyed('rule.output.notObject', {}));
  for (const key of Object.keys(action)) {
    if (!['type', 'did', 'attrs', 'raw', 'delay'].includes(key))
      throw at.error(`${field}.${key}`, keyed('rule.output.unknownField', {}));
  }
  if (action.type === 'delay') {
    if (typeof action.delay !== 'number' || !Number.isInteger(action.delay) || action.delay < 0)
      throw at.error(`${field}.delay`, NOT_SECONDS());
    return { type: 'delay', delay: action.delay };
  }
  if (action.type !== 'devctrl')
    throw at.error(
      `${field}.type`,
      keyed('rule.output.badType', { value: String(JSON.stringify(action.type)) }),
    );
  if (typeof action.did !== 'string' || !action.did) throw at.error(`${field}.did`, MISSING());
  const out: RuleOutput = { type: 'devctrl', did: action.did };
  if (action.attrs !== undefined) {
    if (!isObject(action.attrs) || Object.keys(action.attrs).length === 0)
      throw at.error(`${field}.attrs`, keyed('rule.output.badAttrs', {}));
    out.attrs = action.attrs as AttrValues;
  }
  if (action.raw !== undefined) {
    const raw = action.raw;
    if (
      !Array.isArray(raw) ||
      raw.length === 0 ||
      !raw.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)
    )
      throw at.error(`${field}.raw`, keyed('rule.output.badRaw', {}));
    out.raw = raw as number[];
  }
  if (!out.attrs && !out.raw) throw at.error(field, keyed('rule.output.noCommand', {}));
  return out;
}

function parseOutputs(rule: Json, at: RuleProblem): RuleOutput[][] {
  if (!Array.isArray(rule.output) || rule.output.length === 0)
    throw at.error('output', keyed('rule.output.notArray', {}));
  return rule.output.map((group, g) => {
    if (!Array.isArray(group) || group.length === 0)
      throw at.error(`output[${g}]`, keyed('rule.output.badGroup', {}));
    return group.map((action, a) => parseAction(action, `output[${g}][${a}]`, at));
  });
}

function parseRule(rule: unknown, index: number): Rule {
  const at = new RuleProblem(rule, index);
  if (!isObject(rule)) throw at.error('', keyed('rule.notObject', {}));
  for (const key of Object.keys(rule)) {
    if (!RULE_FIELDS.includes(key))
      throw at.error(key, keyed('rule.unknownField', { fields: RULE_FIELDS.slice(1).join(', ') }));
  }
  if (typeof rule.name !== 'string' || rule.name.trim() === '')
    throw at.error('name', keyed('rule.noName', {}));
  const event = rule.event;
  if (typeof event !== 'string' || !(RULE_EVENTS as readonly string[]).includes(event))
    throw at.error(
      'event',
      keyed('rule.oneOf', { choices: RULE_EVENTS.join(', '), value: String(JSON.stringify(event)) }),
    );
  if (typeof rule.did !== 'string' || !rule.did) throw at.error('did', keyed('rule.noDid', { event }));
  for (const key of ['remark', 'product_key'] as const) {
    if (rule[key] !== undefined && rule[key] !== null && typeof rule[key] !== 'string')
      throw at.error(key, NOT_TEXT());
  }
  const interval = checkInteger(rule.interval, 0);
  if (interval === undefined) throw at.error('interval', NOT_SECONDS());
  const parsed: Rule = {
    name: rule.name,
    remark: (rule.remark as string) ?? '',
    did: rule.did,
    product_key: (rule.product_key as string) ?? '',
    interval,
    event: event as Rule['event'],
    input: [],
    condition: [],
    output: [],
  };
  const eventAttr = rule.event_attr;
  if (event === 'alert' || event === 'fault') {
    if (!isObject(eventAttr) || typeof eventAttr.attr_name !== 'string' || !eventAttr.attr_name)
      throw at.error(
        'event_attr',
        event === 'alert'
          ? keyed('rule.eventAttr.missingAlert', {})
          : keyed('rule.eventAttr.missingFault', {}),
      );
    const value = String(eventAttr.value ?? '');
    if (value !== '0' && value !== '1')
      throw at.error('event_attr.value', keyed('rule.eventAttr.badValue', { event: eventName(event) }));
    parsed.event_attr = { attr_name: eventAttr.attr_name, value };
  } else if (
    eventAttr !== undefined &&
    eventAttr !== null &&
    !(isObject(eventAttr) && !Object.keys(eventAttr).length)
  ) {
    throw at.error('event_attr', keyed('rule.eventAttr.notApplicable', { event }));
  }
  parsed.input = parseInputs(rule, at);
  parsed.condition = parseConditions(rule, parsed.input, at);
  parsed.output = parseOutputs(rule, at);
  return parsed;
}

/**
 * The declared set (JSON text, an array, or a listing's `{rules: [...]}`), checked for shape before any
 * call: each error names the rule and the field. Returns the rules in canonical form.
 */
export function parseRuleSet(input: unknown): Rule[] {
  const rules = parseSetInput(input).map(parseRule);
  const names = new Set<string>();
  rules.forEach((rule, index) => {
    if (names.has(rule.name))
      throw new RuleProblem(rule, index).error('name', keyed('rule.duplicateName', {}));
    names.add(rule.name);
  });
  return rules;
}

/** What the checks against data points need: the account's devices and their products' data points. */
export interface RuleDevices {
  /** The product of a bound device, or undefined when the account has no such device. */
  productKeyOf(did: string): string | undefined;
  schemaOf(productKey: string): ProductSchema | undefined;
}

/** Every did a set of rules names (trigger devices, inputs and controlled devices). */
export function ruleDids(rules: Rule[]): string[] {
  const dids = new Set<string>();
  for (const rule of rules) {
    if (rule.did) dids.add(rule.did);
    for (const input of rule.input ?? []) dids.add(input.did);
    for (const group of rule.output) for (const action of group) if (action.did) dids.add(action.did);
  }
  return [...dids];
}

function deviceOf(
  devices: RuleDevices,
  did: string,
  given: string | undefined,
  field: string,
  at: RuleProblem,
): { productKey: string; schema: ProductSchema | undefined } {
  const productKey = devices.productKeyOf(did);
  if (!productKey) throw at.error(field, keyed('rule.device.notBound', { did }));
  if (given && given !== productKey)
    throw at.error(field, keyed('rule.device.otherProduct', { did, product: productKey, given }));
  return { productKey, schema: devices.schemaOf(productKey) };
}

const NUMERIC = /^uint(8|16|32)$|^int|^number$/;

function checkReference(
  operand: Operand,
  other: Operand | undefined,
  opt: string,
  inputs: Map<string, ProductSchema | undefined>,
  field: string,
  at: RuleProblem,
): void {
  if (operand.kind !== 'ref') return;
  const schema = inputs.get(operand.prefix);
  if (!schema) return;
  const point = schema.datapoints.get(operand.attr);
  if (!point) {
    const points = [...schema.datapoints.keys()].join(', ');
    throw at.error(
      field,
      keyed('rule.point.unknown', {
        operand: operand.text,
        product: schema.name,
        attr: operand.attr,
        points,
      }),
    );
  }
  if (ORDERING.has(opt) && !NUMERIC.test(point.dataType))
    throw at.error(
      field,
      keyed('rule.point.notNumeric', { opt, operand: operand.text, type: point.dataType }),
    );
  if (!other || other.kind === 'ref') return;
  if (
    point.dataType === 'bool' &&
    !(other.kind === 'bool' || (other.kind === 'number' && [0, 1].includes(other.value)))
  )
    throw at.error(field, keyed('rule.point.bool', { operand: operand.text, value: other.text }));
  if (point.dataType === 'enum') {
    const labels = point.labels ?? [];
    const ok =
      (other.kind === 'text' && labels.includes(other.value)) ||
      (other.kind === 'number' &&
        Number.isInteger(other.value) &&
        other.value >= 0 &&
        other.value < labels.length);
    if (!ok) {
      const choices = labels.map((l, i) => `${i} '${l}'`).join(', ');
      const first = labels[0] ?? '';
      throw at.error(
        field,
        keyed('rule.point.enum', { operand: operand.text, labels: choices, value: other.text, first }),
      );
    }
  }
  if (NUMERIC.test(point.dataType) && other.kind !== 'number')
    throw at.error(field, keyed('rule.point.number', { operand: operand.text, value: other.text }));
}

/**
 * Checks the rules against the account's devices and data points (bound devices, alert/fault points,
 * condition references, written values), and returns them with product keys filled in and written
 * values encoded as the cloud stores them.
 */
export function checkRuleDevices(rules: Rule[], devices: RuleDevices): Rule[] {
  return rules.map((rule, index) => {
    const at = new RuleProblem(rule, index);
    const main = deviceOf(devices, rule.did!, rule.product_key, 'did', at);
    const checked: Rule = { ...rule, product_key: main.productKey };
    if (rule.event_attr && main.schema) {
      const point = main.schema.datapoints.get(rule.event_attr.attr_name);
      if (!point || point.kind !== rule.event) {
        const candidates = [...main.schema.datapoints.values()].filter((p) => p.kind === rule.event);
        const names = candidates.map((p) => p.name).join(', ');
        const list = candidates.length
          ? keyed('rule.eventAttr.candidates', { event: eventName(rule.event), names })
          : { message: '', text: '' };
        const attr = rule.event_attr.attr_name;
        const params = { attr, product: main.schema.name, candidates: list.text };
        throw at.error(
          'event_attr.attr_name',
          rule.event === 'alert'
            ? keyed('rule.eventAttr.notAlertPoint', params)
            : keyed('rule.eventAttr.notFaultPoint', params),
        );
      }
    }
    const inputs = new Map<string, ProductSchema | undefined>();
    checked.input = (rule.input ?? []).map((input, i) => {
      const device = deviceOf(devices, input.did, input.product_key, `input[${i}].did`, at);
      inputs.set(input.prefix, device.schema);
      return { ...input, product_key: device.productKey };
    });
    (rule.condition ?? []).forEach((group, g) =>
      group.forEach((condition, c) => {
        const left = parseOperand(condition.left)!;
        const right = parseOperand(condition.right)!;
        const field = `condition[${g}][${c}]`;
        checkReference(left, right, condition.opt, inputs, `${field}.left`, at);
        checkReference(right, left, condition.opt, inputs, `${field}.right`, at);
      }),
    );
    checked.output = rule.output.map((group, g) =>
      group.map((action, a) => {
        if (action.type !== 'devctrl' || !action.did) return action;
        const field = `output[${g}][${a}]`;
        const { schema } = deviceOf(devices, action.did, undefined, `${field}.did`, at);
        if (!action.attrs || !schema) return action;
        try {
          return { ...action, attrs: toRestAttrs(schema, encodeWrite(schema, action.attrs, action.did)) };
        } catch (error) {
          throw at.error(
            `${field}.attrs`,
            keyed('rule.attrs', { problem: writeReason(error) ?? (error as Error).message, did: action.did }),
          );
        }
      }),
    );
    return checked;
  });
}

/** A rule in the form used for comparing: rule_id dropped, server defaults filled, constants as text. */
export function comparableRule(rule: Rule): Json {
  const event = rule.event;
  const attr = rule.event_attr;
  return {
    name: rule.name,
    remark: rule.remark ?? '',
    did: rule.did ?? '',
    product_key: rule.product_key ?? '',
    interval: Number(rule.interval ?? 0),
    event,
    event_attr:
      (event === 'alert' || event === 'fault') && attr
        ? { attr_name: attr.attr_name, value: String(attr.value) }
        : undefined,
    input: (rule.input ?? []).map((i) => ({
      did: i.did,
      prefix: i.prefix,
      product_key: i.product_key ?? '',
    })),
    condition: (rule.condition ?? []).map((group) =>
      group.map((c) => ({ left: String(c.left).trim(), opt: c.opt, right: String(c.right).trim() })),
    ),
    output: (rule.output ?? []).map((group) =>
      group.map((action) =>
        action.type === 'delay'
          ? { type: 'delay', delay: Number(action.delay ?? 0) }
          : {
              type: action.type,
              did: action.did ?? '',
              attrs: action.attrs && Object.keys(action.attrs).length ? action.attrs : undefined,
              raw: action.raw && action.raw.length ? action.raw : undefined,
            },
      ),
    ),
  };
}

/** The top-level fields in which two rules differ (empty: the same rule). */
export function ruleDifferences(a: Rule, b: Rule): string[] {
  const left = comparableRule(a);
  const right = comparableRule(b);
  return Object.keys(left).filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key]));
}

export interface SyncPlan<T> {
  create: T[];
  update: Array<{ declared: T; current: T; changed: string[] }>;
  unchanged: Array<{ declared: T; current: T }>;
  /** Current items no declared item matches (extra items with a duplicate key included). */
  extra: T[];
}

/**
 * Matches declared items with current ones by key: the first current item with a key is its match
 * (callers sort by age), and every other current item is extra.
 */
export function planSync<T>(
  declared: T[],
  current: T[],
  keyOf: (item: T) => string,
  differences: (declared: T, current: T) => string[],
): SyncPlan<T> {
  const byKey = new Map<string, T>();
  const extra: T[] = [];
  for (const item of current) {
    const key = keyOf(item);
    if (byKey.has(key)) extra.push(item);
    else byKey.set(key, item);
  }
  const plan: SyncPlan<T> = { create: [], update: [], unchanged: [], extra };
  const wanted = new Set(declared.map(keyOf));
  for (const [key, item] of byKey) if (!wanted.has(key)) extra.push(item);
  for (const item of declared) {
    const match = byKey.get(keyOf(item));
    if (!match) {
      plan.create.push(item);
      continue;
    }
    const changed = differences(item, match);
    if (changed.length) plan.update.push({ declared: item, current: match, changed });
    else plan.unchanged.push({ declared: item, current: match });
  }
  return plan;
}

/** The plan of a rule sync in the node's output shape. */
export interface RulePlan {
  create: Rule[];
  update: Rule[];
  delete: Rule[];
  unchanged: Rule[];
  /** For each rule to update, by name: the fields that differ. */
  changes: Record<string, string[]>;
}

/** What turns the cloud's rules into the declared ones; cloud rules not declared go only with `prune`. */
export function planRules(declared: Rule[], cloud: Rule[], prune: boolean): RulePlan {
  const sorted = [...cloud].sort((a, b) => Number(a.rule_id ?? 0) - Number(b.rule_id ?? 0));
  const plan = planSync(declared, sorted, (rule) => rule.name, ruleDifferences);
  return {
    create: plan.create,
    update: plan.update.map(({ declared: rule, current }) => ({ ...rule, rule_id: current.rule_id })),
    delete: prune ? plan.extra : [],
    unchanged: plan.unchanged.map(({ declared: rule, current }) => ({ ...rule, rule_id: current.rule_id })),
    changes: Object.fromEntries(plan.update.map(({ declared: rule, changed }) => [rule.name, changed])),
  };
}
