// The LAN links (docs/lan.md) of a node's devices, for the statuses that say them.
import type { DeviceInfo, DeviceRegistry } from '../../client';

/** How many of these devices have a LAN link, and how many of those are up. */
export function lanLinks(
  lan: NonNullable<DeviceRegistry['lan']>,
  devices: Array<Pick<DeviceInfo, 'did'>>,
): { up: number; total: number } {
  let up = 0;
  let total = 0;
  for (const device of devices) {
    if (!lan.link(device.did)) continue;
    total++;
    if (lan.isUp(device.did)) up++;
  }
  return { up, total };
}
