// Keeps the registry's state true where pushes may have been missed, at no REST cost while the websocket
// is healthy: a followed device that has been silent for long is checked over its socket (`c2s_read`,
// paced so that the socket is not flooded), and read over REST only when that check goes unanswered, when
// its socket has been down for a whole round, or when nothing is known of it yet. Devices that answer no
// websocket read (offline, or without a usable address) are read over REST at once after a deploy.
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
  /**
   * Reads the device over its socket (its answer is taken as news only where it differs): resolves once
   * it answers, rejects when no answer came within `timeoutMs`; undefined when it has no socket.
   */
  check(did: string, timeoutMs: number): Promise<void> | undefined;
  schema(productKey: string): Promise<ProductSchema>;
  /** A state read over REST: taken, and emitted only when it tells something new. */
  report(did: string, attrs: Record<string, unknown>, initial: boolean, at: number): void;
}

export interface ReconcileTiming {
  /** How often to look for devices whose state may be stale. */
  intervalMs: number;
  /** A device silent this long is checked over its socket. */
  silentAfterMs: number;
  /** Checks started per second, at most. */
  checksPerSecond: number;
  /** Checks waiting for their answer at once, at most. */
  checksInFlight: number;
  /** How long a check waits for its answer before the device is read over REST instead. */
  checkTimeoutMs: number;
}

/** What a round does for one device. */
type Step = 'none' | 'check' | 'rest';

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private readonly offlineReads = new Set<string>();
  /** The devices whose socket was down at the last round. */
  private downLastRound = new Set<string>();

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

  /** One round: checks the silent devices over their sockets, reads over REST those that need it. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) return; // a slow round is still going: no second one beside it
    this.reconciling = true;
    try {
      const checks: string[] = [];
      const down = new Set<string>();
      const now = Date.now();
      for (const did of this.host.wanted()) {
        if (this.host.isClosed()) return;
        const step = this.stepFor(did, now, down);
        if (step === 'check') checks.push(did);
        else if (step === 'rest') await this.tryRest(did);
      }
      this.downLastRound = down;
      await this.checkOverSockets(checks);
    } finally {
      this.reconciling = false;
    }
  }

  /**
   * Nothing known: REST. Socket down (`down` collects those devices): REST once it was down at the round
   * before too, so that a socket that is only reconnecting costs no REST call (it reads every device
   * again once back). Silent for `silentAfterMs` behind a subscribed socket: a check over it, unless the
   * cloud says the device is offline, which leaves nothing to hear until its online push.
   */
  private stepFor(did: string, now: number, down: Set<string>): Step {
    if (!this.states.has(did)) return 'rest';
    if (!this.host.isSubscribed(did)) {
      down.add(did);
      return this.downLastRound.has(did) ? 'rest' : 'none';
    }
    if (now - this.states.lastHeard(did) <= this.timing.silentAfterMs) return 'none';
    return this.host.device(did)?.online === false ? 'none' : 'check';
  }

  /** Checks `dids` over their sockets, paced; a device whose check goes unanswered is read over REST. */
  private async checkOverSockets(dids: string[]): Promise<void> {
    const { checksPerSecond, checksInFlight, checkTimeoutMs } = this.timing;
    const gapMs = 1000 / checksPerSecond;
    const running = new Set<Promise<void>>();
    for (const did of dids) {
      if (this.host.isClosed()) break;
      if (running.size >= checksInFlight) await Promise.race(running);
      const one: Promise<void> = this.checkOne(did, checkTimeoutMs).finally(() => running.delete(one));
      running.add(one);
      await pause(gapMs);
    }
    await Promise.all(running);
  }

  private async checkOne(did: string, timeoutMs: number): Promise<void> {
    try {
      const asked = this.host.check(did, timeoutMs);
      if (asked) return await asked;
    } catch {
      // Unanswered, or the socket went down meanwhile.
    }
    // A socket that went down reads every device again once back, and the rounds read over REST those
    // behind a socket down for long: only a read that went unanswered on a live socket is read now.
    if (!this.host.isClosed() && this.host.isSubscribed(did)) await this.tryRest(did);
  }

  private async tryRest(did: string): Promise<void> {
    try {
      await this.readOverRest(did);
    } catch {
      // The next round tries again; a dead cloud is reported through the connection state.
    }
  }
}

/** Waits `ms` without keeping the process alive for it. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
