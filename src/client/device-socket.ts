// One device websocket (`/ws/app/v1`) to one `scheme://host:port`: login, subscriptions kept across
// reconnects, replies correlated by req_sn, ping + watchdog, and reconnects that never storm.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { GizwitsError, keyed, type ErrorText } from './errors';
import { rawFrameWantsAck } from './datapoints';
import type { AttrValues } from './types';

export type SocketState = 'connecting' | 'authenticating' | 'online' | 'reconnecting' | 'failed' | 'closed';

export interface SocketCredentials {
  uid: string;
  token: string;
}

export interface DeviceSocketOptions {
  /** e.g. `ws://m2m.gizwits.com:8080/ws/app/v1` */
  url: string;
  appId: string;
  /** The session's uid and token; `fresh` asks for a new login first (after the socket refused one). */
  credentials: (fresh: boolean) => Promise<SocketCredentials>;
  pingIntervalMs?: number;
  heartbeatInterval?: number;
  loginTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A connection up this long resets the reconnect backoff. */
  stableMs?: number;
  subscribeBatch?: number;
  random?: () => number;
}

export interface NotiEvent {
  did: string;
  attrs: AttrValues;
  /** True when this answers the read sent after (re)login: state known, not a live change. */
  initial: boolean;
}

interface Pending {
  did: string;
  resolve: () => void;
  reject: (error: GizwitsError) => void;
  timer: NodeJS.Timeout;
}

/** Why a socket is dropped, and the catalogue's key for the requests it ends. */
type DropReason = 'closed' | 'socket closed' | 'login refused';
const DROP_KEYS: Record<DropReason, string> = {
  closed: 'device.dropped.closed',
  'socket closed': 'device.dropped.socketClosed',
  'login refused': 'device.dropped.loginRefused',
};

type Frame = { cmd?: string; data?: unknown; req_sn?: number; res_sn?: number; did?: string };

/** The did of an `s2c_raw`, which sometimes carries a suffix (`<22-char did>/usr...`). */
export function cleanDid(did: unknown): string {
  const text = String(did ?? '');
  return text.length > 22 && /^[A-Za-z0-9]{22}\//.test(text) ? text.slice(0, 22) : text;
}

/** The delay before reconnect number `attempt` (from 0): at least `base`, up to min(cap, base·2^attempt). */
export function reconnectDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(baseMs + random() * Math.max(0, ceiling - baseMs));
}

export class DeviceSocket extends EventEmitter {
  readonly url: string;
  private readonly options: Required<Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials'>>;
  private ws: WebSocket | undefined;
  private stateValue: SocketState = 'connecting';
  private closed = false;
  private started = false;
  private attempt = 0;
  private onlineSince = 0;
  private lastFrameAt = 0;
  private reloginTried = false;
  private freshLoginTried = false;
  private reqSn = 0;
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private readonly initialReads = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private loginTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  constructor(private readonly config: DeviceSocketOptions) {
    super();
    this.url = config.url;
    this.options = {
      pingIntervalMs: config.pingIntervalMs ?? 60_000,
      heartbeatInterval: config.heartbeatInterval ?? 180,
      loginTimeoutMs: config.loginTimeoutMs ?? 15_000,
      backoffBaseMs: config.backoffBaseMs ?? 1_000,
      backoffCapMs: config.backoffCapMs ?? 60_000,
      stableMs: config.stableMs ?? 60_000,
      subscribeBatch: config.subscribeBatch ?? 100,
      random: config.random ?? Math.random,
    };
  }

