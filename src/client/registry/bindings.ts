// The account's bindings as the registry last read them: each device's info, its websocket address (or
// why its binding gives none), and which devices the followers want. Bindings are checked like
// websocket frames (docs/websocket.md, Bindings): a bad entry is skipped and counted, never trusted.
import { checkBinding, socketEndpoint } from '../binding-check';
import { GizwitsError, keyed } from '../errors';
import type { Binding } from '../types';
import type { DeviceInfo } from './types';

/** What one follower wants: every device (bound now or later), or these dids. */
export const ALL_DEVICES = Symbol('all devices');
export type Want = typeof ALL_DEVICES | Set<string>;

/** How a new list differs from the one before, by did. */
export interface BindingChanges {
  bound: string[];
  unbound: string[];
  /** Known devices whose online flag changed. */
  flipped: string[];
  /** Devices whose binding just became unusable (or unusable for another reason). */
  newlyUnusable: string[];
}

function infoOf(binding: Binding): DeviceInfo {
  return {
    did: binding.did,
    productKey: binding.product_key,
    mac: binding.mac,
    alias: binding.dev_alias ?? '',
    remark: binding.remark ?? '',
    online: binding.is_online === true,
  };
}

/**
 * A copy of a device's record to hand out (a flow may change its message), made for every message of
 * every report: its six fields named, which costs V8 a fifth of the instructions of a spread (56 against
 * 283, counted under callgrind).
 */
export function copyDevice(device: DeviceInfo): DeviceInfo {
  return {
    did: device.did,
    productKey: device.productKey,
    mac: device.mac,
    alias: device.alias,
    remark: device.remark,
    online: device.online,
  };
}

export class BindingTable {
  /** Every bound device, by did: all that is kept of its binding, beside its websocket URL. */
  private readonly devices = new Map<string, DeviceInfo>();
  /** Each device's websocket URL, or why its binding gives none. */
  private readonly endpoints = new Map<string, string>();
  private readonly unusable = new Map<string, GizwitsError>();

  constructor(private readonly secure: boolean) {}

  list(): DeviceInfo[] {
    return [...this.devices.values()];
  }

  device(did: string): DeviceInfo | undefined {
    return this.devices.get(did);
  }

  /** The device's websocket URL; undefined when its binding gives none. */
  endpointOf(did: string): string | undefined {
    return this.endpoints.get(did);
  }

  /** Why the device's binding gives no usable websocket address; undefined when it does. */
  addressError(did: string): GizwitsError | undefined {
    return this.unusable.get(did);
  }

  /** The bound devices the followers want. */
  wanted(wants: Iterable<Want>): Set<string> {
    const wanted = new Set<string>();
    for (const want of wants) {
      if (want === ALL_DEVICES) return new Set(this.devices.keys());
      for (const did of want) if (this.devices.has(did)) wanted.add(did);
    }
    return wanted;
  }

  /**
   * Takes a new list of bindings (every page). `keepOnline(did)`: an online push came after the list was
   * asked for, so the device's known flag is newer than the list's. `skip()` hears of each bad entry.
   */
  apply(entries: unknown[], keepOnline: (did: string) => boolean, skip: () => void): BindingChanges {
    const seen = new Set<string>();
    // One string per URL, whichever devices share it: thousands of devices live on a few hosts.
    const urls = new Map<string, string>();
    const changes: BindingChanges = { bound: [], unbound: [], flipped: [], newlyUnusable: [] };
    for (const entry of entries) {
      const binding = checkBinding(entry);
      if (!binding) {
        skip();
        continue;
      }
      if (binding.is_disabled || seen.has(binding.did)) continue;
      seen.add(binding.did);
      if (this.takeEndpoint(binding, urls)) changes.newlyUnusable.push(binding.did);
      const info = infoOf(binding);
      const known = this.devices.get(binding.did);
      if (!known) {
        this.devices.set(binding.did, info);
        changes.bound.push(binding.did);
        continue;
      }
      if (keepOnline(binding.did)) info.online = known.online;
      if (info.online !== known.online) changes.flipped.push(binding.did);
      Object.assign(known, info);
    }
    changes.unbound = [...this.devices.keys()].filter((did) => !seen.has(did));
    for (const did of changes.unbound) {
      this.endpoints.delete(did);
      this.unusable.delete(did);
      this.devices.delete(did);
    }
    return changes;
  }

  /** Notes an online push; answers the device when its flag changed. */
  setOnline(did: string, online: boolean): DeviceInfo | undefined {
    const device = this.devices.get(did);
    if (!device || device.online === online) return undefined;
    device.online = online;
    return device;
  }

  /**
   * Notes the device's websocket URL (the one string of `urls` for it), or why its binding gives none;
   * answers true when the binding just became unusable (or unusable for another reason).
   */
  private takeEndpoint(binding: Binding, urls: Map<string, string>): boolean {
    const endpoint = socketEndpoint(binding, this.secure);
    if ('url' in endpoint) {
      let url = urls.get(endpoint.url);
      if (url === undefined) urls.set(endpoint.url, (url = endpoint.url));
      this.endpoints.set(binding.did, url);
      this.unusable.delete(binding.did);
      return false;
    }
    this.endpoints.delete(binding.did);
    const before = this.unusable.get(binding.did);
    const error = new GizwitsError({
      code: 'BAD_RESPONSE',
      ...keyed('device.badAddress', { did: binding.did, field: endpoint.field }),
    });
    this.unusable.set(binding.did, error);
    return before?.message !== error.message;
  }
}
