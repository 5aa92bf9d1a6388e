// Status of the nodes that use the device websocket: its connection state, else devices online.
import type { DeviceRegistry, RegistryState } from '../../client';
import { lanLinks } from './lan-links';
import type { NodeStatus, Say } from './red';
import { clockTime, stateStatus } from './status';

/**
 * The status of the websocket's connection state, or undefined when it is connected. `say` words the
 * texts of the node's own catalogue (`status.reconnecting`); the core's keys need none.
 */
export function connectionStatus(
  state: RegistryState,
  error: Error | undefined,
  say: Say,
): NodeStatus | undefined {
  if (state === 'reconnecting') return { fill: 'yellow', shape: 'ring', text: say('status.reconnecting') };
  // The other states read as the account's: connecting, failed (with its reason), closed.
  if (state === 'connecting') return stateStatus('authenticating', undefined, say);
  if (state === 'authenticating' || state === 'failed' || state === 'closed')
    return stateStatus(state, error, say);
  return undefined;
}

/**
 * "2/3 online · 14:05:33": how many followed devices are online, and when the last update came, in the
 * words of the node's catalogue (`status.online`, `status.onlineAt`) through `say`.
 */
export function devicesStatus(
  registry: DeviceRegistry,
  dids: string[] | 'all',
  lastUpdate: Date | undefined,
  say: Say,
): NodeStatus {
  const connection = connectionStatus(registry.state, registry.error, say);
  const devices =
    dids === 'all' ? registry.list() : dids.map((did) => registry.device(did)).filter((d) => d !== undefined);
  // With LAN control on, the node's devices' LAN links are said too: they may be served while the cloud
  // is not.
  const lan = registry.lan && lanLinks(registry.lan, devices);
  if (connection && lan?.up) {
    const text = say('status.lanOnly', { up: lan.up, total: lan.total, cloud: connection.text ?? '' });
    return { fill: 'yellow', shape: 'dot', text };
  }
  if (connection) return connection;
  const online = devices.filter((d) => d.online).length;
  const total = devices.length;
  // Devices whose binding gives no usable websocket address are shown, not hidden in the count.
  const unusable = devices.filter((d) => registry.addressError(d.did)).length;
  if (unusable > 0) {
    const text = say('status.noAddress', {
      online,
      total,
      unusable,
    });
    return { fill: unusable === total ? 'red' : 'yellow', shape: 'ring', text };
  }
  const time = lastUpdate ? clockTime(lastUpdate) : undefined;
  const shown = time
    ? say('status.onlineAt', { online, total, time })
    : say('status.online', { online, total });
  const text = lan ? say('status.withLan', { text: shown, up: lan.up, total: lan.total }) : shown;
  return { fill: online === devices.length && devices.length > 0 ? 'green' : 'yellow', shape: 'dot', text };
}

/**
 * Shows a status computed on demand, at most once per `intervalMs`: a burst of device events costs one
 * status update (counting online devices is O(devices), and each update goes to every open editor),
 * and the last state of a burst is always shown. An unchanged status is not sent again.
 */
export function throttledStatus(
  show: (status: NodeStatus) => void,
  compute: () => NodeStatus,
  intervalMs = 1000,
): { update(): void; now(): void; set(status: NodeStatus): void; stop(): void } {
  let last = 0;
  let shown = '';
  let timer: NodeJS.Timeout | undefined;
  const set = (status: NodeStatus) => {
    const key = JSON.stringify(status);
    if (key === shown) return;
    shown = key;
    show(status);
  };
  const apply = () => {
    timer = undefined;
    last = Date.now();
    set(compute());
  };
  return {
    update() {
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) apply();
      else timer = setTimeout(apply, wait);
    },
    /** Shows the computed status at once (a connection state change is rare and must not be missed). */
    now() {
      if (timer) clearTimeout(timer);
      apply();
    },
    /** Shows this status now (an error that is not part of the computed state). */
    set,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
