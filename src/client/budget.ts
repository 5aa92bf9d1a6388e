// What one account may ask of a failing cloud: a growing pause between logins, a bucket of retries, and
// a breaker that stops sending while the cloud keeps failing. The figures and their reasons are in
// docs/budget.md; every pause is a pure function of its inputs so that tests need not wait.
import { growingPause } from './backoff';
import { GizwitsError, keyed } from './errors';

export interface BudgetOptions {
  /** Retries this account may spend at once, and how many come back a minute. */
  retryCapacity?: number;
  retriesPerMinute?: number;
  /** Consecutive failed attempts (5xx, 429/9041, network, timeout) that stop sending. */
  failuresToOpen?: number;
  /** First pause of the breaker; it doubles on every failed probe, up to `openCapMs`. */
  openBaseMs?: number;
  openCapMs?: number;
  now?: () => number;
  random?: () => number;
}

/** Failures that say the cloud (or the way to it) is in trouble, as opposed to a refusal of this call. */
export function isCloudFailure(error: unknown): boolean {
  if (!(error instanceof GizwitsError)) return false;
  if (error.code === 'NETWORK' || error.code === 'TIMEOUT') return true;
  if (error.code === 9041 || error.code === 9008) return true;
  return error.status !== undefined && (error.status === 429 || error.status >= 500);
}

/** `HH:MM:SS` UTC of a moment, as the errors name the next try. */
export function utcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export class CloudBudget {
  private readonly retryCapacity: number;
  private readonly refillMs: number;
  private readonly failuresToOpen: number;
  private readonly openBaseMs: number;
  private readonly openCapMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private retryTokens: number;
  private refilledAt: number;
  private failures = 0;
  /** While the breaker is open: when the next attempt (the probe) may go. */
  private openUntil = 0;
  private probing = false;
  private lastFailure: GizwitsError | undefined;

  constructor(options: BudgetOptions = {}) {
    this.retryCapacity = options.retryCapacity ?? 10;
    this.refillMs = 60_000 / (options.retriesPerMinute ?? 10);
    this.failuresToOpen = options.failuresToOpen ?? 5;
    this.openBaseMs = options.openBaseMs ?? 2_000;
    this.openCapMs = options.openCapMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retryTokens = this.retryCapacity;
    this.refilledAt = this.now();
  }

  /**
   * Asks to send one attempt of `operation`. Throws CLOUD_BACKOFF, sending nothing, while the breaker is
   * open; once its pause is over, one attempt (the probe) goes and the others keep waiting for its answer.
   */
  admit(operation: string): void {
    if (this.failures < this.failuresToOpen) return;
    const now = this.now();
    if (now >= this.openUntil && !this.probing) {
      this.probing = true;
      return;
    }
    throw this.backoffError(operation, Math.max(this.openUntil, now));
  }

  /** The attempt got an answer from a working cloud (any answer but a cloud failure). */
  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    this.openUntil = 0;
    this.lastFailure = undefined;
  }

  /** The attempt failed; only cloud failures count toward stopping. */
  failed(error: unknown): void {
    if (!isCloudFailure(error)) return this.succeeded();
    this.failures++;
    this.probing = false;
    this.lastFailure = error as GizwitsError;
    if (this.failures >= this.failuresToOpen) {
      const pause = growingPause(
        this.failures - this.failuresToOpen + 1,
        this.openBaseMs,
        this.openCapMs,
        this.random,
      );
      this.openUntil = this.now() + pause;
    }
  }

  /** Takes one retry from the bucket; false when the account has spent them all for now. */
  takeRetry(): boolean {
    const now = this.now();
    const earned = Math.floor((now - this.refilledAt) / this.refillMs);
    if (earned > 0) {
      this.retryTokens = Math.min(this.retryCapacity, this.retryTokens + earned);
      this.refilledAt =
        this.retryTokens === this.retryCapacity ? now : this.refilledAt + earned * this.refillMs;
    }
    if (this.retryTokens <= 0) return false;
    this.retryTokens--;
    return true;
  }

  /** True while calls are being refused without sending (for status). */
  get open(): boolean {
    return this.failures >= this.failuresToOpen;
  }

  private backoffError(operation: string, nextAt: number): GizwitsError {
    const last = this.lastFailure;
    const reason = last ? `${last.code}${last.errorName ? ` ${last.errorName}` : ''}` : 'failures';
    const seconds = Math.max(1, Math.ceil((nextAt - this.now()) / 1000));
    const until = utcClock(nextAt);
    return new GizwitsError({
      code: 'CLOUD_BACKOFF',
      operation,
      retryable: false,
      ...keyed('budget.cloudBackoff', { operation, failures: this.failures, reason, seconds, until }),
    });
  }
}
