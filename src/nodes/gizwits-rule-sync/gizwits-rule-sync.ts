// gizwits-rule-sync: keeps the cloud's linkage rules equal to a declared set, matched by name. `plan`
// says what would change, `apply` makes it so (`prune` also deletes rules the set does not declare).
// Every rule is checked (shape first, then against the account's devices and data points) before any
// change is made.
import {
  applyInOrder,
  checkRuleDevices,
  type GizwitsClient,
  parseRuleSet,
  plannedChanges,
  planRules,
  type ProductSchema,
  type Rule,
  ruleDids,
  ruleDifferences,
  type RulePlan,
  withNodeName,
} from '../../client';
import type { GizwitsAccountNode } from '../common/account-node';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

const TYPE = 'gizwits-rule-sync';

interface RuleSyncDef extends NodeDef {
  account: string;
  rules: string | unknown[];
  mode: 'plan' | 'apply';
  prune: boolean;
  configVersion?: number;
}

type RuleMessage = NodeMessageInFlow & { changes?: unknown; applied?: unknown; notApplied?: unknown };

/** msg.payload declares the set when it is one (an array, its JSON text, or a listing); else the node's. */
function declaredSource(payload: unknown, configured: unknown): unknown {
  if (Array.isArray(payload)) return payload;
  if (payload && typeof payload === 'object' && Array.isArray((payload as { rules?: unknown }).rules))
    return payload;
  if (typeof payload === 'string' && /^\s*[[{]/.test(payload)) return payload;
  return configured;
}

/** The declared rules checked against the account's devices and their data points. */
async function checkedRules(acc: GizwitsAccountNode, declared: Rule[]): Promise<Rule[]> {
  const registry = acc.devices();
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

function summary(plan: RulePlan): string {
  return `+${plan.create.length} ~${plan.update.length} -${plan.delete.length} =${plan.unchanged.length}`;
}

export = function (RED: NodeAPI) {
  function GizwitsRuleSync(this: Node, def: RuleSyncDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const prune = config.prune === true;
    const mode = config.mode === 'apply' ? 'apply' : 'plan';

    async function apply(client: GizwitsClient, plan: RulePlan): Promise<void> {
      const changes = plannedChanges<Rule>(plan, {
        name: (rule) => rule.name,
        id: (rule) => rule.rule_id,
        sameIn: (rule, now) => {
          const current = now.find((candidate) => candidate.name === rule.name);
          return !!current && ruleDifferences(rule, current).length === 0;
        },
        create: async (rule) => {
          rule.rule_id = (await client.call('rules.create', rule)).rule_id;
        },
        update: async (rule) => {
          await client.call('rules.update', rule as Rule & { rule_id: number });
        },
        remove: async (rule) => {
          await client.call('rules.delete', { rule_id: rule.rule_id! });
        },
      });
      await applyInOrder(TYPE, changes, async () => (await client.listAll('rules.list')) as Rule[]);
    }

    onInput<RuleMessage>(node, { say, asError }, async (msg) => {
      let declared: Rule[];
      try {
        declared = parseRuleSet(declaredSource(msg.payload, config.rules));
      } catch (error) {
        throw withNodeName(TYPE, error);
      }
      const acc = account.require();
      const client = acc.client();
      node.status({ fill: 'blue', shape: 'dot', text: say('status.checking') });
      let checked: Rule[];
      try {
        checked = await checkedRules(acc, declared);
      } catch (error) {
        throw withNodeName(TYPE, error);
      }
      const cloud = (await client.listAll('rules.list')) as Rule[];
      const plan = planRules(checked, cloud, prune);
      if (mode === 'apply') {
        const changes = summary(plan);
        node.status({
          fill: 'blue',
          shape: 'dot',
          text: say('status.applying', { changes }),
        });
        try {
          await apply(client, plan);
        } catch (error) {
          const report = (error as { report?: { applied: string[]; notApplied: string[] } }).report;
          if (report) {
            msg.applied = report.applied;
            msg.notApplied = report.notApplied;
          }
          throw error;
        }
      }
      msg.payload = {
        create: plan.create,
        update: plan.update,
        delete: plan.delete,
        unchanged: plan.unchanged,
      };
      msg.changes = plan.changes;
      const changes = summary(plan);
      const time = clockTime();
      node.status({
        fill: 'green',
        shape: 'dot',
        text:
          mode === 'apply'
            ? say('status.applied', { changes, time })
            : say('status.planned', { changes, time }),
      });
    });
  }

  RED.nodes.registerType(TYPE, GizwitsRuleSync as never);
};
