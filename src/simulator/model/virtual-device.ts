// One simulated device: its data point values, online state and the communication log that
// `GET /app/devices/{did}/raw_data` pages through.
import { initialValue, sameValue, toRestValue, toSocketValue, type StoredValue } from './datapoint-values';
import type { ProductDefinition } from './product-types';

export type RawLogType = 'app2dev' | 'dev2app' | 'dev_online' | 'dev_re_online' | 'dev_offline';

export interface RawLogEntry {
  type: RawLogType;
  /** Seconds with a fraction, as the document's example shows. */
  timestamp: number;
  ip: string;
  payload_bin?: string;
  source?: 'client' | 'd3';
  uid?: string;
  appid?: string;
}

/** Kept per device so that a long-running simulator does not grow without bound. */
const LOG_LIMIT = 5000;

export interface VirtualDeviceInit {
  did: string;
  product: ProductDefinition;
  mac: string;
  passcode: string;
  online: boolean;
  /** Served by the sandbox websocket host instead of the main one (its binding says `is_sandbox`). */
  sandbox?: boolean;
}

export class VirtualDevice {
  readonly did: string;
  readonly product: ProductDefinition;
  readonly mac: string;
  readonly passcode: string;
  readonly sandbox: boolean;
  online: boolean;
  /** A device whose firmware drops commands: writes reach its log but change nothing and report nothing. */
  ignoresWrites = false;
  /** A device whose readings stay as they are: the drift leaves it alone (tests that look for a value). */
  holdsReadings = false;
  /** Milliseconds since the epoch of the last report. */
  updatedAt: number;
  readonly values = new Map<string, StoredValue>();
  readonly log: RawLogEntry[] = [];

  constructor(init: VirtualDeviceInit) {
    this.did = init.did;
    this.product = init.product;
    this.mac = init.mac;
    this.passcode = init.passcode;
    this.sandbox = init.sandbox ?? false;
    this.online = init.online;
    this.updatedAt = Date.now();
    for (const point of init.product.attrs) this.values.set(point.name, initialValue(point));
  }

  /** Stores the given values and returns the names whose value actually changed. */
  apply(values: ReadonlyMap<string, StoredValue>): string[] {
    const changed: string[] = [];
    for (const [name, value] of values) {
      const previous = this.values.get(name);
      if (previous === undefined || !sameValue(previous, value)) changed.push(name);
      this.values.set(name, value);
    }
    this.updatedAt = Date.now();
    return changed;
  }

  restSnapshot(): Record<string, number | string> {
    const snapshot: Record<string, number | string> = {};
    for (const point of this.product.attrs)
      snapshot[point.name] = toRestValue(point, this.values.get(point.name)!);
    return snapshot;
  }

  socketSnapshot(): Record<string, boolean | number | string | number[]> {
    const snapshot: Record<string, boolean | number | string | number[]> = {};
    for (const point of this.product.attrs)
      snapshot[point.name] = toSocketValue(point, this.values.get(point.name)!);
    return snapshot;
  }

  record(entry: Omit<RawLogEntry, 'timestamp' | 'ip'> & { ip?: string }): void {
    this.log.push({ ip: '127.0.0.1', timestamp: Date.now() / 1000, ...entry });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}

/**
 * A payload that looks like the log's P0 frames (header 00000003, length, 0000, command byte) followed by
 * the JSON of the values: the simulator has no binary protocol, but the log should still carry bytes.
 */
export function logPayload(command: 0x90 | 0x91, body: Buffer): string {
  const length = body.length + 3;
  return Buffer.concat([Buffer.from([0, 0, 0, 3, Math.min(length, 127), 0, 0, command]), body]).toString(
    'hex',
  );
}
