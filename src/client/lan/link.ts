// One device's LAN link (docs/lan.md §3): TCP to port 12416, login with the passcode, a heartbeat, one
// request in flight, reports decoded with the product's P0 layout, and reconnects with a doubling pause,
// asking where the device is now before each one. The passcode is held here and written only to the
// device: no event, state or error carries it.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { reconnectDelay } from '../backoff';
import { refusedWrite } from '../datapoints';
import { GizwitsError, keyed, type LocalErrorCode } from '../errors';
import type { ErrorText, TextParam } from '../messages';
import { Heartbeat } from '../socket-heartbeat';
import type { AttrValues } from '../types';
import { FrameReader, LAN_CMD, MAX_SENT_FRAME, buildFrame, type LanFrame } from './frame';
import { LanRequests } from './link-requests';
import {
  LAN_TCP_PORT,
  LAN_TIMING,
  type LanLinkEvents,
  type LanLinkOptions,
  type LanLinkState,
} from './link-types';
import { encodeP0Write, encodeRead, readDeviceP0, type P0Value } from './p0';

export * from './link-types';

interface Connection {
  socket: net.Socket;
  requests: LanRequests;
  heartbeat: Heartbeat;
  sequence: number;
  /** The read after login has not been answered yet: its reply is the `initial` state. */
  firstRead: boolean;
}

export class LanLink extends EventEmitter<LanLinkEvents> {
  readonly did: string;
  private host: string;
  private readonly port: number;
  /** A private field: not enumerable, so not shown when the link is inspected or logged. */
  #passcode: string;
  private readonly options: Omit<LanLinkOptions, 'passcode'>;
  private readonly timing: typeof LAN_TIMING;
  private current: LanLinkState = 'idle';
  private connection: Connection | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The last state the device reported, carried over into the unwritten part of a write. */
  private known: Record<string, P0Value> = {};

  constructor({ passcode, ...options }: LanLinkOptions) {
    super();
    this.did = options.did;
    this.host = options.host;
    this.port = options.port ?? LAN_TCP_PORT;
    this.options = options;
    this.#passcode = passcode;
    this.timing = { ...LAN_TIMING, ...options.timing };
  }

