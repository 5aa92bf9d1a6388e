// The rule sync service: a declared set of linkage rules checked (its shape, then against the account's
// devices and their data points) and planned against the cloud's rules, and a plan applied in order with
// an honest report when it fails part-way. Errors name the caller (a node type).
import { applyInOrder, plannedChanges, withNodeName } from '../automation';
import type { GizwitsClient } from '../client';
import type { ProductSchema } from '../datapoints';
import type { DeviceRegistry } from '../registry';
import type { Rule } from '../types';
import { checkRuleDevices, ruleDids } from './check';
import { parseRuleSet } from './parse';
import { planRules, ruleDifferences, type RulePlan } from './plan';

/** A message's payload declares the set when it is one (an array, its JSON text, or a listing). */
export function declaredRuleSource(payload: unknown, configured: unknown): unknown {
  if (Array.isArray(payload)) return payload;
  if (payload && typeof payload === 'object' && Array.isArray((payload as { rules?: unknown }).rules))
    return payload;
  if (typeof payload === 'string' && /^\s*[[{]/.test(payload)) return payload;
  return configured;
}

/** The declared rules checked against the account's devices and their data points. */
async function checkedRules(registry: DeviceRegistry, declared: Rule[]): Promise<Rule[]> {
  await registry.ready();
  const dids = ruleDids(declared);
  if (dids.some((did) => !registry.device(did))) await registry.refreshBindings();
  const schemas = new Map<string, ProductSchema>();
  for (const did of dids) {
    const productKey = registry.device(did)?.productKey;
    if (productKey && !schemas.has(productKey)) schemas.set(productKey, await registry.schema(productKey));
  }
  return checkRuleDevices(declared, {
    productKeyOf: (did) => registry.device(did)?.productKey,
    schemaOf: (productKey) => schemas.get(productKey),
  });
}

/** `client` and `registry` are asked for only when a call needs them, after the input has been parsed. */
export function ruleService(client: () => GizwitsClient, registry: () => DeviceRegistry, caller: string) {
  return {
    /** The declared set, parsed; bad input throws an error that names the caller. Makes no call. */
    parse(source: unknown): Rule[] {
      try {
        return parseRuleSet(source);
      } catch (error) {
        throw withNodeName(caller, error);
      }
    },

    /** The declared rules checked against the account's devices, and the plan that makes the cloud's equal. */
    async plan(declared: Rule[], prune: boolean): Promise<RulePlan> {
      const devices = registry();
      let checked: Rule[];
      try {
        checked = await checkedRules(devices, declared);
      } catch (error) {
        throw withNodeName(caller, error);
      }
      const cloud = (await client().listAll('rules.list')) as Rule[];
      return planRules(checked, cloud, prune);
    },

    /** Applies a plan: creates, then updates, then deletes; a failure throws with a `report`. */
    async apply(plan: RulePlan): Promise<void> {
      const api = client();
      const changes = plannedChanges<Rule>(plan, {
        name: (rule) => rule.name,
        id: (rule) => rule.rule_id,
        sameIn: (rule, now) => {
          const current = now.find((candidate) => candidate.name === rule.name);
          return !!current && ruleDifferences(rule, current).length === 0;
        },
        create: async (rule) => {
          rule.rule_id = (await api.call('rules.create', rule)).rule_id;
        },
        update: async (rule) => {
          await api.call('rules.update', rule as Rule & { rule_id: number });
        },
        remove: async (rule) => {
          await api.call('rules.delete', { rule_id: rule.rule_id! });
        },
      });
      await applyInOrder(caller, changes, async () => (await api.listAll('rules.list')) as Rule[]);
    },
  };
}
