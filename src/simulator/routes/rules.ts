// Linkage rules: stored as the client sends them once they pass the document's shape checks; the rule
// engine (model/rule-engine.ts) evaluates them on device reports.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { ruleParams } from '../model/datapoint-document';
import type { RuleRecord } from '../model/records';
import {
  bodyObject,
  optionalInteger,
  optionalString,
  pageOf,
  requireBoundDevice,
  type JsonObject,
} from './fields';

const EVENTS = ['online', 'offline', 'alert', 'fault', 'data'];
const OPERATORS = ['>', '>=', '<', '<=', '==', '!='];

export function deleteRule(context: RequestContext) {
  const rule = ownRule(context);
  context.model.rules.delete(rule.rule_id);
  return { rule_id: rule.rule_id };
}

export function params(context: RequestContext) {
  const wanted = (context.query.get('product_key') ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  const answer: Record<string, ReturnType<typeof ruleParams>> = {};
  for (const product of context.model.products.values()) {
    // Unknown product keys are ignored, as the document says.
    if (wanted.length === 0 || wanted.includes(product.product_key))
      answer[product.product_key] = ruleParams(product);
  }
  return answer;
}

function ruleView(rule: RuleRecord) {
  return { ...rule.body, rule_id: rule.rule_id };
}

export function listRules(context: RequestContext) {
  const page = pageOf(context.query);
  const mine = [...context.model.rules.values()]
    .filter((rule) => rule.uid === context.uid)
    .sort((a, b) => a.rule_id - b.rule_id);
  return { rules: mine.slice(page.skip, page.skip + page.limit).map(ruleView) };
}

function ownRule(context: RequestContext): RuleRecord {
  const id = Number(context.params.rule_id);
  const rule = Number.isInteger(id) ? context.model.rules.get(id) : undefined;
  if (!rule || rule.uid !== context.uid)
    throw new GizwitsApiError(9015, `rule ${context.params.rule_id} not found`, 404);
  return rule;
}

export function createRule(context: RequestContext) {
  const body = validatedRule(context);
  const rule: RuleRecord = { rule_id: context.model.takeRuleId(), uid: context.uid, body };
  context.model.rules.set(rule.rule_id, rule);
  return { rule_id: rule.rule_id };
}

export function updateRule(context: RequestContext) {
  const rule = ownRule(context);
  rule.body = validatedRule(context);
  return { rule_id: rule.rule_id };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(body: JsonObject, key: string): unknown[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw formInvalid(`${key} must be an array`);
  return value;
}

/** Checks the shape the document describes and returns the rule as it will be stored. */
function validatedRule(context: RequestContext): JsonObject {
  const body = bodyObject(context);
  const event = body.event;
  if (typeof event !== 'string' || !EVENTS.includes(event))
    throw formInvalid(`event must be one of ${EVENTS.join(', ')}`);
  for (const key of ['name', 'remark']) optionalString(body, key);
  const interval = optionalInteger(body, 'interval');
  if (interval !== undefined && interval < 0) throw formInvalid('interval must not be negative');
  const productKey = optionalString(body, 'product_key');
  if (productKey && !context.model.products.has(productKey)) throw new GizwitsApiError(9002);
  const did = optionalString(body, 'did');
  if (did) requireBoundDevice(context, did);
  if ((event === 'alert' || event === 'fault') && body.event_attr !== undefined) {
    const attr = body.event_attr;
    if (!isObject(attr) || typeof attr.attr_name !== 'string')
      throw formInvalid('event_attr needs attr_name and value');
  }
  for (const input of arrayOf(body, 'input') ?? []) {
    if (!isObject(input) || typeof input.did !== 'string' || typeof input.prefix !== 'string') {
      throw formInvalid('each input needs did, prefix and product_key');
    }
  }
  for (const group of arrayOf(body, 'condition') ?? []) {
    if (!Array.isArray(group)) throw formInvalid('condition is an array of condition groups (arrays)');
    for (const condition of group) {
      if (!isObject(condition) || typeof condition.left !== 'string' || typeof condition.right !== 'string') {
        throw formInvalid('each condition needs left, opt and right strings');
      }
      if (typeof condition.opt !== 'string' || !OPERATORS.includes(condition.opt)) {
        throw formInvalid(`opt must be one of ${OPERATORS.join(' ')}`);
      }
    }
  }
  for (const group of arrayOf(body, 'output') ?? []) {
    if (!Array.isArray(group)) throw formInvalid('output is an array of action groups (arrays)');
    for (const action of group) checkAction(action);
  }
  const stored: JsonObject = JSON.parse(JSON.stringify(body));
  delete stored.rule_id;
  return stored;
}

function checkAction(action: unknown): void {
  if (!isObject(action)) throw formInvalid('each output action must be an object');
  if (action.type === 'delay') {
    if (typeof action.delay !== 'number' || !Number.isInteger(action.delay) || action.delay < 0) {
      throw formInvalid('a delay action needs delay (whole seconds)');
    }
  } else if (action.type === 'devctrl') {
    if (typeof action.did !== 'string') throw formInvalid('a devctrl action needs did');
    if (!isObject(action.attrs) && !Array.isArray(action.raw))
      throw formInvalid('a devctrl action needs attrs or raw');
  } else {
    throw formInvalid('output type must be devctrl or delay');
  }
}
