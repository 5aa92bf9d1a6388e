// gizwits-group-control: device groups. `control` writes the same values to every device of a
// single-product group (validated against that product first) and says which devices failed; the other
// actions manage groups and their members.
import {
  encodeWrite,
  GizwitsError,
  keyed,
  toBytes,
  toRestAttrs,
  type AttrValues,
  type ErrorText,
  type Group,
} from '../../client';
import { useAccount } from '../common/account-user';
import { chooseAction, inputError, nonEmptyText } from '../common/automation';
import { migrateConfig } from '../common/migrate';
import type { Done, Node, NodeAPI, NodeDef, NodeMessageInFlow, Send } from '../common/red';
import { translator } from '../common/red';
import { errorTranslator } from '../common/error-text';
import { clockTime, errorStatus } from '../common/status';

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
    throw inputError(
      TYPE,
      keyed(
        'group.noDids',
        {},
        'msg.payload must be the dids to add or remove: an array such as ["did1", "did2"]',
      ),
    );
  return list.map((did) => String(did).trim());
}

function nameOf(payload: unknown, action: string): string {
  const name =
    typeof payload === 'string' ? payload : (payload as { group_name?: unknown } | undefined)?.group_name;
  const text = nonEmptyText(name);
  if (!text)
    throw inputError(
      TYPE,
      keyed(
        'group.noName',
        { action },
        `${action} needs a group name: msg.payload = {"group_name": "Living room"} or the name as text`,
      ),
    );
  return text;
}

function requestOf(action: Action, id: string | undefined, payload: unknown): Request {
  if (action === 'list') return { action };
  if (action === 'create') {
    const productKey = (payload as { product_key?: unknown } | undefined)?.product_key;
    if (productKey !== undefined && typeof productKey !== 'string')
      throw inputError(
        TYPE,
        keyed('group.productKey', {}, 'product_key must be text (the product of a single-product group)'),
      );
    return {
      action,
      group_name: nameOf(payload, action),
      ...(productKey ? { product_key: productKey } : {}),
    };
  }
  if (!id)
    throw inputError(
      TYPE,
      keyed(
        'group.noGroup',
        { action },
        `${action} needs a group: choose one in the node or set msg.groupId`,
      ),
    );
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
        if (!raw || raw.length === 0)
          throw inputError(
            TYPE,
            keyed('group.badRaw', {}, 'raw data must be a non-empty array of bytes (0-255) or a Buffer'),
          );
        return { action, id, raw };
      }
      if (!payload || typeof payload !== 'object' || Object.keys(payload).length === 0)
        throw inputError(
          TYPE,
          keyed(
            'group.noValues',
            {},
            'control needs msg.payload: data point values such as {"switch": true}, or an array of bytes',
          ),
        );
      return { action, id, values: payload as Record<string, unknown> };
    }
  }
}

/**
 * The text of a value the group's product refuses: the client's `write.*` text is worded as a whole
 * sentence ("Cannot write: ..."), which the group's message gives without its start; `group.write.*`
 * holds the same reasons without it. Undefined when the error is not one of them.
 */
function valuesText(error: unknown, detail: string): ErrorText | undefined {
  const text = error instanceof GizwitsError ? error.text : undefined;
  if (!text || !text.key.startsWith('write.') || text.params?.target !== '') return undefined;
  if ((error as Error).message !== `Cannot write: ${detail}`) return undefined;
  const params = { ...text.params };
  delete params.target;
  return { key: `group.${text.key}`, params };
}

export = function (RED: NodeAPI) {
  // done(err) wording in the runtime's language
  const asError = errorTranslator(RED);
  function GizwitsGroupControl(this: Node, def: GroupControlDef) {
    RED.nodes.createNode(this, def);
    const config = migrateConfig(TYPE, def);
    const node = this;
    const say = translator(RED, TYPE);
    const account = useAccount(RED, node, config.account, { mirrorState: false });

    async function control(request: Extract<Request, { action: 'control' }>, msg: GroupMessage) {
      const acc = account.require();
      const client = acc.client();
      // The group's product decides both whether the cloud can control it and what values it takes.
      const groups = (await client.call('groups.list', {})) as Group[];
      const group = groups.find((g) => g.id === request.id);
      if (!group) {
        const known = groups.map((g) => `${g.id} "${g.group_name}"`).join(', ');
        const list = known ? keyed('group.known', { groups: known }, ` (groups: ${known})`) : undefined;
        throw inputError(
          TYPE,
          keyed(
            'group.unknown',
            { id: request.id, known: list?.text ?? '' },
            `the account has no group ${request.id}${list?.message ?? ''}`,
          ),
        );
      }
      if (!group.product_key) {
        throw inputError(
          TYPE,
          keyed(
            'group.mixed',
            { group: group.group_name },
            `group "${group.group_name}" is not a single-product group, and the Open API controls single-product groups only: ` +
              'control its devices one by one with gizwits-device-control, or make a group of one product',
          ),
        );
      }
      const body: { id: string; attrs?: AttrValues; raw?: number[] } = { id: request.id };
      if (request.raw) body.raw = request.raw;
      else {
        const schema = await acc.devices().schema(group.product_key);
        try {
          body.attrs = toRestAttrs(schema, encodeWrite(schema, request.values));
        } catch (error) {
          const detail = (error as Error).message.replace(/^Cannot write: /, '');
          const text = valuesText(error, detail);
          throw inputError(TYPE, {
            message: `group "${group.group_name}": ${detail}`,
            text: text && { key: 'group.values', params: { group: group.group_name, detail: text } },
          });
        }
      }
      node.status({ fill: 'blue', shape: 'dot', text: say('status.controlling', 'controlling') });
      const results = await client.call('groups.control', body);
      if (!Array.isArray(results))
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation: 'groups.control',
          serverMessage: 'the answer was not a list',
          // The client's own text for an answer that is not a list.
          ...keyed(
            'request.notList',
            { operation: 'groups.control' },
            'Gizwits groups.control failed: BAD_RESPONSE (the answer was not a list)',
          ),
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
        text: say('status.controlled', `${ok} of ${total} ok · ${time}`, { ok, total, time }),
      });
    }

    async function manage(request: Exclude<Request, { action: 'control' }>, msg: GroupMessage) {
      const client = account.require().client();
      // What the action does, in a few words: status.actions.list, .devices, .create, ...
      const doing = say(`status.actions.${request.action}`, request.action);
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
        text: say('status.done', `${doing} ${time}`, { action: doing, time }),
      });
    }

    node.on('input', async (msg: GroupMessage, send: Send, done: Done) => {
      try {
        const action = chooseAction(TYPE, msg.action, config.action, ACTIONS);
        const id = nonEmptyText(msg.groupId) ?? nonEmptyText(config.group);
        const request = requestOf(action, id, msg.payload);
        if (request.action === 'control') await control(request, msg);
        else await manage(request, msg);
        msg.action = action;
        if (id && action !== 'list' && action !== 'create') msg.groupId = id;
        send(msg);
        done();
      } catch (error) {
        node.status(errorStatus(error, say));
        done(asError(error));
      }
    });
  }

  RED.nodes.registerType(TYPE, GizwitsGroupControl as never);
};
