// Declared rules against the account: bound devices, alert and fault points, condition references and
// written values checked with the products' data points. Pure: the caller fetches what `RuleDevices` gives.
import { encodeWrite, toRestAttrs, writeReason, type ProductSchema } from '../datapoints';
import { keyed } from '../errors';
import type { Rule } from '../types';
import { parseOperand, type Operand } from './parse';
import { ORDERING, RuleProblem, eventName } from './problem';

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
