// The user session: which token to send, when to log in again, and when not to.
import { GizwitsError, keyed, type ErrorText } from './errors';
import { growingPause } from './backoff';
import { utcClock } from './budget';
import { sharedLoginGate, type LoginGate } from './login-gate';
import type { TokenAnswer } from './types';

export type AuthMode = 'password' | 'anonymous' | 'token';

export interface SessionCredentials {
  mode: AuthMode;
  username?: string;
  password?: string;
  phoneId?: string;
  uid?: string;
  token?: string;
  /** For `token` mode: when the given token expires (seconds since the epoch), if known. */
  expireAt?: number;
}

export interface SessionOptions {
  /** Log in again this many seconds before `expire_at`. */
  refreshMarginSec?: number;
  /** After the cloud refuses the credentials, how long to refuse to try them again (ms). */
  loginCooldownMs?: number;
  now?: () => number;
  /** After a failed login (not a refusal): the first pause; it doubles up to `loginBackoffCapMs`. */
  loginBackoffBaseMs?: number;
  /** The longest pause between failed logins: at most one login per this while the cloud fails. */
  loginBackoffCapMs?: number;
  random?: () => number;
  /** Refused sign-ins shared across the process; `gateKey` names this (cloud, user). */
  gate?: LoginGate;
  gateKey?: string;
}

export interface SessionToken {
  uid: string;
  token: string;
  /** Seconds since the epoch, when known. */
  expireAt: number | undefined;
}

/** Performs the login call for a mode; the client gives the pipeline-backed implementation. */
export type LoginCall = (credentials: SessionCredentials) => Promise<TokenAnswer>;

export type SessionState = 'idle' | 'authenticating' | 'ready' | 'failed';

export function validateCredentials(credentials: SessionCredentials): void {
  /** `field`: the setting's key in the catalogue (`session.field.*`). */
  const missing = (field: string) => {
    const named: ErrorText = { key: `session.field.${field}` };
    return new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('session.missing', { mode: credentials.mode, what: named }),
    });
  };
  switch (credentials.mode) {
    case 'password':
      if (!credentials.username) throw missing('username');
      if (!credentials.password) throw missing('password');
      return;
    case 'anonymous':
      if (!credentials.phoneId) throw missing('phoneId');
      return;
    case 'token':
      if (!credentials.uid) throw missing('uid');
      if (!credentials.token) throw missing('token');
      return;
    default: {
      const mode = String((credentials as { mode: unknown }).mode);
      throw new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('session.unknownMode', { mode }),
      });
    }
  }
}

export class Session {
  private current: SessionToken | undefined;
  private pending: Promise<SessionToken> | undefined;
  private refusedUntil = 0;
  private refusal: GizwitsError | undefined;
  private readonly refreshMarginSec: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly gate: LoginGate;
  private readonly gateKey: string | undefined;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly random: () => number;
  /** Logins that failed in a row for any reason but refused credentials, and when the next may go. */
  private loginFailures = 0;
  private nextLoginAt = 0;
  private lastLoginFailure: GizwitsError | undefined;

  constructor(
    private readonly credentials: SessionCredentials,
    private readonly loginCall: LoginCall,
    private readonly onState: (state: SessionState, error?: GizwitsError) => void = () => {},
    options: SessionOptions = {},
  ) {
    validateCredentials(credentials);
    this.refreshMarginSec = options.refreshMarginSec ?? 3600;
    this.cooldownMs = options.loginCooldownMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.gate = options.gate ?? sharedLoginGate;
    this.gateKey = options.gateKey;
    this.backoffBaseMs = options.loginBackoffBaseMs ?? 1_000;
    this.backoffCapMs = options.loginBackoffCapMs ?? 60_000;
    this.random = options.random ?? Math.random;
    if (credentials.mode === 'token') {
      this.current = { uid: credentials.uid!, token: credentials.token!, expireAt: credentials.expireAt };
    }
  }

  get mode(): AuthMode {
    return this.credentials.mode;
  }

  /** Every secret the session holds, for scrubbing errors and logs. */
  secretValues(): Array<string | undefined> {
    const c = this.credentials;
    return [c.password, c.phoneId, c.token, this.current?.token];
  }

  /** The token last obtained, without logging in. */
  get known(): SessionToken | undefined {
    return this.current;
  }

  /** A token that is not near expiry, logging in first when needed. Concurrent callers share one login. */
  async token(): Promise<SessionToken> {
    const current = this.current;
    if (current && !this.nearExpiry(current)) return current;
    if (this.credentials.mode === 'token') {
      if (current && current.expireAt !== undefined && current.expireAt * 1000 <= this.now()) {
        throw new GizwitsError({
          code: 9006,
          ...keyed('session.tokenExpired', {}),
        });
      }
      return current!;
    }
    return this.login();
  }

