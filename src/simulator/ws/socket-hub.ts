// The websocket half of the simulated cloud: every client session on both endpoints, the pushes that
// follow the model's events (reports, raw frames, online changes, bindings), the socket fault switches
// and what tests may observe.
import type { Server } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type {
  BindingChangedEvent,
  DeviceOnlineEvent,
  DeviceRawEvent,
  DeviceReportEvent,
  SimulatorModel,
} from '../model/model';
import type { VirtualDevice } from '../model/virtual-device';
import { AppSocketSession, type SessionHost } from './app-session';
import type { SessionErrorCode, SocketAttrs } from './frames';
import { attachToServer, listenOwnPort, type SocketListener, type TlsMaterial } from './socket-listeners';
import {
  SocketRecords,
  type AlertDelivery,
  type ReceivedFrame,
  type SocketEndpoint,
  type SocketObservations,
} from './socket-records';

/** The switches FaultSwitches forwards to the websocket half. */
export interface SocketFaultTarget {
  /** Ends every socket on both endpoints without a close frame, like a dropped connection. */
  dropAllSockets(): void;
  /** Sends that `s2c_invalid_msg` to every logged-in socket and ends its login; 1011 also closes it. */
  sendInvalid(code: SessionErrorCode): void;
  /** While on, no socket is answered or pushed to (pongs included), as over a half-dead link. */
  stopAnsweringPings(on: boolean): void;
  /** While on, every socket is ended and new ones are closed as soon as they open: the cloud is down. */
  refuseSockets(on: boolean): void;
  /** Ends, with 1009, the login of every socket whose token is no longer accepted. */
  endRefusedSessions(): void;
  /** Sends that exact text (or its bytes as a binary frame) to every logged-in socket, or those subscribed to `did`. */
  sendRawFrame(text: string, did: string | undefined, binary: boolean): void;
}

export class DeviceSocketHub implements SessionHost, SocketFaultTarget, SocketObservations {
  readonly records = new SocketRecords();
  silenced = false;
  private refusing = false;
  private readonly sessions = new Map<WebSocket, AppSocketSession>();
  private readonly listeners: SocketListener[] = [];
  private nextSocketId = 1;
  /** Sequence numbers of the server's own requests (alert reports that want a c2s_ack). */
  private nextServerSn = 1;
  private closing: Promise<void> | undefined;

  private readonly onReport = (event: DeviceReportEvent): void => this.pushReport(event);
  private readonly onRaw = (event: DeviceRawEvent): void => this.pushRaw(event);
  private readonly onOnline = (event: DeviceOnlineEvent): void => this.pushOnline(event);
  private readonly onBinding = (event: BindingChangedEvent): void => this.pushBinding(event);

  constructor(readonly model: SimulatorModel) {
    model.on('report', this.onReport);
    model.on('raw', this.onRaw);
    model.on('online', this.onOnline);
    model.on('binding', this.onBinding);
  }

  /** Serves `main` on the REST server's port. */
  attachMain(server: Server): void {
    this.listeners.push(attachToServer(server, (socket) => this.accept('main', socket)));
  }

  /** Starts the `sandbox` listener and answers its port. */
  async listenSandbox(host: string, port: number): Promise<number> {
    const listener = await listenOwnPort(host, port, (socket) => this.accept('sandbox', socket));
    this.listeners.push(listener);
    return listener.port;
  }

  /** Starts a TLS (wss) listener for that endpoint and answers its port. */
  async listenTls(endpoint: SocketEndpoint, host: string, tls: TlsMaterial): Promise<number> {
    const listener = await listenOwnPort(
      host,
      0,
      (socket) => {
        this.records.tlsAccepted++;
        this.accept(endpoint, socket);
      },
      tls,
    );
    this.listeners.push(listener);
    return listener.port;
  }

  endpointOf(device: VirtualDevice): SocketEndpoint {
    return device.sandbox ? 'sandbox' : 'main';
  }

  // --- observations ---

  openSockets(endpoint: SocketEndpoint): number {
    let count = 0;
    for (const session of this.sessions.values()) if (session.endpoint === endpoint) count++;
    return count;
  }

  connections(endpoint: SocketEndpoint): number {
    return this.records.accepted[endpoint];
  }

  get tlsConnections(): number {
    return this.records.tlsAccepted;
  }

  get logins(): number {
    return this.records.logins;
  }

  get failedLogins(): number {
    return this.records.failedLogins;
  }

  get received(): ReadonlyArray<ReceivedFrame> {
    return this.records.received;
  }

  get alerts(): ReadonlyArray<AlertDelivery> {
    return this.records.alerts;
  }

  // --- fault switches ---

  dropAllSockets(): void {
    for (const socket of [...this.sessions.keys()]) socket.terminate();
  }

