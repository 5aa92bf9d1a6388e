// gizwits-group-control: device groups. `control` writes the same values to every device of a
// single-product group (validated against that product first) and says which devices failed; the other
// actions manage groups and their members.
import {
  chooseAction,
  groupService,
  inputError,
  keyed,
  nonEmptyText,
  writeReason,
  type GroupManageRequest,
  type GroupProblems,
} from '../../client';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';
import { ACTIONS, requestOf, TYPE, type Action, type Request } from './group-request';

interface GroupControlDef extends NodeDef {
  account: string;
  group: string;
  action: Action;
  configVersion?: number;
}

type GroupMessage = NodeMessageInFlow & { action?: unknown; groupId?: unknown; failed?: unknown };

export = function (RED: NodeAPI) {
  function GizwitsGroupControl(this: Node, def: GroupControlDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });

    /** How this node words a group it cannot control, and values the group's product refuses. */
    const problems: GroupProblems = {
      unknown(id, groups) {
        const known = groups.map((g) => `${g.id} "${g.group_name}"`).join(', ');
        const list = known ? keyed('group.known', { groups: known }) : undefined;
        return inputError(TYPE, keyed('group.unknown', { id, known: list?.text ?? '' }));
      },
      mixed: (group) => inputError(TYPE, keyed('group.mixed', { group: group.group_name })),
      // The client's reason, framed as the group's: `group "<name>": <reason>`.
      values: (group, error) =>
        inputError(
          TYPE,
          keyed('group.values', {
            group: group.group_name,
            detail: writeReason(error) ?? (error as Error).message,
          }),
        ),
    };

    async function control(request: Extract<Request, { action: 'control' }>, msg: GroupMessage) {
      const acc = account.require();
      const groups = groupService(acc.client(), () => acc.devices());
      const { results, failed } = await groups.control(request.id, request, problems, () =>
        node.status({ fill: 'blue', shape: 'dot', text: say('status.controlling') }),
      );
      msg.payload = results;
      msg.failed = failed;
      const ok = results.length - failed.length;
      node.status({
        fill: failed.length === 0 ? 'green' : ok === 0 ? 'red' : 'yellow',
        shape: failed.length === 0 ? 'dot' : 'ring',
        text: say('status.controlled', { ok, total: results.length, time: clockTime() }),
      });
    }

    async function manage(request: GroupManageRequest, msg: GroupMessage) {
      const acc = account.require();
      // What the action does, in a few words: status.actions.list, .devices, .create, ...
      const doing = say(`status.actions.${request.action}`);
      node.status({ fill: 'blue', shape: 'dot', text: doing });
      const { answer, failed } = await groupService(acc.client(), () => acc.devices()).manage(request);
      msg.payload = answer;
      if (failed) msg.failed = failed;
      node.status({
        fill: 'green',
        shape: 'dot',
        text: say('status.done', { action: doing, time: clockTime() }),
      });
    }

    onInput<GroupMessage>(node, { say, asError }, async (msg) => {
      const action = chooseAction(TYPE, msg.action, config.action, ACTIONS);
      const id = nonEmptyText(msg.groupId) ?? nonEmptyText(config.group);
      const request = requestOf(action, id, msg.payload);
      if (request.action === 'control') await control(request, msg);
      else await manage(request, msg);
      msg.action = action;
      if (id && action !== 'list' && action !== 'create') msg.groupId = id;
    });
  }

  RED.nodes.registerType(TYPE, GizwitsGroupControl as never);
};
