// gizwits-rule-sync: keeps the cloud's linkage rules equal to a declared set, matched by name. `plan`
// says what would change, `apply` makes it so (`prune` also deletes rules the set does not declare).
// Every rule is checked (shape first, then against the account's devices and data points) before any
// change is made, by the client's rule service (src/client/rules/sync.ts).
import { declaredRuleSource, ruleService, syncSummary } from '../../client';
import { onInput, reportingChanges } from '../common/input';
import { setUpNode } from '../common/node-setup';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';

const TYPE = 'gizwits-rule-sync';

interface RuleSyncDef extends NodeDef {
  account: string;
  rules: string | unknown[];
  mode: 'plan' | 'apply';
  prune: boolean;
  configVersion?: number;
}

type RuleMessage = NodeMessageInFlow & { changes?: unknown; applied?: unknown; notApplied?: unknown };

export = function (RED: NodeAPI) {
  function GizwitsRuleSync(this: Node, def: RuleSyncDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const prune = config.prune === true;
    const mode = config.mode === 'apply' ? 'apply' : 'plan';
    const rules = ruleService(
      () => account.require().client(),
      () => account.require().devices(),
      TYPE,
    );

    onInput<RuleMessage>(node, { say, asError }, async (msg) => {
      const declared = rules.parse(declaredRuleSource(msg.payload, config.rules));
      // The account before the status says it is checking: a node without one says so at once.
      account.require().client();
      node.status({ fill: 'blue', shape: 'dot', text: say('status.checking') });
      const plan = await rules.plan(declared, prune);
      if (mode === 'apply') {
        node.status({
          fill: 'blue',
          shape: 'dot',
          text: say('status.applying', { changes: syncSummary(plan) }),
        });
        await reportingChanges(msg, () => rules.apply(plan));
      }
      msg.payload = {
        create: plan.create,
        update: plan.update,
        delete: plan.delete,
        unchanged: plan.unchanged,
      };
      msg.changes = plan.changes;
      const changes = syncSummary(plan);
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
