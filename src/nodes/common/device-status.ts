// Status of the nodes that use the device websocket: its connection state, else devices online.
import type { DeviceRegistry, RegistryState } from '../../client';
import type { NodeStatus } from './red';
import { clockTime, errorStatus } from './status';

export function connectionStatus(state: RegistryState, error?: Error): NodeStatus | undefined {
  switch (state) {
    case 'connecting':
    case 'authenticating':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: 'reconnecting' };
    case 'failed':
      return error
        ? errorStatus(error)
        : { fill: 'red', shape: 'ring', text: 'node-red:common.status.error' };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: 'node-red:common.status.disconnected' };
    default:
      return undefined;
  }
}

/** "2/3 online · 14:05:33": how many followed devices are online, and when the last update came. */
export function devicesStatus(
  registry: DeviceRegistry,
  dids: string[] | 'all',
  lastUpdate: Date | undefined,
): NodeStatus {
  const connection = connectionStatus(registry.state, registry.error);
  if (connection) return connection;
  const devices =
    dids === 'all' ? registry.list() : dids.map((did) => registry.device(did)).filter((d) => d !== undefined);
  const online = devices.filter((d) => d.online).length;
  const text = `${online}/${devices.length} online${lastUpdate ? ` · ${clockTime(lastUpdate)}` : ''}`;
  return { fill: online === devices.length && devices.length > 0 ? 'green' : 'yellow', shape: 'dot', text };
}
