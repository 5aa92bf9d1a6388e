// What a gizwits-group-control message asks for, built and checked before any call: bad input throws
// an error that names the node, and nothing is sent.
import { inputError, keyed, nonEmptyText, toBytes, type GroupManageRequest } from '../../client';

export const TYPE = 'gizwits-group-control';
export const ACTIONS = ['control', 'list', 'devices', 'create', 'update', 'delete', 'add', 'remove'] as const;
export type Action = (typeof ACTIONS)[number];

/** What an action sends, built and checked before any call. */
export type Request =
  GroupManageRequest | { action: 'control'; id: string; values?: Record<string, unknown>; raw?: number[] };

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

export function requestOf(action: Action, id: string | undefined, payload: unknown): Request {
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
