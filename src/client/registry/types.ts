// What the device registry hands out: devices, their state, and the events it emits.
import type { GizwitsError } from '../errors';
import type { DeviceSocketOptions, SocketState } from '../socket-options';
import type { SkippedCounts } from '../socket-skips';
import type { LanPoolOptions } from './lan-pool';

export interface DeviceInfo {
  did: string;
  productKey: string;
  mac: string;
  alias: string;
  remark: string;
  online: boolean;
}

export interface DeviceState {
  attrs: Record<string, unknown>;
  /** Epoch ms of the last report, 0 when nothing is known yet. */
  updatedAt: number;
}

export interface StatusEvent {
  did: string;
  device: DeviceInfo;
  /** The device's whole state after this update. */
  attrs: Record<string, unknown>;
  changed: Record<string, { old: unknown; new: unknown }>;
  initial: boolean;
  /** The first state known of this device since the registry started. */
  first: boolean;
  /** The link that delivered it (docs/lan.md): the LAN, the websocket or a REST read. */
  via?: 'lan' | 'websocket' | 'rest';
}

export type Transport = 'auto' | 'rest' | 'websocket' | 'lan';

export interface WriteOptions {
  transport?: Transport;
  confirm?: boolean;
  timeoutMs?: number;
}

export interface RegistryOptions {
  secure: boolean;
  /** How often to look for devices whose state may be stale. */
  reconcileIntervalMs?: number;
  /**
   * A device silent this long is checked over its socket (`c2s_read`), and read over REST only when that
   * goes unanswered (docs/websocket.md, Reconciliation).
   */
  silentAfterMs?: number;
  /** Those checks: started per second at most (default 50), waiting at once at most (default 10). */
  checksPerSecond?: number;
  checksInFlight?: number;
  /** How long a check waits for its answer before the device is read over REST (default 10 s). */
  checkTimeoutMs?: number;
  /** Local LAN control (docs/lan.md); absent = off. */
  lan?: LanPoolOptions;
  socket?: Partial<Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials' | 'tokenGiven'>>;
}

export type RegistryState = SocketState | 'idle';

/** What the registry skipped: the sockets' counts, and bindings with an unusable did or product key. */
export type RegistrySkipped = SkippedCounts & { bindings: number };

/** A followed device whose binding gives no usable websocket address ('unusable' event). */
export interface UnusableEvent {
  did: string;
  device: DeviceInfo;
  error: GizwitsError;
}
