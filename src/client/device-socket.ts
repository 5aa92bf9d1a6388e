// One device websocket (`/ws/app/v1`) to one `scheme://host:port`: its connection states, login,
// reconnects that never storm, and the frames it acts on. Its parts: the ws link (socket-link.ts), login
// retries (socket-login.ts), subscriptions kept across reconnects (socket-subscriptions.ts), replies
// correlated by req_sn (socket-requests.ts), ping + watchdog (socket-heartbeat.ts). Nothing from the wire
// is trusted: frames are checked by socket-frames.ts, bad ones counted and skipped (socket-skips.ts).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { reconnectDelay } from './backoff';
import { isSocketUrl } from './binding-check';
import { isPermanentFailure, type FailureContext } from './permanent-failure';
import { GizwitsError, keyed } from './errors';
import { rawFrameWantsAck } from './raw-frames';
import { checkServerFrame, type SubscribeFailure } from './socket-frames';
import { openLink } from './socket-link';
import { LoginRetries, loginFrame } from './socket-login';
import { Subscriptions } from './socket-subscriptions';
import {
  socketTuning,
  type DeviceSocketOptions,
  type SocketCredentials,
  type SocketState,
  type SocketTuning,
} from './socket-options';
import type { AttrValues } from './types';
import { Heartbeat } from './socket-heartbeat';
import { PendingRequests, type DropReason, type ReadMark } from './socket-requests';
import { SkippedFrames, type SkippedCounts } from './socket-skips';

export class DeviceSocket extends EventEmitter {
  readonly url: string;
  private readonly options: SocketTuning;
  private readonly failureContext: FailureContext;
  private ws: WebSocket | undefined;
  private stateValue: SocketState = 'connecting';
  private closed = false;
  private started = false;
  private attempt = 0;
  private onlineSince = 0;
  private readonly logins = new LoginRetries();
  private readonly subscriptions = new Subscriptions();
  private readonly requests = new PendingRequests();
  private readonly heartbeat: Heartbeat;
  private loginTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private readonly skips: SkippedFrames;

  constructor(private readonly config: DeviceSocketOptions) {
    super();
    this.url = config.url;
    this.failureContext = { tokenGiven: config.tokenGiven === true };
    this.skips = new SkippedFrames(config.url, config.warnIntervalMs, {
      listening: () => !this.closed,
      skipped: (kind) => this.emit('skipped', kind),
      warning: (warning) => this.emit('warning', warning),
    });
    this.options = socketTuning(config);
    this.heartbeat = new Heartbeat(
      this.options.pingIntervalMs,
      () => this.send({ cmd: 'ping' }),
      () => this.ws?.terminate(),
    );
  }

