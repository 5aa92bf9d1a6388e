// Finding devices on the local network (docs/lan.md §2): the 8-byte request to UDP 12414 of each target,
// unicast replies read on the same socket, every field bounds-checked, merged by did (else MAC).
import dgram from 'node:dgram';
import os from 'node:os';
import { GizwitsError, keyed } from '../errors';
import { LAN_CMD, buildFrame, readDatagram } from './frame';

export const LAN_UDP_PORT = 12414;

export interface DiscoveryTarget {
  host: string;
  port: number;
}

export interface DiscoveredDevice {
  did: string;
  /** 12 lowercase hex digits, as the cloud writes it. */
  mac: string;
  productKey: string;
  firmware: string;
  /** The 8 MCU attribute bytes, in hex. */
  mcuAttributes: string;
  apiServer?: string;
  gagentVersion?: string;
  /** The address the reply came from: where the device is now. */
  ip: string;
}

export interface DiscoveryOptions {
  /** Default: the broadcast address of every IPv4 interface, port 12414 (`defaultTargets`). */
  targets?: DiscoveryTarget[];
  /** Where the socket listens; default every interface (replies are unicast back to it). */
  bindAddress?: string;
  probes?: number;
  probeIntervalMs?: number;
  /** How long to collect replies after the first probe. */
  listenMs?: number;
  /** Stops early once a reply satisfies it (looking for one did). */
  until?: (device: DiscoveredDevice) => boolean;
}

/** Longest text field read from a reply; real ones are at most 32 characters. */
const MAX_TEXT = 64;

function text(bytes: Buffer): string | undefined {
  if (bytes.length > MAX_TEXT || !/^[\x20-\x7e]*$/.test(bytes.toString('latin1'))) return undefined;
  return bytes.toString('latin1');
}

/** The fields of a discovery reply's payload (after the command), or undefined if it is not one. */
export function parseDiscoveryReply(payload: Buffer): Omit<DiscoveredDevice, 'ip'> | undefined {
  let at = 0;
  const field = (): Buffer | undefined => {
    if (at + 2 > payload.length) return undefined;
    const length = payload.readUInt16BE(at);
    if (at + 2 + length > payload.length) return undefined;
    at += 2 + length;
    return payload.subarray(at - length, at);
  };
  const did = field();
  const mac = field();
  const firmware = field();
  const productKey = field();
  if (!did || !mac || !firmware || !productKey || mac.length !== 6 || at + 8 > payload.length)
    return undefined;
  const mcuAttributes = payload.subarray(at, at + 8).toString('hex');
  at += 8;
  const device = {
    did: text(did),
    mac: mac.toString('hex'),
    firmware: text(firmware),
    productKey: text(productKey),
    mcuAttributes,
  };
  if (device.did === undefined || device.firmware === undefined || device.productKey === undefined)
    return undefined;
  const result: Omit<DiscoveredDevice, 'ip'> = { ...device } as Omit<DiscoveredDevice, 'ip'>;
  // Two NUL-terminated texts follow on every captured reply, but not in the open firmware: read if there.
  for (const name of ['apiServer', 'gagentVersion'] as const) {
    const end = payload.indexOf(0, at);
    if (end < 0) break;
    const value = text(payload.subarray(at, end));
    if (value !== undefined) result[name] = value;
    at = end + 1;
  }
  return result;
}

/** The directed broadcast address of every IPv4 interface that has one, port 12414. */
export function defaultTargets(): DiscoveryTarget[] {
  const hosts = new Set<string>();
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== 'IPv4' || entry.internal) continue;
      const address = entry.address.split('.').map(Number);
      const mask = entry.netmask.split('.').map(Number);
      hosts.add(address.map((byte, i) => (byte | (~mask[i] & 0xff)) & 0xff).join('.'));
    }
  }
  if (hosts.size === 0) hosts.add('255.255.255.255');
  return [...hosts].map((host) => ({ host, port: LAN_UDP_PORT }));
}

/** `lanTargets`: comma-separated `host[:port]`; empty gives the default targets. */
export function parseTargets(value: string): DiscoveryTarget[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) return defaultTargets();
  return items.map((item) => {
    const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(item);
    const port = match?.[2] === undefined ? LAN_UDP_PORT : Number(match[2]);
    if (!match || port < 1 || port > 65535)
      throw new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('lan.discovery.badTarget', { target: item }),
      });
    return { host: match[1], port };
  });
}

/** Sends the request to every target a few times and collects the devices that answer. */
export async function discover(options: DiscoveryOptions = {}): Promise<DiscoveredDevice[]> {
  const targets = options.targets ?? defaultTargets();
  const probes = options.probes ?? 3;
  const interval = options.probeIntervalMs ?? 300;
  const found = new Map<string, DiscoveredDevice>();
  const socket = dgram.createSocket('udp4');
  const request = buildFrame(LAN_CMD.discover);
  return new Promise<DiscoveredDevice[]>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      socket.close();
      resolve([...found.values()]);
    };
    socket.on('error', finish);
    socket.on('message', (datagram, from) => {
      const frame = readDatagram(datagram);
      if (frame?.cmd !== LAN_CMD.discoverReply) return;
      const reply = parseDiscoveryReply(frame.payload);
      if (!reply) return;
      const device = { ...reply, ip: from.address };
      found.set(device.did || device.mac, device);
      if (options.until?.(device)) finish();
    });
    socket.bind(0, options.bindAddress ?? '0.0.0.0', () => {
      socket.setBroadcast(true);
      for (let probe = 0; probe < probes; probe++) {
        timers.push(
          setTimeout(() => {
            for (const target of targets) socket.send(request, target.port, target.host, () => undefined);
          }, probe * interval),
        );
      }
      timers.push(setTimeout(finish, options.listenMs ?? 2500));
    });
  });
}
