// The virtual devices' Wi-Fi modules on loopback (docs/lan.md): each on an address of its own,
// 127.0.0.2, 127.0.0.3, …, and a discovery "broadcast" socket on the simulator's host that passes every
// request on to all of them, so that one discovery target finds every device at its own address, as a
// broadcast on a real network does.
import dgram from 'node:dgram';
import { SIM_USERS } from '../fixtures';
import type { DeviceReportEvent, SimulatorModel } from '../model/model';
import { DEFAULT_IDENTITY, GAGENT_PROFILE, type LanProfile, type ModuleIdentity } from './firmware';
import { LanDevice } from './lan-device';
import { frame } from './wire';

export interface SimulatorLanOptions {
  /** Devices that speak LAN; default every device of the demo user. */
  dids?: string[];
  /** Last byte of the first device's address (127.0.0.n); default 2. */
  firstAddress?: number;
  /** TCP port of every device; default 12416; 0 = each a free port. */
  tcpPort?: number;
  /** UDP discovery port, the same for all; default 12414; 0 = a free one. */
  udpPort?: number;
  /** Where the discovery broadcast socket listens; default 127.0.0.1. */
  host?: string;
  /** A module closes a client it has not heard from for this long; default 14 000 ms. */
  idleTimeoutMs?: number;
  maxClients?: number;
  /** Refuse a read holding more or less than one frame (catches clients that pipeline). */
  strictSingleFrameReads?: boolean;
  /** Every frame a device sends is written one byte at a time. */
  byteByByte?: boolean;
  /** How long each device takes to answer a request; default 0. */
  replyDelayMs?: number;
  profile?: Partial<LanProfile>;
  identity?: Partial<ModuleIdentity>;
}

export class SimulatedLan {
  readonly devices = new Map<string, LanDevice>();
  private broadcast: dgram.Socket | undefined;
  private port = 0;
  private host = '127.0.0.1';
  private options: SimulatorLanOptions = {};
  private nextAddress = 2;
  private readonly onReport = (event: DeviceReportEvent) => this.devices.get(event.did)?.reported(event);

  constructor(private readonly model: SimulatorModel) {}

  /** The discovery port; send the request to `host:udpPort` to reach every device. */
  get udpPort(): number {
    return this.port;
  }

  get broadcastHost(): string {
    return this.host;
  }

  device(did: string): LanDevice {
    const device = this.devices.get(did);
    if (!device) throw new Error(`simulator: ${did} does not speak LAN`);
    return device;
  }

  async start(options: SimulatorLanOptions): Promise<void> {
    this.host = options.host ?? '127.0.0.1';
    const broadcast = dgram.createSocket('udp4');
    broadcast.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      broadcast.once('error', reject).bind(options.udpPort ?? 12414, this.host, () => resolve());
    });
    this.broadcast = broadcast;
    this.port = broadcast.address().port;
    const request = frame(0x03);
    broadcast.on('message', (message, from) => {
      if (!message.equals(request)) return;
      for (const device of this.devices.values()) device.answerDiscovery(from);
    });
    this.options = options;
    this.model.on('report', this.onReport);
    this.nextAddress = options.firstAddress ?? 2;
    const dids = options.dids ?? this.model.bindingsOf(SIM_USERS.demo.uid).map((binding) => binding.did);
    for (const did of dids) await this.addDevice(did);
  }

  /**
   * Gives one more model device a module, on the next free address, with the start options and any
   * overrides of this device's own (its profile, its identity in discovery replies, its address).
   */
  async addDevice(
    did: string,
    overrides: { address?: string; profile?: Partial<LanProfile>; identity?: Partial<ModuleIdentity> } = {},
  ): Promise<LanDevice> {
    const virtual = this.model.devices.get(did);
    if (!virtual) throw new Error(`simulator: unknown device ${did}`);
    const options = this.options;
    const device = new LanDevice(this.model, virtual, {
      address: overrides.address ?? `127.0.0.${this.nextAddress++}`,
      tcpPort: options.tcpPort ?? 12416,
      udpPort: this.port,
      idleTimeoutMs: options.idleTimeoutMs ?? 14_000,
      maxClients: options.maxClients ?? 8,
      strictSingleFrameReads: options.strictSingleFrameReads ?? false,
      byteByByte: options.byteByByte ?? false,
      replyDelayMs: options.replyDelayMs ?? 0,
      profile: { ...GAGENT_PROFILE, ...options.profile, ...overrides.profile },
      identity: { ...DEFAULT_IDENTITY, ...options.identity, ...overrides.identity },
    });
    this.devices.set(did, device);
    await device.start();
    return device;
  }

  async close(): Promise<void> {
    this.model.off('report', this.onReport);
    const broadcast = this.broadcast;
    this.broadcast = undefined;
    await Promise.all([
      ...[...this.devices.values()].map((device) => device.close()),
      broadcast && new Promise<void>((resolve) => broadcast.close(() => resolve())),
    ]);
  }
}

/** Starts the LAN side of the given model; closes what it opened if a port is taken. */
export async function startLan(model: SimulatorModel, options: SimulatorLanOptions): Promise<SimulatedLan> {
  const lan = new SimulatedLan(model);
  try {
    await lan.start(options);
  } catch (error) {
    await lan.close();
    throw error;
  }
  return lan;
}

export { GAGENT_PROFILE, NEWER_FIRMWARE_PROFILE, type LanProfile, type ModuleIdentity } from './firmware';
export type { LanDevice, ReceivedLanFrame } from './lan-device';
