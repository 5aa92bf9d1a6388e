// The last known state of each device and when it was last heard of: pushed over the websocket (a report
// or an online flag) or read over REST. Those times decide which source is newer and which device is stale.
// One record per device, looked up once per report: this runs for every event of every device.
import type { DeviceState, StatusEvent } from './types';

/** What a report changed: the device's whole state after it, and each value that differs. */
export interface StateChange {
  attrs: Record<string, unknown>;
  changed: StatusEvent['changed'];
  /** The first state known of this device. */
  first: boolean;
}

interface DeviceRecord {
  /**
   * The values known, undefined until the first report. Changed in place and never handed out: callers
   * get copies, so that what a flow does to its message cannot alter the state known.
   */
  attrs: Record<string, unknown> | undefined;
  updatedAt: number;
  /** Local times of the last websocket report and online push, and of the last REST read; 0 for never. */
  pushedAt: number;
  onlinePushedAt: number;
  checkedAt: number;
}

export class DeviceStates {
  private readonly records = new Map<string, DeviceRecord>();

  /** A copy of the device's state; undefined when nothing is known. */
  get(did: string): DeviceState | undefined {
    const record = this.records.get(did);
    return record?.attrs ? { attrs: { ...record.attrs }, updatedAt: record.updatedAt } : undefined;
  }

  has(did: string): boolean {
    return this.records.get(did)?.attrs !== undefined;
  }

  /** A copy of the device's values, empty when nothing is known. */
  attrsOf(did: string): Record<string, unknown> {
    return { ...this.records.get(did)?.attrs };
  }

  /**
   * Takes a report into the device's state. `onlyChanges`: a state read over REST is no update from the
   * device, so it counts only when it differs from what is known (undefined: nothing to tell). `pushed`:
   * the report came over the websocket, which counts as hearing from the device at `at` either way.
   */
  take(
    did: string,
    attrs: Record<string, unknown>,
    at: number,
    onlyChanges: boolean,
    pushed = false,
  ): StateChange | undefined {
    const record = this.recordOf(did);
    if (pushed) record.pushedAt = at;
    const known = record.attrs;
    // One pass over the reported values only, nothing made per value that did not change. A changed value
    // is taken into the known state at once: a report that changes nothing changes nothing here either.
    const changed: StatusEvent['changed'] = {};
    let anyChange = false;
    for (const name in attrs) {
      const value = attrs[name];
      const old = known && Object.hasOwn(known, name) ? known[name] : undefined;
      if (sameValue(old, value)) continue;
      changed[name] = { old, new: value };
      if (known) known[name] = value;
      anyChange = true;
    }
    if (onlyChanges && known && !anyChange) return undefined;
    if (!known) record.attrs = { ...attrs };
    record.updatedAt = at;
    return { attrs: { ...record.attrs }, changed, first: !known };
  }

  noteOnlinePush(did: string, at = Date.now()): void {
    this.recordOf(did).onlinePushedAt = at;
  }

  noteRestRead(did: string, at = Date.now()): void {
    this.recordOf(did).checkedAt = at;
  }

  /** Whether a websocket report came at or after `since` (it is then newer than a REST answer asked for then). */
  pushedSince(did: string, since: number): boolean {
    return (this.records.get(did)?.pushedAt ?? 0) >= since;
  }

  /** Whether an online push came at or after `since` (it is then newer than a binding list asked for then). */
  onlinePushedSince(did: string, since: number): boolean {
    return (this.records.get(did)?.onlinePushedAt ?? 0) >= since;
  }

  /** When anything was last heard of the device, pushed or read; 0 for never. */
  lastHeard(did: string): number {
    const record = this.records.get(did);
    return record ? Math.max(record.pushedAt, record.checkedAt) : 0;
  }

  /** The device was unbound: nothing of it is kept. */
  forget(did: string): void {
    this.records.delete(did);
  }

  private recordOf(did: string): DeviceRecord {
    let record = this.records.get(did);
    if (!record) {
      record = { attrs: undefined, updatedAt: 0, pushedAt: 0, onlinePushedAt: 0, checkedAt: 0 };
      this.records.set(did, record);
    }
    return record;
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
