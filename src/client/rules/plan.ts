// The plan that turns the cloud's rules into the declared ones: rules matched by name, compared in a
// canonical form that ignores rule_id, key order and the defaults the server fills in.
import { fieldDifferences, planSync, type DeclaredSyncPlan } from '../sync-plan';
import type { Rule } from '../types';
import type { Json } from './problem';

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
  return fieldDifferences(comparableRule(a), comparableRule(b));
}

/** The plan of a rule sync in the node's output shape; `changes` by rule name. */
export type RulePlan = DeclaredSyncPlan<Rule>;

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
