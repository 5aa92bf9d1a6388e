import { backoffDelay } from './backoff';
import { GizwitsError } from './errors';

export interface RetryPolicy {
  /** How many times a call may be repeated after its first attempt. */
  retries: number;
  /** First backoff ceiling in ms; doubles each attempt. */
  baseMs: number;
  /** Largest backoff ceiling in ms. */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 500, capMs: 20_000 };

/**
 * Whether a failed attempt should be repeated. Only calls that are safe to repeat (reads, and writes the
 * endpoint table marks idempotent) are; a device command or scene run is never repeated on its own,
 * because the first attempt may have reached the device.
 */
export function shouldRetry(
  error: unknown,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
): boolean {
  if (!idempotent || attempt > policy.retries) return false;
  return error instanceof GizwitsError && error.retryable;
}

/** A server's Retry-After (seconds or an HTTP date) in ms, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, capMs: number, now: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(capMs, seconds * 1000);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.min(capMs, Math.max(0, date - now));
}

/** The pause before repeat number `attempt`: the server's Retry-After when it gave one, else backoff. */
export function delayBeforeRetry(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random?: () => number,
): number {
  const fromServer = error instanceof GizwitsError ? retryAfterMs(error.retryAfter, policy.capMs) : undefined;
  return fromServer ?? backoffDelay(attempt, policy, random);
}
