// The Gizwits Open API client: every operation of the endpoint table through one pipeline, with the
// session's token, automatic re-login on 9004/9006, signed and app-authorised calls, and full listings.
import { EventEmitter } from 'node:events';
import type { BudgetOptions } from './budget';
import {
  ENDPOINTS,
  isOperationId,
  type ListShape,
  type OperationId,
  type ParamsOf,
  type ResultOf,
} from './endpoints';
import { GizwitsError, keyed } from './errors';
import { itemsOf, type ListOperation, type ListOptions } from './list-operations';
import { RequestPipeline } from './pipeline';
import { prepareRequest, type PreparedRequest } from './prepared-request';
import { resolveApiUrl, type Region } from './regions';
import type { RetryPolicy } from './retry';
import { Session, type SessionCredentials, type SessionState, type SessionToken } from './session';
import { loginGateKey, type LoginGate } from './login-gate';
import { applicationAuth, productSignature } from './signing';
import type { AppTokenAnswer, TokenAnswer } from './types';

export interface ClientOptions {
  appId: string;
  region?: Region | string;
  /** Base URL when region is `custom`. */
  apiUrl?: string;
  credentials: SessionCredentials;
  appSecret?: string;
  /** Product secrets by product key, for signed calls such as `bindings.bindMac`. */
  productSecrets?: Record<string, string>;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  refreshMarginSec?: number;
  loginCooldownMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** The account's budget against a failing cloud: retry bucket and breaker (docs/budget.md). */
  budget?: BudgetOptions;
  /** Pause after a failed login, doubling up to the cap (at most one login per cap while failing). */
  loginBackoffBaseMs?: number;
  loginBackoffCapMs?: number;
  /** Refused sign-ins counted per (cloud, user); the process-wide gate unless given. */
  loginGate?: LoginGate;
}

export interface CallOptions {
  /** Skip the automatic re-login on a refused token (used by the login test of the editor). */
  noRelogin?: boolean;
  /** False: one attempt, whatever the endpoint row allows (logins keep their own backoff). */
  retry?: boolean;
}

export type ClientState = SessionState | 'closed';

/** Who signs in, for the login gate: the user name or phone id of a mode that logs in. */
function gateKeyOf(baseUrl: string, credentials: SessionCredentials): string | undefined {
  const user =
    credentials.mode === 'password'
      ? credentials.username
      : credentials.mode === 'anonymous'
        ? credentials.phoneId
        : undefined;
  return user ? loginGateKey(baseUrl, `${credentials.mode}:${user}`) : undefined;
}

export class GizwitsClient extends EventEmitter {
  readonly appId: string;
  readonly baseUrl: string;
  readonly session: Session;
  private readonly pipeline: RequestPipeline;
  private readonly appSecret: string | undefined;
  private readonly productSecrets: Record<string, string>;
  private readonly now: () => number;
  private appToken: { token: string; expireAt: number | undefined } | undefined;
  private appTokenPending: Promise<string> | undefined;
  private stateValue: ClientState = 'idle';
  private lastError: GizwitsError | undefined;

