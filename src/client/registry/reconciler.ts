// REST reads that keep the registry's state true where the websocket cannot: at once for devices that
// answer no websocket read (offline, or without a usable address), and in slow rounds for followed
// devices whose socket is down or that have been silent for long, so that no flow serves stale state.
import type { GizwitsClient } from '../client';
import { decodeReport, type ProductSchema } from '../datapoints';
import { isAttrName, isObject } from '../socket-frames';
import type { DeviceStates } from './device-states';
import type { DeviceInfo } from './types';

/** What the reconciler asks of the registry. */
export interface ReconcilerHost {
  isClosed(): boolean;
  /** The devices the followers want. */
  wanted(): Set<string>;
  device(did: string): DeviceInfo | undefined;
  hasAddress(did: string): boolean;
  isSubscribed(did: string): boolean;
  schema(productKey: string): Promise<ProductSchema>;
  /** A state read over REST: taken, and emitted only when it tells something new. */
  report(did: string, attrs: Record<string, unknown>, initial: boolean, at: number): void;
}

export interface ReconcileTiming {
  /** How often to look for devices whose state may be stale. */
  intervalMs: number;
  /** A device silent this long (or behind a socket that is down) is read over REST. */
  silentAfterMs: number;
}

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private readonly offlineReads = new Set<string>();

  constructor(
    private readonly client: GizwitsClient,
    private readonly states: DeviceStates,
    private readonly host: ReconcilerHost,
    private readonly timing: ReconcileTiming,
  ) {}

  start(): void {
    if (this.timer || this.host.isClosed()) return;
    this.timer = setInterval(() => void this.reconcile(), this.timing.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the device's latest state over REST; a websocket report that came meanwhile wins. */
  async readOverRest(did: string): Promise<void> {
    const startedAt = Date.now();
    const latest = await this.client.call('devices.latest', { did });
    const productKey = this.host.device(did)?.productKey;
    const schema = productKey ? await this.host.schema(productKey).catch(() => undefined) : undefined;
    if (this.host.isClosed() || !isObject(latest.attr)) return;
    this.states.noteRestRead(did);
    // A websocket report that arrived while this answer was on its way is newer than it. (Comparing with
    // `updated_at` cannot tell: it has whole seconds, and comes from the cloud's clock.)
    if (this.states.pushedSince(did, startedAt)) return;
    const updated = Number(latest.updated_at);
    const at =
      Number.isFinite(updated) && updated > 0 ? (updated > 1e11 ? updated : updated * 1000) : Date.now();
    // Names that are no data point's (`__proto__`, `constructor`) never reach the device's state.
    const attrs = Object.fromEntries(Object.entries(latest.attr).filter(([name]) => isAttrName(name)));
    this.host.report(did, decodeReport(schema, attrs), !this.states.has(did), at);
  }

  /**
   * An offline device answers no websocket read, nor is a device without a usable websocket address
   * read over one, so their last known state is read over REST at once: followers get every device's
   * state after a deploy, not only the online ones' (and not a minute on).
   */
  async readOffline(): Promise<void> {
    for (const did of this.host.wanted()) {
      if (this.host.isClosed()) return;
      const overRest = this.host.device(did)?.online === false || !this.host.hasAddress(did);
      if (!overRest || this.states.has(did) || this.offlineReads.has(did)) continue;
      this.offlineReads.add(did);
      try {
        await this.readOverRest(did);
      } catch {
        // The reconcile rounds try again; a dead cloud shows in the connection state.
      } finally {
        this.offlineReads.delete(did);
      }
    }
  }

  /** Reads over REST the followed devices whose socket is down or that have been silent for long. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) return; // a slow round is still going: no second one beside it
    this.reconciling = true;
    try {
      for (const did of this.host.wanted()) {
        if (this.host.isClosed()) return;
        if (!this.isStale(did, Date.now())) continue;
        try {
          await this.readOverRest(did);
        } catch {
          // The next round tries again; a dead cloud is reported through the connection state.
        }
      }
    } finally {
      this.reconciling = false;
    }
  }

  /** Not subscribed, nothing known, or nothing heard (pushed or read) for `silentAfterMs`. */
  private isStale(did: string, now: number): boolean {
    if (!this.host.isSubscribed(did) || !this.states.has(did)) return true;
    return now - this.states.lastHeard(did) > this.timing.silentAfterMs;
  }
}
