// One device websocket (`/ws/app/v1`) to one `scheme://host:port`: login, subscriptions kept across
// reconnects, replies correlated by req_sn, ping + watchdog, and reconnects that never storm. Nothing
// from the wire is trusted: frames are checked by socket-frames.ts, bad ones counted and skipped.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { reconnectDelay } from './backoff';
import { isSocketUrl } from './binding-check';
import { isPermanentFailure, type FailureContext } from './permanent-failure';
import { GizwitsError, keyed, type ErrorText } from './errors';
import { rawFrameWantsAck } from './datapoints';
import { MAX_FRAME_BYTES, checkServerFrame, type SubscribeFailure } from './socket-frames';
import type { AttrValues } from './types';
import { WarningGate } from './warning-gate';

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
  /** The credentials are a uid + token given in the settings: a refusal of that token is final. */
  tokenGiven?: boolean;
  pingIntervalMs?: number;
  heartbeatInterval?: number;
  loginTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A connection up this long resets the reconnect backoff. */
  stableMs?: number;
  subscribeBatch?: number;
  random?: () => number;
  /** At most one warning of each kind per this interval (default a minute). */
  warnIntervalMs?: number;
}

/** What the socket skipped: malformed frames, frames over MAX_FRAME_BYTES, frames whose handling failed. */
export type SkippedKind = 'frames' | 'oversized' | 'internal';
export type SkippedCounts = Record<SkippedKind, number>;

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

/** The did of an `s2c_raw`, which sometimes carries a suffix (`<22-char did>/usr...`). */
export function cleanDid(did: unknown): string {
  const text = String(did ?? '');
  return text.length > 22 && /^[A-Za-z0-9]{22}\//.test(text) ? text.slice(0, 22) : text;
}

export class DeviceSocket extends EventEmitter {
  readonly url: string;
  private readonly options: Required<
    Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials' | 'tokenGiven'>
  >;
  private readonly failureContext: FailureContext;
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
  private readonly skippedCounts: SkippedCounts = { frames: 0, oversized: 0, internal: 0 };
  /** The command of the last malformed frame, for the warning (never text from the wire). */
  private lastBadCmd = '';
  private readonly warnings: WarningGate<SkippedKind>;

  constructor(private readonly config: DeviceSocketOptions) {
    super();
    this.url = config.url;
    this.failureContext = { tokenGiven: config.tokenGiven === true };
    this.warnings = new WarningGate((kind, count) => this.warn(kind, count), config.warnIntervalMs);
    this.options = {
      pingIntervalMs: config.pingIntervalMs ?? 60_000,
      heartbeatInterval: config.heartbeatInterval ?? 180,
      loginTimeoutMs: config.loginTimeoutMs ?? 15_000,
      backoffBaseMs: config.backoffBaseMs ?? 1_000,
      backoffCapMs: config.backoffCapMs ?? 60_000,
      stableMs: config.stableMs ?? 60_000,
      subscribeBatch: config.subscribeBatch ?? 100,
      random: config.random ?? Math.random,
      warnIntervalMs: config.warnIntervalMs ?? 60_000,
    };
  }

  get state(): SocketState {
    return this.stateValue;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** How many frames were skipped since the socket was made, by why. */
  get skipped(): SkippedCounts {
    return { ...this.skippedCounts };
  }

  /** Devices this socket keeps subscribed, across reconnects. Starts the connection on first use. */
  setWanted(dids: Iterable<string>): void {
    const next = new Set(dids);
    for (const did of [...this.wanted]) if (!next.has(did)) this.wanted.delete(did);
    const added = [...next].filter((did) => !this.wanted.has(did));
    for (const did of added) this.wanted.add(did);
    if (!this.started) {
      this.started = true;
      this.startConnect();
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
    this.warnings.close();
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
            ...keyed('device.noAnswer', { command: cmd, did, ms: timeoutMs }),
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
      ...keyed('device.socketNotOnline', { url: this.url, state: this.stateValue }),
    });
  }

  private setState(state: SocketState, error?: Error): void {
    if (this.stateValue === state && !error) return;
    this.stateValue = state;
    this.failure = state === 'failed' ? error : undefined;
    this.emit('state', state, error);
  }

  /** Connects; whatever goes wrong on the way ends in a reconnect or a failure, never a stray rejection. */
  private startConnect(): void {
    this.connect().catch(() => {
      this.skip('internal');
      if (!this.closed && !this.ws && this.stateValue !== 'failed') this.scheduleReconnect();
    });
  }

