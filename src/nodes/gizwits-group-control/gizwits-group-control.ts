// gizwits-group-control: device groups. `control` writes the same values to every device of a
// single-product group (validated against that product first) and says which devices failed; the other
// actions manage groups and their members.
import {
  encodeWrite,
  GizwitsError,
  keyed,
  toBytes,
  toRestAttrs,
  writeReason,
  type AttrValues,
  type Group,
} from '../../client';
import { chooseAction, inputError, nonEmptyText } from '../common/automation';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

const TYPE = 'gizwits-group-control';
const ACTIONS = ['control', 'list', 'devices', 'create', 'update', 'delete', 'add', 'remove'] as const;
type Action = (typeof ACTIONS)[number];

interface GroupControlDef extends NodeDef {
  account: string;
  group: string;
  action: Action;
  configVersion?: number;
}

type GroupMessage = NodeMessageInFlow & { action?: unknown; groupId?: unknown; failed?: unknown };

/** What an action sends, built and checked before any call. */
type Request =
  | { action: 'list' }
  | { action: 'devices' | 'delete'; id: string }
  | { action: 'create'; group_name: string; product_key?: string }
  | { action: 'update'; id: string; group_name: string }
  | { action: 'add' | 'remove'; id: string; dids: string[] }
  | { action: 'control'; id: string; values?: Record<string, unknown>; raw?: number[] };

function didsOf(payload: unknown): string[] {
  const list = Array.isArray(payload)
    ? payload
    : payload && typeof payload === 'object' && Array.isArray((payload as { dids?: unknown }).dids)
      ? (payload as { dids: unknown[] }).dids
      : typeof payload === 'string' && payload.trim()
        ? [payload.trim()]
        : undefined;
  if (!list || list.length === 0 || !list.every((did) => nonEmptyText(did)))
    throw inputError(TYPE, keyed('group.noDids', {}));
  return list.map((did) => String(did).trim());
}

function nameOf(payload: unknown, action: string): string {
  const name =
    typeof payload === 'string' ? payload : (payload as { group_name?: unknown } | undefined)?.group_name;
  const text = nonEmptyText(name);
  if (!text) throw inputError(TYPE, keyed('group.noName', { action }));
  return text;
}

function requestOf(action: Action, id: string | undefined, payload: unknown): Request {
  if (action === 'list') return { action };
  if (action === 'create') {
    const productKey = (payload as { product_key?: unknown } | undefined)?.product_key;
    if (productKey !== undefined && typeof productKey !== 'string')
      throw inputError(TYPE, keyed('group.productKey', {}));
    return {
      action,
      group_name: nameOf(payload, action),
      ...(productKey ? { product_key: productKey } : {}),
    };
  }
  if (!id) throw inputError(TYPE, keyed('group.noGroup', { action }));
  switch (action) {
    case 'devices':
    case 'delete':
      return { action, id };
    case 'update':
      return { action, id, group_name: nameOf(payload, action) };
    case 'add':
    case 'remove':
      return { action, id, dids: didsOf(payload) };
    case 'control': {
      if (Array.isArray(payload) || Buffer.isBuffer(payload)) {
        const raw = toBytes(payload);
        if (!raw || raw.length === 0) throw inputError(TYPE, keyed('group.badRaw', {}));
        return { action, id, raw };
      }
      if (!payload || typeof payload !== 'object' || Object.keys(payload).length === 0)
        throw inputError(TYPE, keyed('group.noValues', {}));
      return { action, id, values: payload as Record<string, unknown> };
    }
  }
}

export = function (RED: NodeAPI) {
  function GizwitsGroupControl(this: Node, def: GroupControlDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });

    async function control(request: Extract<Request, { action: 'control' }>, msg: GroupMessage) {
      const acc = account.require();
      const client = acc.client();
      // The group's product decides both whether the cloud can control it and what values it takes.
      const groups = (await client.call('groups.list', {})) as Group[];
      const group = groups.find((g) => g.id === request.id);
      if (!group) {
        const known = groups.map((g) => `${g.id} "${g.group_name}"`).join(', ');
        const list = known ? keyed('group.known', { groups: known }) : undefined;
        throw inputError(TYPE, keyed('group.unknown', { id: request.id, known: list?.text ?? '' }));
      }
      if (!group.product_key) {
        throw inputError(TYPE, keyed('group.mixed', { group: group.group_name }));
      }
      const body: { id: string; attrs?: AttrValues; raw?: number[] } = { id: request.id };
      if (request.raw) body.raw = request.raw;
      else {
        const schema = await acc.devices().schema(group.product_key);
        try {
          body.attrs = toRestAttrs(schema, encodeWrite(schema, request.values));
        } catch (error) {
          // The client's reason, framed as the group's: `group "<name>": <reason>`.
          const detail = writeReason(error) ?? (error as Error).message;
          throw inputError(TYPE, keyed('group.values', { group: group.group_name, detail }));
        }
      }
      node.status({ fill: 'blue', shape: 'dot', text: say('status.controlling') });
      const results = await client.call('groups.control', body);
      if (!Array.isArray(results))
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation: 'groups.control',
          serverMessage: 'the answer was not a list',
          // The client's own text for an answer that is not a list.
          ...keyed('request.notList', { operation: 'groups.control' }),
        });
      const failed = results.filter((r) => r.result !== true).map((r) => r.did);
      msg.payload = results;
      msg.failed = failed;
      const ok = results.length - failed.length;
      const total = results.length;
      const time = clockTime();
      node.status({
        fill: failed.length === 0 ? 'green' : ok === 0 ? 'red' : 'yellow',
        shape: failed.length === 0 ? 'dot' : 'ring',
        text: say('status.controlled', { ok, total, time }),
      });
    }

    async function manage(request: Exclude<Request, { action: 'control' }>, msg: GroupMessage) {
      const client = account.require().client();
      // What the action does, in a few words: status.actions.list, .devices, .create, ...
      const doing = say(`status.actions.${request.action}`);
      node.status({ fill: 'blue', shape: 'dot', text: doing });
      switch (request.action) {
        case 'list':
          msg.payload = await client.call('groups.list', {});
          break;
        case 'devices':
          msg.payload = await client.call('groups.devices', { id: request.id });
          break;
        case 'delete':
          msg.payload = await client.call('groups.delete', { id: request.id });
          break;
        case 'create':
          msg.payload = await client.call('groups.create', {
            group_name: request.group_name,
            ...(request.product_key ? { product_key: request.product_key } : {}),
          });
          break;
        case 'update':
          msg.payload = await client.call('groups.update', {
            id: request.id,
            group_name: request.group_name,
          });
          break;
        case 'add': {
          const answer = await client.call('groups.addDevices', {
            id: request.id,
            dids: request.dids,
            show_detail: 1,
          });
          msg.payload = answer;
          msg.failed = answer.failed ?? [];
          break;
        }
        case 'remove': {
          const answer = await client.call('groups.removeDevices', { id: request.id, dids: request.dids });
          msg.payload = answer;
          msg.failed = answer.failed ?? [];
          break;
        }
      }
      const time = clockTime();
      node.status({
        fill: 'green',
        shape: 'dot',
        text: say('status.done', { action: doing, time }),
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
