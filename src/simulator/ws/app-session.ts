// One client socket on /ws/app/v1: its login, subscriptions and heartbeat, and the answers to every
// client frame of docs/websocket.md. Pushes that start on the device side come from the hub.
import { WebSocket } from 'ws';
import { GizwitsApiError, errorDefinition } from '../errors';
import { SIM_APP_ID } from '../fixtures';
import { parseWrittenAttrs } from '../model/datapoint-values';
import type { SimulatorModel, WriteOrigin } from '../model/model';
import type { VirtualDevice } from '../model/virtual-device';
import {
  MAX_HEARTBEAT_SECONDS,
  SocketRequestError,
  checkRawEnvelope,
  parseClientFrame,
  requestError,
  sequenceNumber,
  sessionError,
  type ClientFrame,
  type ServerFrame,
  type SessionErrorCode,
  type SubscribeOutcome,
} from './frames';
import type { SocketEndpoint, SocketRecords } from './socket-records';

/** What a session needs from the hub that owns it. */
export interface SessionHost {
  readonly model: SimulatorModel;
  readonly records: SocketRecords;
  /** While true the link is dead: frames are recorded, nothing is answered or pushed. */
  readonly silenced: boolean;
  /** The endpoint a device's binding names. */
  endpointOf(device: VirtualDevice): SocketEndpoint;
}

interface Login {
  uid: string;
  token: string;
  autoSubscribe: boolean;
  heartbeatMs: number;
}

type JsonObject = Record<string, unknown>;