  get state(): SocketState {
    return this.stateValue;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Devices this socket keeps subscribed, across reconnects. Starts the connection on first use. */
  setWanted(dids: Iterable<string>): void {
    const next = new Set(dids);
    for (const did of [...this.wanted]) if (!next.has(did)) this.wanted.delete(did);
    const added = [...next].filter((did) => !this.wanted.has(did));
    for (const did of added) this.wanted.add(did);
    if (!this.started) {
      this.started = true;
      void this.connect();
    } else if (this.stateValue === 'online' && added.length) {
      this.subscribe(added);
    }
  }

  isSubscribed(did: string): boolean {
    return this.stateValue === 'online' && this.subscribed.has(did);
  }

  /** Writes data point values; resolves when the cloud acknowledges (s2c_ack or an answering s2c_noti). */
  write(did: string, attrs: AttrValues, timeoutMs: number): Promise<void> {
    return this.request('c2s_write', did, { did, attrs }, timeoutMs);
  }

  /**
   * Sends a raw frame. Only a 0x93 frame is acknowledged (`s2c_ack`), so only then is there an answer to
   * wait for; a 0x90 frame is done once sent.
   */
  writeRaw(did: string, raw: number[], timeoutMs: number): Promise<void> {
    if (rawFrameWantsAck(raw)) return this.request('c2s_raw', did, { did, raw }, timeoutMs);
    if (this.stateValue !== 'online' || !this.ws) return Promise.reject(this.notOnline());
    this.send({ cmd: 'c2s_raw', data: { did, raw } });
    return Promise.resolve();
  }

  /** Asks the device for its state; resolves once it answers (the state arrives as a 'noti' event). */
  read(did: string, timeoutMs: number): Promise<void> {
    return this.request('c2s_read', did, { did }, timeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.dropSocket('closed');
    this.setState('closed');
    this.removeAllListeners();
  }

  private request(cmd: string, did: string, data: Record<string, unknown>, timeoutMs: number): Promise<void> {
    if (this.stateValue !== 'online' || !this.ws) return Promise.reject(this.notOnline());
    const sn = ++this.reqSn;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(sn);
        reject(
          new GizwitsError({
            code: 'TIMEOUT',
            ...keyed(
              'device.noAnswer',
              { command: cmd, did, ms: timeoutMs },
              `Gizwits ${cmd} to ${did}: no answer within ${timeoutMs} ms`,
            ),
          }),
        );
      }, timeoutMs);
      this.pending.set(sn, { did, resolve, reject, timer });
      this.send({ cmd, req_sn: sn, data });
    });
  }

  private notOnline(): GizwitsError {
    return new GizwitsError({
      code: 'NETWORK',
      ...keyed(
        'device.socketNotOnline',
        { url: this.url, state: this.stateValue },
        `Gizwits websocket ${this.url} is ${this.stateValue}, not online`,
      ),
    });
  }

  private setState(state: SocketState, error?: Error): void {
    if (this.stateValue === state && !error) return;
    this.stateValue = state;
    this.failure = state === 'failed' ? error : undefined;
    this.emit('state', state, error);
  }

  private async connect(freshToken = false): Promise<void> {
    if (this.closed) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let credentials: SocketCredentials;
    try {
      credentials = await this.config.credentials(freshToken);
    } catch (error) {
      if (isPermanent(error)) return this.fail(error as Error);
      return this.scheduleReconnect();
    }
    if (this.closed) return;
    const ws = new WebSocket(this.url, {
      handshakeTimeout: this.options.loginTimeoutMs,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.reloginTried = false;
    ws.on('open', () => {
      this.setState('authenticating');
      this.lastFrameAt = Date.now();
      this.sendLogin(credentials);
    });
    ws.on('message', (data) => {
      this.lastFrameAt = Date.now();
      this.handle(data.toString());
    });
    ws.on('error', () => {
      // A 'close' always follows; the reconnect is decided there.
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      const wasStable = this.onlineSince > 0 && Date.now() - this.onlineSince >= this.options.stableMs;
      this.dropSocket('socket closed');
      if (wasStable) this.attempt = 0;
      if (!this.closed && this.stateValue !== 'failed') this.scheduleReconnect();
    });
  }

  private sendLogin(credentials: SocketCredentials): void {
    clearTimeout(this.loginTimer);
    this.loginTimer = setTimeout(() => this.ws?.terminate(), this.options.loginTimeoutMs);
    this.send({
      cmd: 'login_req',
      data: {
        appid: this.config.appId,
        uid: credentials.uid,
        token: credentials.token,
        p0_type: 'attrs_v4',
        heartbeat_interval: this.options.heartbeatInterval,
        auto_subscribe: false,
      },
    });
  }

  private async relogin(fresh: boolean): Promise<void> {
    try {
      const credentials = await this.config.credentials(fresh);
      if (!this.closed && this.ws) this.sendLogin(credentials);
    } catch (error) {
      if (isPermanent(error)) this.fail(error as Error);
      else this.ws?.terminate();
    }
  }

  private handle(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    const data = (frame.data ?? {}) as Record<string, unknown>;
    switch (frame.cmd) {
      case 'login_res':
        return this.onLogin(data.success === true);
      case 'subscribe_res':
        return this.onSubscribed(data);
      case 's2c_noti': {
        const did = String(data.did ?? '');
        if (typeof frame.req_sn === 'number') this.send({ cmd: 'c2s_ack', res_sn: frame.req_sn, did });
        const initial = typeof frame.res_sn === 'number' && this.initialReads.delete(frame.res_sn);
        if (typeof frame.res_sn === 'number') this.settle(frame.res_sn);
        if (did && data.attrs && typeof data.attrs === 'object')
          this.emit('noti', { did, attrs: data.attrs as AttrValues, initial } satisfies NotiEvent);
        return;
      }
      case 's2c_ack':
        if (typeof frame.res_sn === 'number') this.settle(frame.res_sn);
        return;
      case 's2c_raw':
        this.emit('raw', { did: cleanDid(data.did), raw: Array.isArray(data.raw) ? data.raw : [] });
        return;
      case 's2c_online_status':
        this.emit('online', {
          did: String(data.did ?? ''),
          online: data.online === true,
          mac: data.mac,
          passcode: data.passcode,
        });
        return;
      case 's2c_binding_changed':
        this.emit('binding', { did: String(data.did ?? ''), bind: data.bind === true });
        return;
      case 's2c_invalid_msg':
        return this.onInvalid(Number(data.error_code), String(data.msg ?? ''));
      default:
        return; // pong and anything newer: the frame already fed the watchdog.
    }
  }

  private onLogin(success: boolean): void {
    clearTimeout(this.loginTimer);
    if (!success) {
      if (!this.freshLoginTried) {
        this.freshLoginTried = true;
        void this.relogin(true);
        return;
      }
      return this.fail(
        new GizwitsError({
          code: 'NOT_LOGGED_IN',
          ...keyed(
            'device.loginRefused',
            { url: this.url },
            `Gizwits websocket ${this.url} refused the login with a fresh token: check the AppID and the account; not retrying`,
          ),
        }),
      );
    }
    this.freshLoginTried = false;
    this.onlineSince = Date.now();
    this.subscribed.clear();
    this.setState('online');
    this.startHeartbeat();
    this.emit('login');
    this.subscribe([...this.wanted]);
  }

  private subscribe(dids: string[]): void {
    const batch = this.options.subscribeBatch;
    for (let i = 0; i < dids.length; i += batch) {
      this.send({ cmd: 'subscribe_req', data: dids.slice(i, i + batch).map((did) => ({ did })) });
    }
  }

  private onSubscribed(data: Record<string, unknown>): void {
    const success = Array.isArray(data.success) ? (data.success as Array<{ did: string }>) : [];
    const failed = Array.isArray(data.failed)
      ? (data.failed as Array<{ did: string; error_code?: number; msg?: string }>)
      : [];
    for (const { did } of success) {
      if (!this.wanted.has(did)) continue;
      this.subscribed.add(did);
      const sn = ++this.reqSn;
      this.initialReads.add(sn);
      this.send({ cmd: 'c2s_read', req_sn: sn, data: { did } });
    }
    for (const failure of failed) this.emit('subscribe-failed', failure);
  }

  private onInvalid(code: number, msg: string): void {
    this.emit('invalid', { code, msg });
    if (code === 1009 || code === 1003) {
      // Requests sent on the dead session get no answer; say so now rather than at their timeout.
      this.rejectPending(
        { key: 'device.sessionEnded', params: { code } },
        `the session ended (${code}) before the answer; the command may not have reached the device`,
      );
      // Frames sent before the session died are answered with more 1009s: the relogin under way covers them.
      if (this.stateValue === 'authenticating') return;
      // The session died while the socket stayed open: log in again once on it, then reconnect. A session
      // that died later (days on, when the token expires) again gets its relogin on this socket; one that
      // dies right after each login does not, or the two would loop without any backoff.
      const stable = this.onlineSince > 0 && Date.now() - this.onlineSince >= this.options.stableMs;
      if (!this.reloginTried || stable) {
        this.reloginTried = true;
        this.setState('authenticating');
        void this.relogin(false);
      } else {
        this.ws?.terminate();
      }
    } else if (code === 1011) {
      this.ws?.terminate();
    }
  }

  private settle(sn: number): void {
    const pending = this.pending.get(sn);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(sn);
    pending.resolve();
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.send({ cmd: 'ping' }), this.options.pingIntervalMs);
    this.watch();
  }

  /**
   * Ends the connection once nothing at all has been heard for two ping periods, counted from the last
   * frame (checking only at ping time would let a dead link live up to a third period).
   */
  private watch(): void {
    clearTimeout(this.watchdogTimer);
    const limit = 2 * this.options.pingIntervalMs;
    const silent = Date.now() - this.lastFrameAt;
    if (silent >= limit) {
      this.watchdogTimer = undefined;
      this.ws?.terminate();
      return;
    }
    this.watchdogTimer = setTimeout(() => this.watch(), limit - silent);
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /**
   * Ends every request still waiting for an answer: none will come on this session. `reason` is the
   * catalogue's text for `message`, the English reason.
   */
  private rejectPending(reason: ErrorText, message: string): void {
    for (const [sn, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new GizwitsError({
          code: 'NETWORK',
          ...keyed(
            'device.requestEnded',
            { did: pending.did, reason },
            `Gizwits websocket to ${pending.did}: ${message}`,
          ),
        }),
      );
      this.pending.delete(sn);
    }
  }

  private dropSocket(reason: DropReason): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.watchdogTimer);
    clearTimeout(this.loginTimer);
    this.heartbeatTimer = undefined;
    this.watchdogTimer = undefined;
    this.onlineSince = 0;
    this.subscribed.clear();
    this.initialReads.clear();
    this.rejectPending({ key: DROP_KEYS[reason] }, `${reason} before the answer`);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners('message');
      ws.on('error', () => {});
      ws.terminate();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = reconnectDelay(
      this.attempt,
      this.options.backoffBaseMs,
      this.options.backoffCapMs,
      this.options.random,
    );
    this.attempt++;
    this.setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private fail(error: Error): void {
    this.dropSocket('login refused');
    this.setState('failed', error);
  }
}

/** Errors that another attempt cannot cure: refused credentials, an unusable configuration. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof GizwitsError &&
    (error.isBadCredentials ||
      error.code === 'LOGIN_COOLDOWN' ||
      error.code === 'INVALID_CONFIG' ||
      error.code === 'CLOSED')
  );
}
