// The messages gizwits-device-in sends (the shapes the README documents): built from the device registry's events,
// filtered to the configured data points, and for status, only the updates the configuration asks for.
import { copyDevice, type DeviceInfo, type StatusEvent } from '../../client';
import type { NodeMessage } from '../common/red';

export /** Lists may arrive as arrays (the editor) or comma-separated text (hand-written or ${ENV} flows). */
function listOf(value: unknown): string[] {
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}

export function pick<T>(attrs: Record<string, T>, names: Set<string>): Record<string, T> {
  if (names.size === 0) return attrs;
  const picked: Record<string, T> = {};
  // In the report's order, as before the filter.
  for (const name in attrs) if (names.has(name)) picked[name] = attrs[name];
  return picked;
}

function hasAny(values: object): boolean {
  for (const _name in values) return true;
  return false;
}

export function message(
  did: string,
  event: string,
  payload: unknown,
  device: DeviceInfo | undefined,
): NodeMessage & Record<string, unknown> {
  return { topic: did, payload, event, did, device: device ? copyDevice(device) : { did } };
}

/**
 * The message of a status update, or none when the configuration leaves it out. This runs for every
 * report a node follows: one message object, the device copied once, nothing else made.
 */
export function statusMessage(
  event: StatusEvent,
  config: { initial?: boolean; onlyChanged?: boolean },
  attrNames: Set<string>,
): (NodeMessage & Record<string, unknown>) | undefined {
  // The first state known is no change: nothing had an old value.
  const changed = event.first ? {} : pick(event.changed, attrNames);
  const anyChange = !event.first && hasAny(changed);
  if (event.initial || event.first) {
    // State read after (re)connecting: sent when the node asks for it, else only if it moved.
    if (!config.initial && (event.first || !anyChange)) return undefined;
  } else if (config.onlyChanged && !anyChange) {
    return undefined;
  }
  const { did, device } = event;
  return {
    topic: did,
    payload: pick(event.attrs, attrNames),
    event: 'status',
    did,
    device: copyDevice(device),
    changed,
    initial: event.initial || event.first,
    via: event.via,
  };
}
