// The operations whose answers are lists, and how their items are found in an answer, so that the
// client can fetch a whole list page by page (docs/limits.md: a listing stops at a bound of items).
import type { ListShape, OperationId } from './endpoints';

export interface ListOptions {
  pageSize?: number;
  /** Stop with an error past this many items, so that a server ignoring `skip` cannot loop forever. */
  maxItems?: number;
}

/** The operations whose answers are lists, and so can be fetched whole. */
export const LIST_OPERATIONS = [
  'bindings.list',
  'messages.list',
  'sharing.list',
  'devices.rawData',
  'rules.list',
  'schedulers.list',
  'commonSchedulers.list',
  'groups.list',
  'groups.devices',
  'scenes.list',
  'bindings.listGuests',
] as const satisfies readonly OperationId[];
export type ListOperation = (typeof LIST_OPERATIONS)[number];

export function isListOperation(operation: string): operation is ListOperation {
  return (LIST_OPERATIONS as readonly string[]).includes(operation);
}

/** Pulls the items out of a list answer of the given shape. */
export function itemsOf(answer: unknown, shape: ListShape): unknown[] | undefined {
  if (shape === 'array') return Array.isArray(answer) ? answer : undefined;
  const value = answer && typeof answer === 'object' ? (answer as Record<string, unknown>)[shape] : undefined;
  return Array.isArray(value) ? value : undefined;
}
