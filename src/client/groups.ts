// Device groups as the automation nodes use them: a group's single product and its data point schema,
// control of every device in a group (values validated against that product first), and the management
// actions as a table of calls.
import type { GizwitsClient } from './client';
import { encodeWrite, toRestAttrs, type ProductSchema } from './datapoints';
import { GizwitsError, keyed } from './errors';
import type { DeviceRegistry } from './registry';
import type { AttrValues, Group } from './types';

/** How a caller words a group it cannot use: one the account does not have, or one of mixed products. */
export interface GroupProblems {
  unknown(id: string, groups: Group[]): Error;
  mixed(group: Group): Error;
  /** A value the group's product refuses (default: the client's own error). */
  values?(group: Group, error: unknown): Error;
}

export interface GroupControlResult {
  results: Array<{ did: string; result: unknown }>;
  /** The dids whose write failed. */
  failed: string[];
}

export type GroupManageRequest =
  | { action: 'list' }
  | { action: 'devices' | 'delete'; id: string }
  | { action: 'create'; group_name: string; product_key?: string }
  | { action: 'update'; id: string; group_name: string }
  | { action: 'add' | 'remove'; id: string; dids: string[] };

/** The answer of a management action and, for add and remove, the dids the cloud refused. */
export interface GroupManageAnswer {
  answer: unknown;
  failed?: unknown[];
}

type Manage = {
  [A in GroupManageRequest['action']]: (
    client: GizwitsClient,
    request: Extract<GroupManageRequest, { action: A }>,
  ) => Promise<GroupManageAnswer>;
};

/** One call per management action. */
const MANAGE: Manage = {
  list: async (client) => ({ answer: await client.call('groups.list', {}) }),
  devices: async (client, { id }) => ({ answer: await client.call('groups.devices', { id }) }),
  delete: async (client, { id }) => ({ answer: await client.call('groups.delete', { id }) }),
  create: async (client, { group_name, product_key }) => ({
    answer: await client.call('groups.create', { group_name, ...(product_key ? { product_key } : {}) }),
  }),
  update: async (client, { id, group_name }) => ({
    answer: await client.call('groups.update', { id, group_name }),
  }),
  add: async (client, { id, dids }) => {
    const answer = await client.call('groups.addDevices', { id, dids, show_detail: 1 });
    return { answer, failed: answer.failed ?? [] };
  },
  remove: async (client, { id, dids }) => {
    const answer = await client.call('groups.removeDevices', { id, dids });
    return { answer, failed: answer.failed ?? [] };
  },
};

export function groupService(client: GizwitsClient, registry: () => DeviceRegistry) {
  /** The group and the schema of its one product; a group the account lacks or of mixed products throws. */
  async function schemaOf(
    id: string,
    problems: GroupProblems,
  ): Promise<{ group: Group; schema: () => Promise<ProductSchema> }> {
    const groups = (await client.call('groups.list', {})) as Group[];
    const group = groups.find((candidate) => candidate.id === id);
    if (!group) throw problems.unknown(id, groups);
    const productKey = group.product_key;
    if (!productKey) throw problems.mixed(group);
    return { group, schema: () => registry().schema(productKey) };
  }

  return {
    schemaOf,

    /** Writes the same values (or raw bytes) to every device of a single-product group. */
    async control(
      id: string,
      command: { values?: unknown; raw?: number[] },
      problems: GroupProblems,
      onSending: () => void = () => undefined,
    ): Promise<GroupControlResult> {
      // The group's product decides both whether the cloud can control it and what values it takes.
      const { group, schema } = await schemaOf(id, problems);
      const body: { id: string; attrs?: AttrValues; raw?: number[] } = { id };
      if (command.raw) body.raw = command.raw;
      else {
        const product = await schema();
        try {
          body.attrs = toRestAttrs(product, encodeWrite(product, command.values));
        } catch (error) {
          throw problems.values ? problems.values(group, error) : error;
        }
      }
      onSending();
      const results = await client.call('groups.control', body);
      if (!Array.isArray(results))
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation: 'groups.control',
          serverMessage: 'the answer was not a list',
          ...keyed('request.notList', { operation: 'groups.control' }),
        });
      return { results, failed: results.filter((r) => r.result !== true).map((r) => r.did) };
    },

    /** A management action (list, devices, create, update, delete, add, remove). */
    manage(request: GroupManageRequest): Promise<GroupManageAnswer> {
      return (
        MANAGE[request.action] as (c: GizwitsClient, r: GroupManageRequest) => Promise<GroupManageAnswer>
      )(client, request);
    },
  };
}

export type GroupService = ReturnType<typeof groupService>;