  sendInvalid(code: SessionErrorCode): void {
    for (const session of this.sessions.values()) if (session.loggedIn) session.endSession(code);
  }

  stopAnsweringPings(on: boolean): void {
    this.silenced = on;
  }

  refuseSockets(on: boolean): void {
    this.refusing = on;
    if (on) this.dropAllSockets();
  }

  sendRawFrame(text: string, did: string | undefined, binary: boolean): void {
    for (const session of this.sessions.values()) {
      if (!session.loggedIn || (did !== undefined && !session.subscriptions.has(did))) continue;
      session.sendText(text, binary);
    }
  }

  endRefusedSessions(): void {
    for (const session of this.sessions.values()) {
      if (!session.token) continue;
      try {
        this.model.accounts.resolve(session.token, false);
      } catch {
        session.endSession(1009);
      }
    }
  }

  /** Ends every socket, both listeners and every session timer; calling it again is harmless. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.model.off('report', this.onReport);
      this.model.off('raw', this.onRaw);
      this.model.off('online', this.onOnline);
      this.model.off('binding', this.onBinding);
      for (const [socket, session] of this.sessions) {
        session.dispose();
        socket.terminate();
      }
      this.sessions.clear();
      await Promise.all(this.listeners.map((listener) => listener.close()));
    })();
    return this.closing;
  }

  private accept(endpoint: SocketEndpoint, socket: WebSocket): void {
    if (this.closing || this.refusing) {
      socket.terminate();
      return;
    }
    const session = new AppSocketSession(this.nextSocketId++, endpoint, socket, this);
    this.sessions.set(socket, session);
    this.records.accepted[endpoint]++;
    socket.on('message', (data: RawData) => session.receive(rawText(data)));
    socket.on('close', () => {
      session.dispose();
      this.sessions.delete(socket);
    });
    // Errors end in 'close'; without a listener ws would throw them.
    socket.on('error', () => undefined);
  }

  /** Sessions that get a device's pushes: logged in and subscribed, on the endpoint its binding names. */
  private subscribersOf(did: string): AppSocketSession[] {
    const device = this.model.devices.get(did);
    if (!device) return [];
    const endpoint = this.endpointOf(device);
    return [...this.sessions.values()].filter(
      (session) => session.endpoint === endpoint && session.loggedIn && session.subscriptions.has(did),
    );
  }

  /**
   * Subscribers get the changed data points. A report that changes an alert or fault point asks for an
   * acknowledgement (a `req_sn`), as devices that want one do; whether it came is recorded.
   */
  private pushReport(event: DeviceReportEvent): void {
    if (event.changed.length === 0) return;
    const device = this.model.devices.get(event.did);
    if (!device) return;
    const attrs: SocketAttrs = {};
    for (const name of event.changed) attrs[name] = event.attrs[name];
    const wantsAck = device.product.attrs.some(
      (point) => event.changed.includes(point.name) && (point.kind === 'alert' || point.kind === 'fault'),
    );
    for (const session of this.subscribersOf(event.did)) {
      if (!wantsAck) {
        session.push(event.did, { cmd: 's2c_noti', data: { did: event.did, attrs } });
        continue;
      }
      const reqSn = this.nextServerSn++;
      if (session.push(event.did, { cmd: 's2c_noti', req_sn: reqSn, data: { did: event.did, attrs } })) {
        this.records.recordAlert({
          did: event.did,
          req_sn: reqSn,
          endpoint: session.endpoint,
          socketId: session.id,
          sentAt: Date.now(),
        });
      }
    }
  }

  private pushRaw(event: DeviceRawEvent): void {
    for (const session of this.subscribersOf(event.did)) {
      session.push(event.did, { cmd: 's2c_raw', data: { did: event.did + event.didSuffix, raw: event.raw } });
    }
  }

  private pushOnline(event: DeviceOnlineEvent): void {
    const device = this.model.devices.get(event.did);
    if (!device) return;
    const data = { did: device.did, passcode: device.passcode, mac: device.mac, online: event.online };
    for (const session of this.subscribersOf(event.did))
      session.push(event.did, { cmd: 's2c_online_status', data });
  }

  /**
   * Every logged-in socket of that user hears of it, on either endpoint. Unbinding ends the subscription;
   * binding subscribes sessions that asked for auto_subscribe, on the device's own endpoint.
   */
  private pushBinding(event: BindingChangedEvent): void {
    const device = this.model.devices.get(event.did);
    for (const session of this.sessions.values()) {
      if (session.uid !== event.uid) continue;
      if (!event.bind) session.subscriptions.delete(event.did);
      else if (session.autoSubscribe && device && this.endpointOf(device) === session.endpoint)
        session.subscriptions.add(event.did);
      session.send({ cmd: 's2c_binding_changed', data: { did: event.did, bind: event.bind } });
    }
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
