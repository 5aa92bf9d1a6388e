// Linkage rules as declared: the set's JSON checked for shape before any call, each problem naming the
// rule and the field. Pure: no calls here.
import { keyed } from '../errors';
import { isObject } from '../socket-frames';
import type { AttrValues, Rule, RuleCondition, RuleInput, RuleOutput } from '../types';
import {
  MISSING,
  NOT_SECONDS,
  NOT_TEXT,
  ORDERING,
  RULE_EVENTS,
  RULE_OPERATORS,
  RuleProblem,
  eventName,
  invalid,
  type Json,
} from './problem';

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

/** A condition operand: a data point reference, or a constant in the document's notation. */
export type Operand =
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