  get state(): LanLinkState {
    return this.current;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  start(): void {
    if (this.current === 'idle') this.connect();
  }

  /** A new passcode (read again from the cloud): a refused link tries again at once. */
  setPasscode(passcode: string): void {
    this.#passcode = passcode;
    if (this.current === 'refused') {
      this.failures = 0;
      this.connect();
    }
  }

  /** Reads the device's state; it is also emitted as a report. */
  async read(): Promise<Record<string, P0Value>> {
    const connection = this.online('0090');
    return connection.requests.send({
      frame: buildFrame(LAN_CMD.send, encodeRead()),
      answers: (frame) => {
        if (frame.cmd !== LAN_CMD.receive) return undefined;
        const read = readDeviceP0(this.options.layout, frame.payload);
        return read.type === 'status' && read.action === 0x03 ? { value: read.values } : undefined;
      },
      timeoutMs: this.timing.requestTimeoutMs,
      onTimeout: () =>
        this.error('TIMEOUT', 'noAnswer', { command: '0090', ms: this.timing.requestTimeoutMs }),
    });
  }

  /**
   * Writes data point values (validated like every write; rejects with the keyed refusal, nothing sent). It
   * completes on the device's acknowledgement, or on its next report when the firmware sends none; the
   * new state comes as a report.
   */
  async write(values: unknown): Promise<AttrValues> {
    const { p0, written } = encodeP0Write(this.options.layout, values, this.known, this.did);
    const connection = this.online('0093');
    const sequence = ++connection.sequence >>> 0;
    const numbered = Buffer.alloc(4);
    numbered.writeUInt32BE(sequence);
    const frame = buildFrame(LAN_CMD.sendNumbered, Buffer.concat([numbered, p0]));
    if (frame.length > MAX_SENT_FRAME)
      throw refusedWrite(this.did, 'lan.write.tooLarge', { bytes: MAX_SENT_FRAME });
    return connection.requests.send({
      frame,
      answers: (reply) => {
        if (reply.cmd === LAN_CMD.receiveNumbered && reply.payload.length >= 4)
          return reply.payload.readUInt32BE(0) === sequence ? { value: written } : undefined;
        if (reply.cmd !== LAN_CMD.receive && reply.cmd !== LAN_CMD.sendNumbered) return undefined;
        const body = reply.cmd === LAN_CMD.sendNumbered ? reply.payload.subarray(4) : reply.payload;
        const read = readDeviceP0(this.options.layout, body);
        return read.type === 'ack' || (read.type === 'status' && read.action === 0x04)
          ? { value: written }
          : undefined;
      },
      timeoutMs: this.timing.requestTimeoutMs,
      onTimeout: () =>
        this.error('TIMEOUT', 'noAnswer', { command: '0093', ms: this.timing.requestTimeoutMs }),
    });
  }

  /** Ends the link for good; resolves once the socket is closed. */
  async close(): Promise<void> {
    this.setState('closed');
    clearTimeout(this.timer);
    const socket = this.connection?.socket;
    const closed =
      socket && !socket.closed ? new Promise((resolve) => socket.once('close', resolve)) : undefined;
    this.drop();
    await closed;
  }

  private online(command: string): Connection {
    if (this.current !== 'online' || !this.connection)
      throw this.error('NETWORK', 'notConnected', { state: this.current, command });
    return this.connection;
  }

  private error(code: LocalErrorCode, key: string, params: Record<string, TextParam> = {}): GizwitsError {
    const text: ErrorText = {
      key: `lan.link.${key}`,
      params: { did: this.did, address: this.address, ...params },
    };
    return new GizwitsError({ code, ...keyed(text.key, text.params) });
  }

  private setState(state: LanLinkState): void {
    if (this.current === state) return;
    this.current = state;
    this.emit('state', state);
  }

  private connect(): void {
    this.setState('connecting');
    const socket = net.createConnection({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      requests: new LanRequests((frame) => socket.write(frame)),
      heartbeat: new Heartbeat(
        this.timing.heartbeatMs,
        () => this.ping(connection),
        () =>
          this.guarded(socket, () => {
            socket.destroy();
            this.emit('problem', this.error('NETWORK', 'silent', { ms: 2 * this.timing.heartbeatMs }));
          }),
      ),
      sequence: 0,
      firstRead: true,
    };
    this.connection = connection;
    const reader = new FrameReader();
    socket.setTimeout(this.timing.connectTimeoutMs, () => socket.destroy());
    socket.on('connect', () => {
      socket.setTimeout(0);
      connection.heartbeat.heard();
      this.login(connection).catch(() => socket.destroy());
    });
    socket.on('data', (chunk: Buffer) =>
      this.guarded(socket, () => {
        connection.heartbeat.heard();
        const { frames, problem: reason } = reader.push(chunk);
        for (const frame of frames) this.received(connection, frame);
        if (reason) {
          socket.destroy();
          this.emit('problem', this.error('BAD_RESPONSE', 'badFrame', { reason }));
        }
      }),
    );
    socket.on('error', () => undefined);
    socket.on('close', () => this.guarded(socket, () => this.dropped(connection)));
  }

  /**
   * Runs what a socket event or timer does; whatever it throws (a frame we could not handle, a listener
   * of ours that failed) ends this connection, never the process.
   */
  private guarded(socket: net.Socket, run: () => void): void {
    try {
      run();
    } catch {
      socket.destroy();
    }
  }

  private async login(connection: Connection): Promise<void> {
    const secret = Buffer.from(this.#passcode, 'latin1');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(secret.length);
    const accepted = await connection.requests
      .send<boolean | undefined>({
        frame: buildFrame(LAN_CMD.login, Buffer.concat([length, secret])),
        answers: (frame) =>
          frame.cmd === LAN_CMD.loginReply ? { value: frame.payload[0] === 0 } : undefined,
        timeoutMs: this.timing.requestTimeoutMs,
        onTimeout: () => ({ value: undefined }),
      })
      .catch(() => undefined);
    if (connection !== this.connection) return;
    if (accepted === false) {
      this.setState('refused');
      this.emit('refused', this.error('NOT_LOGGED_IN', 'loginRefused'));
      this.drop();
      return;
    }
    if (accepted === undefined) return void connection.socket.destroy();
    await new Promise((resolve) => (this.timer = setTimeout(resolve, this.timing.loginSettleMs)));
    if (connection !== this.connection) return;
    this.failures = 0;
    connection.heartbeat.start();
    this.setState('online');
    await this.read().catch(() => undefined);
  }

  private ping(connection: Connection): void {
    if (connection.requests.busy) return;
    connection.requests
      .send({
        frame: buildFrame(LAN_CMD.ping),
        answers: (frame) => (frame.cmd === LAN_CMD.pong ? { value: true } : undefined),
        timeoutMs: this.timing.requestTimeoutMs,
        onTimeout: () => ({ value: false }),
      })
      .catch(() => undefined);
  }

  private received(connection: Connection, frame: LanFrame): void {
    connection.requests.offer(frame);
    // Reports come as 0091, or with a sequence number as 0093 / an unmatched 0094 (docs/lan.md §3).
    let p0: Buffer | undefined;
    if (frame.cmd === LAN_CMD.receive) p0 = frame.payload;
    else if (frame.cmd === LAN_CMD.sendNumbered || frame.cmd === LAN_CMD.receiveNumbered)
      p0 = frame.payload.subarray(4);
    if (!p0 || p0.length === 0) return;
    const read = readDeviceP0(this.options.layout, p0);
    if (read.type === 'status') {
      this.known = { ...this.known, ...read.values };
      // The first read reply after login is the initial state, even one that comes after its time-out.
      const initial = read.action === 0x03 && connection.firstRead;
      if (initial) connection.firstRead = false;
      this.emit('report', { did: this.did, action: read.action, values: read.values, initial });
    } else if (read.type === 'transparent') {
      this.emit('transparent', { did: this.did, bytes: read.bytes });
    }
  }

  /** Forgets the connection without reconnecting. */
  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.heartbeat.stop();
    connection.requests.fail(() => this.error('NETWORK', 'closed'));
    connection.socket.destroy();
  }

  private dropped(connection: Connection): void {
    connection.heartbeat.stop();
    connection.requests.fail(() => this.error('NETWORK', 'closed'));
    if (connection !== this.connection) return;
    this.connection = undefined;
    clearTimeout(this.timer);
    if (this.current === 'closed' || this.current === 'refused') return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.setState('waiting');
    const delay = reconnectDelay(
      this.failures++,
      this.timing.reconnectBaseMs,
      this.timing.reconnectCapMs,
      this.options.random,
    );
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    const host = await Promise.resolve()
      .then(() => this.options.locate?.())
      .catch(() => undefined);
    if (this.current !== 'waiting') return;
    if (typeof host === 'string' && host) this.host = host;
    try {
      this.connect();
    } catch {
      this.scheduleReconnect();
    }
  }
}
