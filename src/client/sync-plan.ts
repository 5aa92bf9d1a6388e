// Declared sets against the cloud's: the generic matching that rule sync and schedule sync share, and the
// key-order-blind JSON they compare with. Pure: no calls here.
import { isObject } from './socket-frames';

/** JSON with object keys sorted, so that key order never makes two values differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The top-level fields in which two comparable forms differ (empty: the same item). */
export function fieldDifferences(left: Record<string, unknown>, right: Record<string, unknown>): string[] {
  return Object.keys(left).filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key]));
}

/** A sync's plan as the sync nodes output it: the items to create, update, delete, or leave alone. */
export interface DeclaredSyncPlan<T> {
  create: T[];
  update: T[];
  delete: T[];
  unchanged: T[];
  /** For each item to update, by its key: the fields that differ. */
  changes: Record<string, string[]>;
}

export interface SyncPlan<T> {
  create: T[];
  update: Array<{ declared: T; current: T; changed: string[] }>;
  unchanged: Array<{ declared: T; current: T }>;
  /** Current items no declared item matches (extra items with a duplicate key included). */
  extra: T[];
}

/**
 * Matches declared items with current ones by key: the first current item with a key is its match
 * (callers sort by age), and every other current item is extra.
 */
export function planSync<T>(
  declared: T[],
  current: T[],
  keyOf: (item: T) => string,
  differences: (declared: T, current: T) => string[],
): SyncPlan<T> {
  const byKey = new Map<string, T>();
  const extra: T[] = [];
  for (const item of current) {
    const key = keyOf(item);
    if (byKey.has(key)) extra.push(item);
    else byKey.set(key, item);
  }
  const plan: SyncPlan<T> = { create: [], update: [], unchanged: [], extra };
  const wanted = new Set(declared.map(keyOf));
  for (const [key, item] of byKey) if (!wanted.has(key)) extra.push(item);
  for (const item of declared) {
    const match = byKey.get(keyOf(item));
    if (!match) {
      plan.create.push(item);
      continue;
    }
    const changed = differences(item, match);
    if (changed.length) plan.update.push({ declared: item, current: match, changed });
    else plan.unchanged.push({ declared: item, current: match });
  }
  return plan;
}

/** `+1 ~2 -0 =3`: what a plan creates, updates, deletes and leaves alone. */
export function syncSummary(plan: DeclaredSyncPlan<unknown>): string {
  return `+${plan.create.length} ~${plan.update.length} -${plan.delete.length} =${plan.unchanged.length}`;
}
