// One virtual device's Wi-Fi module on the loopback network (docs/lan.md §2–3): a TCP server on an
// address of its own, a UDP socket answering discovery, sessions with login, heartbeat and idle time-out,
// and P0 reads and writes on the same device state the cloud reports. Fault switches: `passcode` (a Wi-Fi
// reset), `silent`, `dropConnections()`, `moveTo()` (a new address from DHCP), and the firmware profile.
import dgram from 'node:dgram';
import net from 'node:net';
import type { DeviceReportEvent, SimulatorModel } from '../model/model';
import type { VirtualDevice } from '../model/virtual-device';
import type { LanProfile, ModuleIdentity } from './firmware';
import { StatusBlock } from './status-block';
import { StreamCutter, frame, sized, type WireFrame } from './wire';

export interface LanDeviceOptions {
  address: string;
  /** 0 = a free port, kept across `moveTo`. */
  tcpPort: number;
  udpPort: number;
  idleTimeoutMs: number;
  maxClients: number;
  strictSingleFrameReads: boolean;
  /** Write each frame one byte at a time, so that clients must join frames from pieces. */
  byteByByte: boolean;
  /** How long the device takes to answer a request (0: at once). */
  replyDelayMs: number;
  profile: LanProfile;
  identity: ModuleIdentity;
}

export interface ReceivedLanFrame {
  connection: number;
  cmd: number;
  /** The frame's payload in hex; a login's passcode is shown as its length only. */
  body: string;
}

interface Session {
  id: number;
  socket: net.Socket;
  loggedIn: boolean;
  idle?: NodeJS.Timeout;
  /** Answers not yet sent (with a reply delay). */
  unanswered: number;
}

const DISCOVERY_REQUEST = frame(0x03);
/** Commands a module takes before login; anything else closes the socket. */
const BEFORE_LOGIN = new Set([0x06, 0x08, 0x13, 0x0c]);
const RECEIVED_LIMIT = 1000;

export class LanDevice {
  passcode: string;
  /** Answers nothing at all, heartbeats included. */
  silent = false;
  bindingWindowOpen = true;
  readonly received: ReceivedLanFrame[] = [];
  /** Requests that arrived while an earlier one of the same client was still unanswered (pipelining). */
  overlaps = 0;
  private address: string;
  private tcpPort: number;
  private readonly block: StatusBlock;
  private readonly sessions = new Set<Session>();
  private server: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private nextSession = 1;

  constructor(
    private readonly model: SimulatorModel,
    readonly device: VirtualDevice,
    readonly options: LanDeviceOptions,
  ) {
    this.passcode = device.passcode;
    this.address = options.address;
    this.tcpPort = options.tcpPort;
    this.block = new StatusBlock(device.product);
  }

  get host(): string {
    return this.address;
  }

  get port(): number {
    return this.tcpPort;
  }