  private async connect(freshToken = false): Promise<void> {
    if (this.closed) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    if (!isSocketUrl(this.url)) return this.fail(this.badUrl());
    let credentials: SocketCredentials;
    try {
      credentials = await this.config.credentials(freshToken);
    } catch (error) {
      if (isPermanentFailure(error, this.failureContext)) return this.fail(error as Error);
      return this.scheduleReconnect();
    }
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, {
        handshakeTimeout: this.options.loginTimeoutMs,
        perMessageDeflate: false,
        // The ws default is 100 MiB; a larger frame closes the socket with 1009 and we reconnect.
        maxPayload: MAX_FRAME_BYTES,
      });
    } catch {
      // Only an address ws cannot use throws here: another attempt would fail alike.
      return this.fail(this.badUrl());
    }
    this.ws = ws;
    this.reloginTried = false;
    ws.on('open', () =>
      this.guarded(() => {
        this.setState('authenticating');
        this.lastFrameAt = Date.now();
        this.sendLogin(credentials);
      }),
    );
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) =>
      this.guarded(() => {
        this.lastFrameAt = Date.now();
        // The protocol's frames are UTF-8 JSON text; bytes are nobody's frame.
        if (isBinary || !Buffer.isBuffer(data)) return this.skip('frames', 'binary');
        this.handle(data.toString('utf8'));
      }),
    );
    ws.on('error', (error: Error & { code?: string }) => {
      // A 'close' always follows; the reconnect is decided there. After a frame ws refused (too large,
      // not UTF-8, not the protocol) the socket is ended at once rather than after ws' close handshake.
      const code = typeof error?.code === 'string' ? error.code : '';
      if (!code.startsWith('WS_ERR_')) return;
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.skip('oversized');
      else this.skip('frames', 'protocol');
      ws.terminate();
    });
    ws.on('close', () =>
      this.guarded(() => {
        if (this.ws !== ws) return;
        const wasStable = this.onlineSince > 0 && Date.now() - this.onlineSince >= this.options.stableMs;
        this.dropSocket('socket closed');
        if (wasStable) this.attempt = 0;
        if (!this.closed && this.stateValue !== 'failed') this.scheduleReconnect();
      }),
    );
  }

  /**
   * Runs a listener of the ws socket: nothing it does may throw into ws (that would take the process
   * down). What slips through is counted, warned about, and skipped.
   */
  private guarded(run: () => void): void {
    try {
      run();
    } catch {
      this.skip('internal');
    }
  }

  private skip(kind: SkippedKind, cmd?: string): void {
    this.skippedCounts[kind]++;
    if (cmd) this.lastBadCmd = cmd;
    if (this.closed) return;
    try {
      this.emit('skipped', kind);
    } catch {
      // a listener's fault is not the frame's: counted above already
    }
    this.warnings.note(kind);
  }

  private warn(kind: SkippedKind, count: number): void {
    const url = this.url;
    const texts: Record<SkippedKind, ReturnType<typeof keyed>> = {
      frames: keyed('device.skipped.frames', { url, count, cmd: this.lastBadCmd }),
      oversized: keyed('device.skipped.oversized', { url, count, limit: MAX_FRAME_BYTES }),
      internal: keyed('device.skipped.internal', { url, count }),
    };
    try {
      this.emit('warning', new GizwitsError({ code: 'BAD_RESPONSE', ...texts[kind] }));
    } catch {
      // a warning listener that throws loses its warning, nothing more
    }
  }

  private badUrl(): GizwitsError {
    return new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('device.badUrl', { url: this.url }),
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
      if (isPermanentFailure(error, this.failureContext)) this.fail(error as Error);
      else this.ws?.terminate();
    }
  }

  private startRelogin(fresh: boolean): void {
    this.relogin(fresh).catch(() => this.skip('internal'));
  }

  private handle(text: string): void {
    const checked = checkServerFrame(text);
    if (!checked.ok) return this.skip('frames', checked.cmd);
    const frame = checked.frame;
    switch (frame.cmd) {
      case 'login_res':
        return this.onLogin(frame.success);
      case 'subscribe_res':
        if (frame.skipped > 0) this.skip('frames', frame.cmd);
        return this.onSubscribed(frame.success, frame.failed);
      case 's2c_noti': {
        const { did, reqSn, resSn } = frame;
        if (reqSn !== undefined) this.send({ cmd: 'c2s_ack', res_sn: reqSn, did });
        const initial = resSn !== undefined && this.initialReads.delete(resSn);
        if (resSn !== undefined) this.settle(resSn);
        if (frame.attrs) this.emit('noti', { did, attrs: frame.attrs, initial } satisfies NotiEvent);
        return;
      }
      case 's2c_ack':
        return this.settle(frame.resSn);
      case 's2c_raw':
        this.emit('raw', { did: frame.did, raw: frame.raw });
        return;
      case 's2c_online_status':
        this.emit('online', {
          did: frame.did,
          online: frame.online,
          mac: frame.mac,
          passcode: frame.passcode,
        });
        return;
      case 's2c_binding_changed':
        this.emit('binding', { did: frame.did, bind: frame.bind });
        return;
      case 's2c_invalid_msg':
        return this.onInvalid(frame.code, frame.msg);
      default:
        return; // pong and anything newer: the frame already fed the watchdog.
    }
  }

  private onLogin(success: boolean): void {
    clearTimeout(this.loginTimer);
    if (!success) {
      if (!this.freshLoginTried) {
        this.freshLoginTried = true;
        this.startRelogin(true);
        return;
      }
      return this.fail(
        new GizwitsError({
          code: 'NOT_LOGGED_IN',
          ...keyed('device.loginRefused', { url: this.url }),
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

  private onSubscribed(success: string[], failed: SubscribeFailure[]): void {
    for (const did of success) {
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
      this.rejectPending({ key: 'device.sessionEnded', params: { code } });
      // Frames sent before the session died are answered with more 1009s: the relogin under way covers them.
      if (this.stateValue === 'authenticating') return;
      // The session died while the socket stayed open: log in again once on it, then reconnect. A session
      // that died later (days on, when the token expires) again gets its relogin on this socket; one that
      // dies right after each login does not, or the two would loop without any backoff.
      const stable = this.onlineSince > 0 && Date.now() - this.onlineSince >= this.options.stableMs;
      if (!this.reloginTried || stable) {
        this.reloginTried = true;
        this.setState('authenticating');
        this.startRelogin(false);
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
   * catalogue's text of why.
   */
  private rejectPending(reason: ErrorText): void {
    for (const [sn, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new GizwitsError({
          code: 'NETWORK',
          ...keyed('device.requestEnded', { did: pending.did, reason }),
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
    this.rejectPending({ key: DROP_KEYS[reason] });
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
    this.reconnectTimer = setTimeout(() => this.startConnect(), delay);
  }

  private fail(error: Error): void {
    this.dropSocket('login refused');
    this.setState('failed', error);
  }
}
