// Refused sign-ins counted per (cloud, user) for the whole process, so that no mix of deployed accounts,
// redeploys and editor sign-in tests can send a real account into the cloud's lock-out (docs/budget.md).
import { createHash } from 'node:crypto';

export interface LoginGateOptions {
  /** Refused attempts allowed within `windowMs` before the next one must wait. */
  maxRefusals?: number;
  windowMs?: number;
  now?: () => number;
}

export class LoginGate {
  private readonly refusals = new Map<string, number[]>();
  private readonly maxRefusals: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: LoginGateOptions = {}) {
    this.maxRefusals = options.maxRefusals ?? 3;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** How long a login for `key` must wait (ms): 0 when it may go now. */
  waitMs(key: string): number {
    const times = this.recent(key);
    if (times.length < this.maxRefusals) return 0;
    return Math.max(0, times[times.length - this.maxRefusals] + this.windowMs - this.now());
  }

  /** The cloud refused the credentials of `key`. */
  refused(key: string): void {
    const times = this.recent(key);
    times.push(this.now());
    // Only the last few matter; the list cannot grow past them.
    this.refusals.set(key, times.slice(-this.maxRefusals));
  }

  /** A sign-in of `key` was accepted: earlier refusals were typos since fixed. */
  accepted(key: string): void {
    this.refusals.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.refusals.get(key) ?? []).filter((t) => t > since);
    if (times.length) this.refusals.set(key, times);
    else this.refusals.delete(key);
    return times;
  }
}

/** The one gate of this process: deployed accounts and the editor's sign-in tests alike. */
export const sharedLoginGate = new LoginGate();

/** The gate's key for a user of a cloud: a digest, so that the map holds no user name. */
export function loginGateKey(baseUrl: string, user: string): string {
  return createHash('sha256')
    .update(`${baseUrl.replace(/\/+$/, '')}\n${user}`)
    .digest('hex');
}