export class AppSocketSession {
  /** Dids this session receives pushes for; emptied whenever the login ends. */
  readonly subscriptions = new Set<string>();
  private login: Login | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly endpoint: SocketEndpoint,
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
  ) {}

  get uid(): string | undefined {
    return this.login?.uid;
  }

  get loggedIn(): boolean {
    return this.login !== undefined;
  }

  get autoSubscribe(): boolean {
    return this.login?.autoSubscribe ?? false;
  }

  get token(): string | undefined {
    return this.login?.token;
  }

  /** Sends a frame unless the link is silenced or closing; answers whether it went out. */
  send(frame: ServerFrame): boolean {
    if (this.host.silenced || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends that text as it is, not a frame of the protocol (a fault switch); silence still applies. */
  sendText(text: string, binary: boolean): boolean {
    if (this.host.silenced || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(binary ? Buffer.from(text, 'utf8') : text, { binary });
    return true;
  }

  /** A device-side push: only a logged-in session subscribed to that device gets it. */
  push(did: string, frame: ServerFrame): boolean {
    return this.loggedIn && this.subscriptions.has(did) && this.send(frame);
  }

  receive(text: string): void {
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(text);
    } catch (error) {
      this.host.records.recordFrame({ endpoint: this.endpoint, socketId: this.id, cmd: '' });
      this.answerError(error);
      return;
    }
    this.recordReceived(frame);
    if (this.host.silenced) return;
    this.armHeartbeat();
    try {
      this.dispatch(frame);
    } catch (error) {
      this.answerError(error);
    }
  }

  /** Ends the login with a socket error frame; 1011 also closes the socket, as the cloud does. */
  endSession(code: SessionErrorCode): void {
    this.send(sessionError(code));
    this.logout();
    if (code === 1011) this.socket.close(1000, 'No heartbeat!');
  }

  dispose(): void {
    this.logout();
  }

  private dispatch(frame: ClientFrame): void {
    if (frame.cmd === 'login_req') return this.handleLogin(frame.data);
    if (frame.cmd === 'ping') {
      this.send({ cmd: 'pong' });
      return;
    }
    if (!this.login) {
      this.send(sessionError(1009));
      return;
    }
    // A token refused or expired since login ends the session at the next request.
    if (!this.tokenStillValid()) return this.endSession(1009);
    switch (frame.cmd) {
      case 'subscribe_req':
        return this.handleSubscribe(frame.data);
      case 'c2s_read':
        return this.handleRead(frame);
      case 'c2s_write':
        return this.handleWrite(frame);
      case 'c2s_raw':
        return this.handleRaw(frame);
      case 'c2s_ack':
        return this.handleAck(frame);
      default:
        throw new SocketRequestError(9015, `unknown cmd '${frame.cmd}'`);
    }
  }

  private handleLogin(data: unknown): void {
    // Any login attempt ends the previous session, so a failed one leaves the socket logged out.
    this.logout();
    const login = this.verifyLogin(data);
    if (!login) {
      this.host.records.failedLogins++;
      this.send({ cmd: 'login_res', data: { success: false } });
      return;
    }
    this.login = login;
    this.host.records.logins++;
    this.send({ cmd: 'login_res', data: { success: true } });
    if (login.autoSubscribe) {
      for (const binding of this.host.model.bindingsOf(login.uid)) {
        const device = this.host.model.devices.get(binding.did);
        if (device && this.host.endpointOf(device) === this.endpoint) this.subscriptions.add(device.did);
      }
    }
    this.armHeartbeat();
  }

  private verifyLogin(data: unknown): Login | undefined {
    if (!isObject(data)) return undefined;
    const { appid, uid, token, p0_type: p0Type } = data;
    if (appid !== SIM_APP_ID || typeof uid !== 'string' || typeof token !== 'string') return undefined;
    if (p0Type !== undefined && p0Type !== 'attrs_v4' && p0Type !== 'custom') return undefined;
    try {
      const owner = this.host.model.accounts.resolve(token, false);
      if (owner.kind !== 'user' || owner.uid !== uid) return undefined;
    } catch {
      return undefined;
    }
    const declared = data.heartbeat_interval;
    const seconds =
      typeof declared === 'number' && declared > 0
        ? Math.min(declared, MAX_HEARTBEAT_SECONDS)
        : MAX_HEARTBEAT_SECONDS;
    return { uid, token, autoSubscribe: data.auto_subscribe !== false, heartbeatMs: seconds * 1000 };
  }

  private handleSubscribe(data: unknown): void {
    if (!Array.isArray(data) || !data.every((entry) => isObject(entry) && typeof entry.did === 'string'))
      throw new SocketRequestError(9015, 'subscribe_req data must be an array of {did}');
    const success: SubscribeOutcome[] = [];
    const failed: SubscribeOutcome[] = [];
    for (const { did } of data as Array<{ did: string }>) {
      const refusal = this.subscribeRefusal(did);
      if (refusal) {
        failed.push(refusal);
      } else {
        this.subscriptions.add(did);
        success.push({ did, error_code: 0, msg: 'ok' });
      }
    }
    this.send({ cmd: 'subscribe_res', data: { success, failed } });
  }

  private subscribeRefusal(did: string): SubscribeOutcome | undefined {
    const device = this.host.model.devices.get(did);
    if (!device) return { did, error_code: 9014, msg: errorDefinition(9014).message };
    if (!this.host.model.binding(this.login!.uid, did))
      return { did, error_code: 9017, msg: errorDefinition(9017).message };
    // The device is served by the other listener: this host does not know it.
    if (this.host.endpointOf(device) !== this.endpoint)
      return { did, error_code: 9014, msg: `${errorDefinition(9014).message} (not on this host)` };
    return undefined;
  }

  private handleRead(frame: ClientFrame): void {
    const data = requireObject(frame.data, 'c2s_read');
    const reqSn = sequenceNumber(frame.req_sn, 'req_sn');
    const names = data.names;
    if (names !== undefined && !(Array.isArray(names) && names.every((name) => typeof name === 'string')))
      throw new SocketRequestError(9015, 'names must be an array of data point names');
    const device = this.requireReachableDevice(data.did);
    this.send({
      cmd: 's2c_noti',
      ...(reqSn === undefined ? {} : { res_sn: reqSn }),
      data: { did: device.did, attrs: device.socketSnapshot() },
    });
  }

  /** Validates like `POST /app/control`; a bad write changes nothing. The ack precedes the report. */
  private handleWrite(frame: ClientFrame): void {
    const data = requireObject(frame.data, 'c2s_write');
    const reqSn = sequenceNumber(frame.req_sn, 'req_sn');
    const device = this.requireBoundDevice(data.did);
    if (data.attrs === undefined) throw new SocketRequestError(9015, 'c2s_write needs attrs');
    const values = parseWrittenAttrs(device.product, data.attrs, 'hex');
    if (!device.online) throw new SocketRequestError(9042, `did ${device.did}`);
    if (reqSn !== undefined) this.send({ cmd: 's2c_ack', res_sn: reqSn, did: device.did });
    this.host.model.writeAttrs(device.did, values, this.origin());
  }

  private handleRaw(frame: ClientFrame): void {
    const data = requireObject(frame.data, 'c2s_raw');
    const reqSn = sequenceNumber(frame.req_sn, 'req_sn');
    const device = this.requireBoundDevice(data.did);
    const envelope = checkRawEnvelope(data.raw);
    if (!device.online) throw new SocketRequestError(9042, `did ${device.did}`);
    this.host.model.writeRaw(device.did, Buffer.from(data.raw as number[]), this.origin());
    if (envelope.command === 0x93)
      this.send({ cmd: 's2c_ack', res_sn: reqSn ?? envelope.sn ?? 0, did: device.did });
  }

  private handleAck(frame: ClientFrame): void {
    const resSn = sequenceNumber(frame.res_sn, 'res_sn');
    const did = frame.did ?? (isObject(frame.data) ? frame.data.did : undefined);
    if (resSn === undefined || typeof did !== 'string')
      throw new SocketRequestError(9015, 'c2s_ack needs res_sn and did');
    this.host.records.recordAck(this.id, did, resSn);
  }

  private requireBoundDevice(did: unknown): VirtualDevice {
    if (typeof did !== 'string' || did === '') throw new SocketRequestError(9015, 'did is required');
    const device = this.host.model.devices.get(did);
    if (!device || this.host.endpointOf(device) !== this.endpoint)
      throw new SocketRequestError(9014, `did ${did}`);
    if (!this.host.model.binding(this.login!.uid, did)) throw new SocketRequestError(9017, `did ${did}`);
    return device;
  }

  /** An offline device cannot answer a read: the cloud says so rather than staying silent. */
  private requireReachableDevice(did: unknown): VirtualDevice {
    const device = this.requireBoundDevice(did);
    if (!device.online) throw new SocketRequestError(9042, `did ${device.did}`);
    return device;
  }

  private origin(): WriteOrigin {
    return { uid: this.login!.uid, appid: SIM_APP_ID, source: 'client' };
  }

  private tokenStillValid(): boolean {
    try {
      this.host.model.accounts.resolve(this.login!.token, false);
      return true;
    } catch {
      return false;
    }
  }

  private answerError(error: unknown): void {
    if (error instanceof SocketRequestError) this.send(requestError(error.code, error.detail));
    else if (error instanceof GizwitsApiError) this.send(requestError(error.code, error.detail ?? undefined));
    else throw error;
  }

  private recordReceived(frame: ClientFrame): void {
    const data = frame.data;
    const did = typeof frame.did === 'string' ? frame.did : isObject(data) ? data.did : undefined;
    const dids = Array.isArray(data)
      ? data.flatMap((entry) => (isObject(entry) && typeof entry.did === 'string' ? [entry.did] : []))
      : undefined;
    this.host.records.recordFrame({
      endpoint: this.endpoint,
      socketId: this.id,
      cmd: frame.cmd,
      ...(typeof did === 'string' ? { did } : {}),
      ...(frame.cmd === 'subscribe_req' && dids ? { dids } : {}),
      ...(typeof frame.req_sn === 'number' ? { req_sn: frame.req_sn } : {}),
      ...(typeof frame.res_sn === 'number' ? { res_sn: frame.res_sn } : {}),
    });
  }

  /** The declared heartbeat counts from the last frame of any kind; silence past it ends the socket. */
  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (!this.login) return;
    this.heartbeatTimer = setTimeout(() => {
      // A silenced link says nothing, not even this; the client's own watchdog has to act.
      if (this.host.silenced) this.armHeartbeat();
      else this.endSession(1011);
    }, this.login.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private logout(): void {
    this.login = undefined;
    this.subscriptions.clear();
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(value: unknown, cmd: string): JsonObject {
  if (!isObject(value)) throw new SocketRequestError(9015, `${cmd} data must be an object`);
  return value;
}