  /** Clients logged in now. */
  get clients(): number {
    return [...this.sessions].filter((session) => session.loggedIn).length;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(this.tcpPort, this.address, () => resolve());
    });
    this.server = server;
    this.tcpPort = (server.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    udp.on('message', (message, from) => {
      if (message.equals(DISCOVERY_REQUEST)) this.answerDiscovery(from);
    });
    udp.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject).bind(this.options.udpPort, this.address, () => resolve());
    });
    this.udp = udp;
  }

  /** Sends the discovery reply, from this device's own address, to whoever asked. */
  answerDiscovery(to: { address: string; port: number }): void {
    const { identity } = this.options;
    const body = Buffer.concat([
      sized(Buffer.from(this.device.did)),
      sized(Buffer.from(this.device.mac, 'hex')),
      sized(Buffer.from(identity.firmware)),
      sized(Buffer.from(this.device.product.product_key)),
      identity.mcuAttributes,
      Buffer.from(`${identity.apiServer}\0${identity.gagentVersion}\0${identity.trailer}`),
    ]);
    this.udp?.send(frame(0x04, body), to.port, to.address, () => undefined);
  }

  dropConnections(): void {
    for (const session of this.sessions) session.socket.destroy();
  }

  /** The device comes back on another address (a reboot with a new DHCP lease), same ports. */
  async moveTo(address: string): Promise<void> {
    await this.close();
    this.address = address;
    await this.start();
  }

  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    const udp = this.udp;
    this.server = undefined;
    this.udp = undefined;
    await Promise.all([
      server && new Promise((resolve) => server.close(resolve)),
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
    ]);
  }

  private accept(socket: net.Socket): void {
    if (this.sessions.size >= this.options.maxClients) return void socket.destroy();
    const session: Session = { id: this.nextSession++, socket, loggedIn: false, unanswered: 0 };
    this.sessions.add(session);
    this.restartIdle(session);
    const cutter = new StreamCutter(this.options.strictSingleFrameReads);
    socket.on('data', (chunk: Buffer) => {
      const frames = cutter.feed(chunk);
      if (frames === 'broken') return void socket.destroy();
      for (const received of frames) if (!socket.destroyed) this.handle(session, received);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(session.idle);
      this.sessions.delete(session);
    });
  }

  private restartIdle(session: Session): void {
    clearTimeout(session.idle);
    session.idle = setTimeout(() => session.socket.destroy(), this.options.idleTimeoutMs);
  }

  private send(session: Session, bytes: Buffer): void {
    if (this.silent || session.socket.destroyed) return;
    if (!this.options.byteByByte) return void session.socket.write(bytes);
    for (const byte of bytes) session.socket.write(Buffer.from([byte]));
  }

  /** Answers a request, after the reply delay; `then` runs once the answer is out. */
  private answer(session: Session, bytes: Buffer, then?: () => void): void {
    if (this.options.replyDelayMs <= 0) {
      this.send(session, bytes);
      return then?.();
    }
    session.unanswered++;
    setTimeout(() => {
      session.unanswered--;
      this.send(session, bytes);
      then?.();
    }, this.options.replyDelayMs);
  }

  /** Sends bytes as they are to every logged-in client (a broken or hostile frame). */
  inject(bytes: Buffer): void {
    for (const session of this.sessions) if (session.loggedIn) this.send(session, bytes);
  }

  private record(session: Session, received: WireFrame): void {
    const body =
      received.cmd === 0x08 ? `passcode of ${received.body.length - 2} bytes` : received.body.toString('hex');
    this.received.push({ connection: session.id, cmd: received.cmd, body });
    if (this.received.length > RECEIVED_LIMIT) this.received.shift();
  }

  private handle(session: Session, received: WireFrame): void {
    this.record(session, received);
    this.restartIdle(session);
    if (session.unanswered > 0) this.overlaps++;
    const { cmd, body } = received;
    if (!session.loggedIn && !BEFORE_LOGIN.has(cmd)) return void session.socket.destroy();
    switch (cmd) {
      case 0x06:
        return this.passcodeAsked(session);
      case 0x08:
        return this.login(session, body);
      case 0x13:
        return this.answer(session, frame(0x14, this.moduleInfo()));
      case 0x15:
        return this.answer(session, frame(0x16));
      case 0x90:
        return this.p0(session, body, (reply) => frame(0x91, reply));
      case 0x93: {
        if (body.length < 4) return;
        const sequence = body.subarray(0, 4);
        const prefix = this.options.profile.prefix0094;
        return this.p0(session, body.subarray(4), (reply) =>
          frame(0x94, Buffer.concat([sequence, reply.length ? prefix : Buffer.alloc(0), reply])),
        );
      }
    }
  }

  private passcodeAsked(session: Session): void {
    if (this.bindingWindowOpen) return this.send(session, frame(0x07, sized(Buffer.from(this.passcode))));
    const length = this.options.profile.closedWindowLengthBug ? 0x0f : 0x05;
    this.send(session, Buffer.from([0, 0, 0, 3, length, 0, 0, 0x07, 0, 0]));
    session.socket.end();
  }

  private login(session: Session, body: Buffer): void {
    const length = body.length >= 2 ? body.readUInt16BE(0) : -1;
    const accepted = length === body.length - 2 && body.subarray(2).toString('latin1') === this.passcode;
    session.loggedIn = accepted;
    const reply = frame(0x09, Buffer.from([accepted ? 0 : 1]));
    // Newer firmware's second reply goes in the same write: two frames in one read.
    const twice = accepted && this.options.profile.duplicateLoginReply;
    this.answer(session, twice ? Buffer.concat([reply, reply]) : reply);
    if (!accepted && this.options.profile.closeOnLoginFail) session.socket.end();
  }

  private p0(session: Session, p0: Buffer, reply: (p0: Buffer) => Buffer): void {
    if (p0.length === 0) return;
    if (p0[0] === 0x02) return this.answer(session, reply(this.status(0x03)));
    if (p0[0] !== 0x01) return;
    const values = this.block.decodeWrite(p0.subarray(1));
    // The MCU rejects what it cannot use, and then nothing answers at all.
    if (!values) return;
    const apply = () => {
      if (!this.device.ignoresWrites) this.model.reportFromDevice(this.device.did, values);
    };
    if (this.options.profile.emptyWriteAck) this.answer(session, reply(Buffer.alloc(0)), apply);
    else apply();
  }

  private status(action: 0x03 | 0x04): Buffer {
    return Buffer.concat([Buffer.from([action]), this.block.encode(this.device.values)]);
  }

  /** The device's state changed (through the cloud, the LAN or by itself): every logged-in client hears it. */
  reported(event: DeviceReportEvent): void {
    if (event.did !== this.device.did || event.changed.length === 0) return;
    const { reportCmd, reportFlag } = this.options.profile;
    const p0 = this.status(0x04);
    const body = reportCmd === 0x93 ? Buffer.concat([Buffer.alloc(4), p0]) : p0;
    for (const session of this.sessions)
      if (session.loggedIn) this.send(session, frame(reportCmd, body, reportFlag));
  }

  private moduleInfo(): Buffer {
    const { identity } = this.options;
    const text8 = (value: string) => Buffer.from(value.padStart(8, '0').slice(0, 8));
    return Buffer.concat([
      text8('SIMWIFI'),
      text8(identity.firmware),
      text8('1'),
      text8('1'),
      text8('4'),
      Buffer.alloc(8),
      sized(Buffer.from(identity.firmware)),
      sized(Buffer.from(this.device.product.product_key)),
    ]);
  }
}