  get state(): SocketState {
    return this.stateValue;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** How many frames were skipped since the socket was made, by why. */
  get skipped(): SkippedCounts {
    return this.skips.skipped;
  }

  /** Devices this socket keeps subscribed, across reconnects. Starts the connection on first use. */
  setWanted(dids: Iterable<string>): void {
    const added = this.subscriptions.want(dids);
    if (!this.started) {
      this.started = true;
      this.startConnect();
    } else if (this.stateValue === 'online' && added.length) {
      this.subscribe(added);
    }
  }

  isSubscribed(did: string): boolean {
    return this.stateValue === 'online' && this.subscriptions.isConfirmed(did);
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

  /**
   * Asks the device for its state; resolves once it answers (the state arrives as a 'noti' event, marked
   * `check` when asked as a check of a silent device: news only where it differs from what is known).
   */
  read(did: string, timeoutMs: number, as?: 'check'): Promise<void> {
    return this.request('c2s_read', did, { did }, timeoutMs, as);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.dropSocket('closed');
    this.setState('closed');
    this.skips.close();
    this.removeAllListeners();
  }

  private request(cmd: string, did: string, data: object, timeoutMs: number, mark?: ReadMark): Promise<void> {
    if (this.stateValue !== 'online' || !this.ws) return Promise.reject(this.notOnline());
    const sn = mark ? this.requests.nextMarkedRead(mark) : this.requests.nextSn();
    const answered = this.requests.wait(sn, cmd, did, timeoutMs);
    try {
      this.send({ cmd, req_sn: sn, data });
    } catch (error) {
      return Promise.reject(error);
    }
    return answered;
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
      this.skips.skip('internal');
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
      ws = openLink(this.url, this.options.loginTimeoutMs, {
        open: () => {
          this.setState('authenticating');
          this.heartbeat.heard();
          this.sendLogin(credentials);
        },
        heard: (at) => this.heartbeat.heard(at),
        text: (text, at) => this.handle(text, at),
        skip: (kind, cmd) => this.skips.skip(kind, cmd),
        close: () => {
          if (this.ws !== ws) return;
          const wasStable = this.isStable();
          this.dropSocket('socket closed');
          if (wasStable) this.attempt = 0;
          if (!this.closed && this.stateValue !== 'failed') this.scheduleReconnect();
        },
      });
    } catch {
      // Only an address ws cannot use throws here: another attempt would fail alike.
      return this.fail(this.badUrl());
    }
    this.ws = ws;
    this.logins.connected();
  }

  private badUrl(): GizwitsError {
    return new GizwitsError({ code: 'INVALID_CONFIG', ...keyed('device.badUrl', { url: this.url }) });
  }

  private sendLogin(credentials: SocketCredentials): void {
    clearTimeout(this.loginTimer);
    this.loginTimer = setTimeout(() => this.ws?.terminate(), this.options.loginTimeoutMs);
    this.send(loginFrame(this.config.appId, credentials, this.options.heartbeatInterval));
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
    this.relogin(fresh).catch(() => this.skips.skip('internal'));
  }

  private handle(text: string, at: number): void {
    const frame = checkServerFrame(text);
    switch (frame.cmd) {
      case 'malformed':
        return this.skips.skip('frames', frame.of);
      case 'login_res':
        return this.onLogin(frame.success);
      case 'subscribe_res':
        if (frame.skipped > 0) this.skips.skip('frames', frame.cmd);
        return this.onSubscribed(frame.success, frame.failed);
      case 's2c_noti': {
        const { did, attrs, reqSn, resSn } = frame;
        if (reqSn !== undefined) this.send({ cmd: 'c2s_ack', res_sn: reqSn, did });
        const mark = resSn === undefined ? undefined : this.requests.answer(resSn);
        if (attrs)
          this.emit('noti', { did, attrs, initial: mark === 'initial', check: mark === 'check', at });
        return;
      }
      case 's2c_ack':
        return this.requests.settle(frame.resSn);
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
      if (this.logins.retryRefused()) return this.startRelogin(true);
      const refused = keyed('device.loginRefused', { url: this.url });
      return this.fail(new GizwitsError({ code: 'NOT_LOGGED_IN', ...refused }));
    }
    this.logins.accepted();
    this.onlineSince = Date.now();
    this.subscriptions.reset();
    this.setState('online');
    this.heartbeat.start();
    this.emit('login');
    this.subscribe();
  }

  /** Subscribes `dids`, every wanted device by default. */
  private subscribe(dids?: string[]): void {
    for (const frame of this.subscriptions.requestFrames(this.options.subscribeBatch, dids)) this.send(frame);
  }

  private onSubscribed(success: string[], failed: SubscribeFailure[]): void {
    for (const did of this.subscriptions.confirm(success)) {
      const sn = this.requests.nextMarkedRead('initial');
      this.send({ cmd: 'c2s_read', req_sn: sn, data: { did } });
    }
    for (const failure of failed) this.emit('subscribe-failed', failure);
  }

  private onInvalid(code: number, msg: string): void {
    this.emit('invalid', { code, msg });
    if (code === 1009 || code === 1003) {
      // Requests sent on the dead session get no answer; say so now rather than at their timeout.
      this.requests.rejectAll({ key: 'device.sessionEnded', params: { code } });
      // Frames sent before the session died are answered with more 1009s: the relogin under way covers them.
      if (this.stateValue === 'authenticating') return;
      // The session died while the socket stayed open: log in again on it, or reconnect (socket-login.ts).
      if (this.logins.retryDeadSession(this.isStable())) {
        this.setState('authenticating');
        this.startRelogin(false);
      } else {
        this.ws?.terminate();
      }
    } else if (code === 1011) {
      this.ws?.terminate();
    }
  }

  /** Online for `stableMs` or longer: the link works, whatever came before. */
  private isStable(): boolean {
    return this.onlineSince > 0 && Date.now() - this.onlineSince >= this.options.stableMs;
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private dropSocket(reason: DropReason): void {
    this.heartbeat.stop();
    clearTimeout(this.loginTimer);
    this.onlineSince = 0;
    this.subscriptions.reset();
    this.requests.endSession(reason);
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
    const { backoffBaseMs, backoffCapMs, random } = this.options;
    const delay = reconnectDelay(this.attempt++, backoffBaseMs, backoffCapMs, random);
    this.setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.startConnect(), delay);
  }

  private fail(error: Error): void {
    this.dropSocket('login refused');
    this.setState('failed', error);
  }
}