  /**
   * Called when the cloud refused `token` (9004/9006): forget it so that the next `token()` logs in
   * again. Answers whether a new login is possible at all (not in token mode).
   */
  invalidate(token: string): boolean {
    if (this.credentials.mode === 'token') return false;
    if (this.current?.token === token) this.current = undefined;
    return true;
  }

  /** Logs in now, unless a login is already under way or the credentials were refused recently. */
  login(): Promise<SessionToken> {
    if (this.credentials.mode === 'token') return Promise.resolve(this.current!);
    if (this.pending) return this.pending;
    const waitMs = this.refusedUntil - this.now();
    if (waitMs > 0 && this.refusal) return Promise.reject(this.cooldownError(this.refusal));
    const gateWaitMs = this.gateKey ? this.gate.waitMs(this.gateKey) : 0;
    if (gateWaitMs > 0) return Promise.reject(this.gateError(gateWaitMs));
    if (this.lastLoginFailure && this.now() < this.nextLoginAt)
      return Promise.reject(this.backoffError(this.lastLoginFailure));
    this.onState('authenticating');
    this.pending = this.loginCall(this.credentials)
      .then((answer) => {
        if (!answer || typeof answer.token !== 'string' || !answer.token) {
          throw new GizwitsError({
            code: 'BAD_RESPONSE',
            operation: 'users.login',
            serverMessage: 'the login answer carried no token',
            text: { key: 'session.noToken', params: { operation: 'users.login' } },
          });
        }
        this.current = {
          uid: String(answer.uid ?? ''),
          token: answer.token,
          expireAt: toSeconds(answer.expire_at),
        };
        this.refusal = undefined;
        this.refusedUntil = 0;
        this.loginFailures = 0;
        this.lastLoginFailure = undefined;
        if (this.gateKey) this.gate.accepted(this.gateKey);
        this.onState('ready');
        return this.current;
      })
      .catch((error: unknown) => {
        if (error instanceof GizwitsError && error.isBadCredentials) {
          this.refusal = error;
          this.refusedUntil = this.now() + this.cooldownMs;
          if (this.gateKey) this.gate.refused(this.gateKey);
        } else if (!(
          error instanceof GizwitsError &&
          (error.code === 'CLOSED' || error.code === 'CLOUD_BACKOFF')
        )) {
          // (CLOSED and CLOUD_BACKOFF sent nothing: the breaker already spaces the attempts.)
          // Any other failure (a wrong AppID, throttling, a cloud in trouble): the next login waits,
          // longer each time, so that a failing cloud sees at most one login a minute from this account.
          this.loginFailures++;
          this.nextLoginAt =
            this.now() + growingPause(this.loginFailures, this.backoffBaseMs, this.backoffCapMs, this.random);
          this.lastLoginFailure =
            error instanceof GizwitsError
              ? error
              : new GizwitsError({ code: 'NETWORK', operation: 'users.login', serverMessage: String(error) });
        }
        this.onState('failed', error instanceof GizwitsError ? error : undefined);
        throw error;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private nearExpiry(token: SessionToken): boolean {
    if (token.expireAt === undefined) return false;
    return token.expireAt * 1000 - this.refreshMarginSec * 1000 <= this.now();
  }

  /** The last login failed a moment ago: say when the next one goes rather than sending it now. */
  private backoffError(failure: GizwitsError): GizwitsError {
    const seconds = Math.max(1, Math.ceil((this.nextLoginAt - this.now()) / 1000));
    const until = utcClock(this.nextLoginAt);
    const reason = `${failure.code}${failure.errorName ? ` ${failure.errorName}` : ''}`;
    return new GizwitsError({
      code: 'LOGIN_BACKOFF',
      operation: 'users.login',
      retryable: false,
      ...keyed('session.loginBackoff', { reason, failures: this.loginFailures, seconds, until }),
    });
  }

  /** Another client of this process had this user's sign-in refused too often: wait, whoever asks. */
  private gateError(waitMs: number): GizwitsError {
    const seconds = Math.ceil(waitMs / 1000);
    const until = new Date(this.now() + waitMs).toISOString().slice(11, 19);
    return new GizwitsError({
      code: 'LOGIN_COOLDOWN',
      operation: 'users.login',
      ...keyed('session.gateCooldown', { seconds, until }),
      retryable: false,
    });
  }

  private cooldownError(refusal: GizwitsError): GizwitsError {
    const until = new Date(this.refusedUntil).toISOString().slice(11, 19);
    const name = refusal.errorName ?? '';
    // The server's own words stay as they are; only the stand-in for none is translated.
    const reason: string | ErrorText = refusal.serverMessage ?? { key: 'session.badCredentials' };
    return new GizwitsError({
      code: 'LOGIN_COOLDOWN',
      operation: refusal.operation,
      ...keyed('session.cooldown', { code: refusal.code, name, reason, until }),
      retryable: false,
    });
  }
}

function toSeconds(value: unknown): number | undefined {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // Some answers give milliseconds; anything past the year 5000 in seconds is taken as ms.
  return n > 1e11 ? Math.floor(n / 1000) : n;
}
