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
    const first = !this.states.has(did);
    const state = this.states.get(did) ?? { attrs: {}, updatedAt: 0 };
    const changed: StatusEvent['changed'] = {};
    for (const [name, value] of Object.entries(attrs)) {
      const old = state.attrs[name];
      if (JSON.stringify(old) !== JSON.stringify(value)) changed[name] = { old, new: value };
    }
    if (onlyChanges && !first && Object.keys(changed).length === 0) return undefined;
    state.attrs = { ...state.attrs, ...attrs };
    state.updatedAt = at;
    this.states.set(did, state);
    return { attrs: { ...state.attrs }, changed, first };
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
