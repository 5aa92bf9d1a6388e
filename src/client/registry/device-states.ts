// The last known state of each device and when it was last heard of: pushed over the websocket (a report
// or an online flag) or read over REST. Those times decide which source is newer and which device is stale.
import type { DeviceState, StatusEvent } from './types';

/** What a report changed: the device's whole state after it, and each value that differs. */
export interface StateChange {
  attrs: Record<string, unknown>;
  changed: StatusEvent['changed'];
  /** The first state known of this device. */
  first: boolean;
}

export class DeviceStates {
  private readonly states = new Map<string, DeviceState>();
  /** Local times of the last websocket report and online push, and of the last REST read, per device. */
  private readonly pushedAt = new Map<string, number>();
  private readonly onlinePushedAt = new Map<string, number>();
  private readonly checkedAt = new Map<string, number>();

  get(did: string): DeviceState | undefined {
    return this.states.get(did);
  }

  has(did: string): boolean {
    return this.states.has(did);
  }

  /** A copy of the device's values, empty when nothing is known. */
  attrsOf(did: string): Record<string, unknown> {
    return { ...(this.states.get(did)?.attrs ?? {}) };
  }

  /**
   * Takes a report into the device's state. `onlyChanges`: a state read over REST is no update from the
   * device, so it counts only when it differs from what is known (undefined: nothing to tell).
   */
  take(
    did: string,
    attrs: Record<string, unknown>,
    at: number,
    onlyChanges: boolean,
  ): StateChange | undefined {
    // This runs for every report: one pass over the reported values only, no per-value allocation.
    const state = this.states.get(did);
    const known = state?.attrs;
    const changed: StatusEvent['changed'] = {};
    let anyChange = false;
    for (const name in attrs) {
      const value = attrs[name];
      const old = known && Object.hasOwn(known, name) ? known[name] : undefined;
      if (sameValue(old, value)) continue;
      changed[name] = { old, new: value };
      anyChange = true;
    }
    if (onlyChanges && state && !anyChange) return undefined;
    // A new object each time, never changed afterwards, and a copy for the listeners: what a flow does to
    // its message cannot alter the state known.
    const next = known ? { ...known, ...attrs } : { ...attrs };
    if (state) {
      state.attrs = next;
      state.updatedAt = at;
    } else {
      this.states.set(did, { attrs: next, updatedAt: at });
    }
    return { attrs: { ...next }, changed, first: !state };
  }

  notePush(did: string, at = Date.now()): void {
    this.pushedAt.set(did, at);
  }

  noteOnlinePush(did: string, at = Date.now()): void {
    this.onlinePushedAt.set(did, at);
  }

  noteRestRead(did: string, at = Date.now()): void {
    this.checkedAt.set(did, at);
  }

  /** Whether a websocket report came at or after `since` (it is then newer than a REST answer asked for then). */
  pushedSince(did: string, since: number): boolean {
    return (this.pushedAt.get(did) ?? 0) >= since;
  }

  /** Whether an online push came at or after `since` (it is then newer than a binding list asked for then). */
  onlinePushedSince(did: string, since: number): boolean {
    return (this.onlinePushedAt.get(did) ?? 0) >= since;
  }

  /** When anything was last heard of the device, pushed or read; 0 for never. */
  lastHeard(did: string): number {
    return Math.max(this.pushedAt.get(did) ?? 0, this.checkedAt.get(did) ?? 0);
  }

  /** The device was unbound: nothing of it is kept. */
  forget(did: string): void {
    this.states.delete(did);
    this.pushedAt.delete(did);
    this.onlinePushedAt.delete(did);
    this.checkedAt.delete(did);
  }
}

/**
 * Whether two data point values are the same: booleans, numbers and texts by value, byte arrays element by
 * element (what the websocket and decoded REST reads carry); anything else as its JSON.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
