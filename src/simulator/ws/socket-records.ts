// What the websocket half saw, for tests that assert on client behaviour: sockets per endpoint, logins,
// a bounded log of received frames and the acknowledgements alert reports asked for.

/** `main` shares the REST port; `sandbox` is the second, websocket-only listener. */
export type SocketEndpoint = 'main' | 'sandbox';

export interface ReceivedFrame {
  /** Increases by one per frame across the simulator's life; filter on it instead of on array indexes. */
  seq: number;
  at: number;
  endpoint: SocketEndpoint;
  /** Which socket sent it, numbered from 1 in order of connection. */
  socketId: number;
  cmd: string;
  did?: string;
  /** The dids of one `subscribe_req`, so that tests can see how requests were batched. */
  dids?: string[];
  req_sn?: number;
  res_sn?: number;
}

/** One alert/fault report sent with a `req_sn`, and whether the client answered `c2s_ack`. */
export interface AlertDelivery {
  did: string;
  req_sn: number;
  endpoint: SocketEndpoint;
  socketId: number;
  sentAt: number;
  ackedAt?: number;
}

export interface SocketObservations {
  /** Sockets open right now on that endpoint. */
  openSockets(endpoint: SocketEndpoint): number;
  /** Sockets accepted since start on that endpoint (a reconnect storm shows here). */
  connections(endpoint: SocketEndpoint): number;
  /** Sockets accepted over TLS (wss) since start, both endpoints (0 when the simulator has no certificate). */
  readonly tlsConnections: number;
  /** Successful `login_req`s across both endpoints. */
  readonly logins: number;
  readonly failedLogins: number;
  /** The last RECEIVED_LIMIT frames clients sent, oldest first. */
  readonly received: ReadonlyArray<ReceivedFrame>;
  /** The last ALERT_LIMIT alert deliveries, oldest first. */
  readonly alerts: ReadonlyArray<AlertDelivery>;
}

const RECEIVED_LIMIT = 2000;
const ALERT_LIMIT = 500;

export class SocketRecords {
  logins = 0;
  failedLogins = 0;
  readonly received: ReceivedFrame[] = [];
  readonly alerts: AlertDelivery[] = [];
  readonly accepted: Record<SocketEndpoint, number> = { main: 0, sandbox: 0 };
  /** Of those, the ones that came over TLS (wss). */
  tlsAccepted = 0;
  private nextSeq = 1;

  recordFrame(frame: Omit<ReceivedFrame, 'seq' | 'at'>): void {
    this.received.push({ seq: this.nextSeq++, at: Date.now(), ...frame });
    if (this.received.length > RECEIVED_LIMIT) this.received.splice(0, this.received.length - RECEIVED_LIMIT);
  }

  recordAlert(delivery: AlertDelivery): void {
    this.alerts.push(delivery);
    if (this.alerts.length > ALERT_LIMIT) this.alerts.splice(0, this.alerts.length - ALERT_LIMIT);
  }

  /** Marks the delivery that `c2s_ack` answers; an ack for nothing pending changes nothing. */
  recordAck(socketId: number, did: string, resSn: number): void {
    const delivery = this.alerts.find(
      (entry) => entry.socketId === socketId && entry.req_sn === resSn && entry.did === did && !entry.ackedAt,
    );
    if (delivery) delivery.ackedAt = Date.now();
  }
}