  constructor(options: ClientOptions) {
    super();
    if (!options.appId || typeof options.appId !== 'string') {
      throw new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('config.noAppId', {}),
      });
    }
    this.appId = options.appId.trim();
    this.baseUrl = resolveApiUrl(options.region, options.apiUrl);
    this.appSecret = options.appSecret || undefined;
    this.productSecrets = { ...options.productSecrets };
    this.now = options.now ?? Date.now;
    this.pipeline = new RequestPipeline({
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      sleep: options.sleep,
      budget: { now: options.now, ...options.budget },
      secrets: () => this.secrets(),
    });
    this.session = new Session(
      options.credentials,
      (c) => this.loginCall(c),
      (state, error) => this.setState(state, error),
      {
        refreshMarginSec: options.refreshMarginSec,
        loginCooldownMs: options.loginCooldownMs,
        now: this.now,
        loginBackoffBaseMs: options.loginBackoffBaseMs,
        loginBackoffCapMs: options.loginBackoffCapMs,
        gate: options.loginGate,
        gateKey: gateKeyOf(this.baseUrl, options.credentials),
      },
    );
    if (options.credentials.mode === 'token') this.stateValue = 'ready';
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** The last error that put the client in the `failed` state. */
  get error(): GizwitsError | undefined {
    return this.lastError;
  }

  /** Calls one operation. Parameters are one flat object: path, query and body fields together. */
  async call<K extends OperationId>(
    operation: K,
    params?: ParamsOf<K>,
    options: CallOptions = {},
  ): Promise<ResultOf<K>> {
    if (!isOperationId(operation)) {
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        ...keyed('request.unknownOperation', { operation: String(operation) }),
      });
    }
    if (this.stateValue === 'closed')
      throw new GizwitsError({
        code: 'CLOSED',
        operation,
        ...keyed('request.closed', { operation }),
      });
    const request = prepareRequest(operation, params as Record<string, unknown> | undefined);
    if (request.row.auth !== 'user')
      return this.pipeline.send<ResultOf<K>>(request, (r) => this.headersFor(r), options);

    let used: SessionToken | undefined;
    const headers = async (r: PreparedRequest) => {
      used = await this.session.token();
      return { ...(await this.headersFor(r)), 'X-Gizwits-User-token': used.token };
    };
    try {
      return await this.pipeline.send<ResultOf<K>>(request, headers, options);
    } catch (error) {
      if (!(error instanceof GizwitsError) || !error.isTokenError || options.noRelogin || !used) throw error;
      if (!this.session.invalidate(used.token)) {
        // Worded as every cloud refusal is (code, name, the server's message), with a hint of its own.
        const code = error.code as number; // 9004 or 9006: a token error
        throw new GizwitsError({
          code,
          status: error.status,
          operation,
          serverMessage: error.serverMessage,
          hint: { key: 'request.hint.tokenRefused' },
        });
      }
      // The token was refused before anything happened, so one repeat is safe even for device commands.
      return this.pipeline.send<ResultOf<K>>(request, headers, options);
    }
  }

  /**
   * Every item of a list operation, fetching page after page (`limit`/`skip`) until a short page or the
   * announced total: no account with 45 devices sees only 20.
   */
  async listAll<K extends ListOperation>(
    operation: K,
    params?: ParamsOf<K>,
    options: ListOptions = {},
  ): Promise<unknown[]> {
    const row = ENDPOINTS[operation] as { paged?: ListShape; maxLimit?: number };
    if (!row.paged) {
      const answer = await this.call(operation, params);
      const items = itemsOf(answer, 'array');
      if (!items)
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation,
          serverMessage: 'the answer was not a list',
          text: { key: 'request.notList', params: { operation } },
        });
      return items;
    }
    const limit = Math.max(1, Math.min(options.pageSize ?? 20, row.maxLimit ?? Infinity));
    const maxItems = options.maxItems ?? 100_000;
    const base = { ...(params as Record<string, unknown> | undefined) };
    let skip = Number(base.skip ?? 0) || 0;
    const all: unknown[] = [];
    let previousFirst: string | undefined;
    for (;;) {
      const answer = await this.call(operation, { ...base, limit, skip } as ParamsOf<K>);
      const items = itemsOf(answer, row.paged);
      if (!items) {
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation,
          serverMessage: `the answer had no "${row.paged}" list`,
          text: { key: 'request.noList', params: { operation, field: row.paged } },
        });
      }
      const first = items.length ? JSON.stringify(items[0]) : undefined;
      if (first !== undefined && first === previousFirst) {
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation,
          serverMessage: 'the cloud answered the same page twice (skip ignored)',
          text: { key: 'request.samePage', params: { operation } },
        });
      }
      previousFirst = first;
      all.push(...items);
      if (all.length > maxItems) {
        throw new GizwitsError({
          code: 'BAD_RESPONSE',
          operation,
          serverMessage: `more than ${maxItems} items; stopped listing`,
          text: { key: 'request.tooMany', params: { operation, max: maxItems } },
        });
      }
      const total =
        row.paged === 'objects' ? Number((answer as { meta?: { total?: unknown } }).meta?.total) : NaN;
      skip += items.length;
      if (items.length < limit || (Number.isFinite(total) && skip >= total)) return all;
    }
  }

  /** Logs in (or checks the given token) now; used by the account node's "test login" button. */
  async verifyLogin(): Promise<{ uid: string; expireAt: number | undefined }> {
    if (this.session.mode === 'token') {
      const info = await this.call('users.get', {}, { noRelogin: true });
      return { uid: info.uid, expireAt: this.session.known?.expireAt };
    }
    const token = await this.session.login();
    return { uid: token.uid, expireAt: token.expireAt };
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.pipeline.close();
    this.setState('closed');
    this.removeAllListeners();
  }

  private setState(state: ClientState, error?: GizwitsError): void {
    if (this.stateValue === 'closed') return;
    this.lastError = state === 'failed' ? error : undefined;
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state, error);
  }

  private async loginCall(credentials: SessionCredentials): Promise<TokenAnswer> {
    if (credentials.mode === 'anonymous') {
      return this.call('users.create', { phone_id: credentials.phoneId! }, { retry: false });
    }
    return this.call(
      'users.login',
      { username: credentials.username!, password: credentials.password! },
      { retry: false },
    );
  }

  private async headersFor(request: PreparedRequest): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'X-Gizwits-Application-Id': this.appId };
    if (request.row.auth === 'appAuth')
      headers['X-Gizwits-Application-Auth'] = applicationAuth(this.appId, this.requireAppSecret(request));
    if (request.row.auth === 'appToken') headers['X-Gizwits-User-token'] = await this.getAppToken(request);
    if (request.row.signed) {
      const productKey = String(request.body?.product_key ?? '');
      const secret = this.productSecrets[productKey];
      if (!secret) {
        throw new GizwitsError({
          code: 'INVALID_CONFIG',
          operation: request.operation,
          ...keyed('config.noProductSecret', { operation: request.operation, productKey }),
        });
      }
      const timestamp = String(Math.floor(this.now() / 1000));
      headers['X-Gizwits-Timestamp'] = timestamp;
      headers['X-Gizwits-Signature'] = productSignature(secret, timestamp);
    }
    return headers;
  }

  private requireAppSecret(request: PreparedRequest): string {
    if (this.appSecret) return this.appSecret;
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      operation: request.operation,
      ...keyed('config.noAppSecret', { operation: request.operation }),
    });
  }

  private async getAppToken(request: PreparedRequest): Promise<string> {
    const cached = this.appToken;
    if (cached && (cached.expireAt === undefined || cached.expireAt * 1000 - 60_000 > this.now()))
      return cached.token;
    this.requireAppSecret(request);
    this.appTokenPending ??= this.call('app.requestToken', {})
      .then((answer: AppTokenAnswer) => {
        const expireAt = Number(answer.expired_at ?? answer.expire_at) || undefined;
        this.appToken = { token: answer.token, expireAt };
        return answer.token;
      })
      .finally(() => {
        this.appTokenPending = undefined;
      });
    return this.appTokenPending;
  }

  private secrets(): Array<string | undefined> {
    return [
      ...this.session.secretValues(),
      this.appToken?.token,
      this.appSecret,
      ...Object.values(this.productSecrets),
    ];
  }
}
