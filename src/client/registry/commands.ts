// Reads and writes of one device: which way each goes (the device's websocket or REST), a confirmed write
// waiting for the device's report, and a read answered by the next report or else over REST.
import type { GizwitsClient } from '../client';
import { encodeWrite, reportsMatch, toRestAttrs, type ProductSchema } from '../datapoints';
import { rawFrame, rawPayload } from '../raw-frames';
import type { DeviceSocket } from '../device-socket';
import type { LanLink } from '../lan/link';
import { GizwitsError, keyed, type ErrorText } from '../errors';
import type { DeviceStates } from './device-states';
import type { StatusWaits } from './status-waits';
import type { DeviceInfo, Transport, WriteOptions } from './types';
import { confirmWrite } from './write-confirmation';

/** What the commands use of the registry. */
export interface CommandHost {
  isClosed(): boolean;
  readonly states: DeviceStates;
  readonly waits: StatusWaits;
  socketFor(did: string): DeviceSocket | undefined;
  device(did: string): DeviceInfo | undefined;
  /** The bound device, loading the bindings first (and again when it is not among them). */
  find(did: string): Promise<DeviceInfo>;
  schema(productKey: string): Promise<ProductSchema>;
  addressError(did: string): GizwitsError | undefined;
  /** Whether a follower wants the device, i.e. whether a subscription for it is coming. */
  isWanted(did: string): boolean;
  readOverRest(did: string): Promise<void>;
  /** The device's LAN link when the account has one for it; `only`: the cloud keeps out of its data. */
  lanLink?(did: string): { link: LanLink; only: boolean } | undefined;
}

export class DeviceCommands {
  constructor(
    private readonly client: GizwitsClient,
    private readonly host: CommandHost,
  ) {}

  /** Validates values against the device's data points (nothing is sent when they are wrong) and writes. */
  async write(did: string, values: unknown, options: WriteOptions = {}): Promise<Record<string, unknown>> {
    const { states, waits } = this.host;
    const device = await this.host.find(did);
    const schema = await this.host.schema(device.productKey);
    // A refused write names the device as its user named it, with the did to tell same-named ones apart.
    const attrs = encodeWrite(schema, values, device.alias ? `${device.alias} (${did})` : did);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const known = {
      attrsOf: (id: string) => states.attrsOf(id),
      readOverRest: (id: string) => this.host.readOverRest(id),
    };
    const confirmation = options.confirm ? confirmWrite(waits, known, did, attrs, timeoutMs) : undefined;
    try {
      const lan = lanFor(this.host, did, options.transport ?? 'auto');
      if (lan) {
        // Validated again against the P0 layout, which also places each value (docs/lan.md §4).
        await lan.write(values);
      } else if (await useWebsocket(this.host, did, options.transport ?? 'auto', timeoutMs)) {
        await this.host.socketFor(did)!.write(did, attrs, timeoutMs);
      } else {
        await this.client.call('devices.control', { did, attrs: toRestAttrs(schema, attrs) });
      }
    } catch (error) {
      confirmation?.cancel();
      throw error;
    }
    if (!confirmation) return { ...states.attrsOf(did), ...attrs };
    // Devices report only what changed, so values the device already held bring no report: look now.
    if (reportsMatch(attrs, states.attrsOf(did))) confirmation.check();
    return confirmation.done;
  }

  /** Sends raw bytes: the websocket takes the whole frame (checked or built), REST the payload. */
  async writeRaw(did: string, bytes: number[], options: WriteOptions = {}): Promise<void> {
    await this.host.find(did);
    if (options.transport === 'lan')
      throw new GizwitsError({ code: 'INVALID_PARAMS', ...keyed('lan.pool.noRaw', { did }) });
    const frame = rawFrame(bytes, did);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (await useWebsocket(this.host, did, options.transport ?? 'auto', timeoutMs)) {
      await this.host.socketFor(did)!.writeRaw(did, frame, timeoutMs);
    } else {
      await this.client.call('devices.control', { did, raw: rawPayload(frame) });
    }
  }

  /** The device's current state: asked over the websocket when subscribed, else read over REST. */
  async read(did: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const { states, waits } = this.host;
    await this.host.find(did);
    const lan = lanFor(this.host, did, 'auto');
    if (lan) return { ...states.attrsOf(did), ...(await lan.read()) };
    const socket = this.host.socketFor(did);
    if (socket?.isSubscribed(did)) {
      const answered = waits.waitForStatus({ did, timeoutMs });
      try {
        await socket.read(did, timeoutMs);
        await answered.outcome;
        if (states.has(did)) return states.attrsOf(did);
      } catch {
        answered.end(); // and fall through to REST
      }
    }
    await this.host.readOverRest(did);
    return states.attrsOf(did);
  }
}

/**
 * The LAN link a command takes: `lan` insists on it (its errors say why it cannot); `auto` takes it while
 * it is up, and always in `only` mode, where the cloud is not used for device data (docs/lan.md).
 */
function lanFor(host: CommandHost, did: string, transport: Transport): LanLink | undefined {
  if (transport !== 'lan' && transport !== 'auto') return undefined;
  const lan = host.lanLink?.(did);
  if (!lan) {
    if (transport === 'auto') return undefined;
    throw new GizwitsError({ code: 'NETWORK', ...keyed('lan.pool.notOnLan', { did }) });
  }
  return transport === 'lan' || lan.only || lan.link.state === 'online' ? lan.link : undefined;
}

/**
 * Whether a write goes over the websocket. `websocket` waits (up to `timeoutMs`) for a socket that is
 * still connecting or reconnecting to subscribe the device, rather than failing a message that came
 * just after a deploy or during a reconnect; `auto` takes REST at once instead.
 */
async function useWebsocket(
  host: CommandHost,
  did: string,
  transport: Transport,
  timeoutMs: number,
): Promise<boolean> {
  if (transport === 'rest') return false;
  const unusable = host.addressError(did);
  if (unusable && transport === 'websocket') throw unusable;
  if (transport === 'auto')
    return !!host.socketFor(did)?.isSubscribed(did) && host.device(did)?.online === true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = host.socketFor(did);
    if (socket?.isSubscribed(did)) {
      // The cloud answers a write to an offline device with an s2c_invalid_msg that names no request,
      // so the write would only end at its timeout: refuse it now, as REST does (9042).
      if (host.device(did)?.online === false)
        throw new GizwitsError({
          code: 9042,
          operation: `websocket write to ${did}`,
          retryable: false,
          text: { key: 'device.offline', params: { did } },
        });
      return true;
    }
    const state = socket?.state;
    // No follower wants the device, so no subscription is coming for it: waiting would only delay the error.
    const coming = host.isWanted(did);
    if (host.isClosed() || !coming || state === 'failed' || state === 'closed' || Date.now() >= deadline) {
      const shownState: string | ErrorText = state ?? { key: 'device.notStarted' };
      throw new GizwitsError({
        code: 'NETWORK',
        ...(coming
          ? keyed('device.notConnected', { did, state: shownState })
          : keyed('device.notFollowed', { did })),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
}
