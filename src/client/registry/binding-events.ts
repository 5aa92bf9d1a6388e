// A fresh list of bindings taken into the table, and what it tells the registry's listeners: devices
// that cannot be reached over the websocket ('unusable'), and after the first list, devices bound and
// unbound ('binding') and online flags that changed ('online'). A device unbound is forgotten.
import { GizwitsError, keyed } from '../errors';
import type { BindingTable } from './bindings';
import type { DeviceStates } from './device-states';
import type { UnusableEvent } from './types';

export interface BindingListHost {
  table: BindingTable;
  states: DeviceStates;
  emit(event: string, payload: unknown): void;
  /** A binding that could not be used was skipped. */
  skip(): void;
}

export function takeBindings(host: BindingListHost, all: unknown[], startedAt: number, first: boolean): void {
  const { table, states, emit } = host;
  // An online push that came while the list was on its way is newer than the list.
  const changes = table.apply(all, (did) => states.onlinePushedSince(did, startedAt), host.skip);
  for (const did of changes.unbound) states.forget(did);
  for (const did of changes.newlyUnusable) {
    const device = table.device(did)!;
    const event: UnusableEvent = { did, device, error: table.addressError(did)! };
    emit('unusable', event);
  }
  if (first) return;
  for (const did of changes.bound) emit('binding', { did, bind: true, device: table.device(did) });
  for (const did of changes.unbound) emit('binding', { did, bind: false });
  for (const did of changes.flipped) {
    const device = table.device(did)!;
    emit('online', { did, online: device.online, device });
  }
}

/** The warning for bindings skipped since the last one (at most one a minute, by the registry's gate). */
export function skippedBindings(count: number): GizwitsError {
  return new GizwitsError({ code: 'BAD_RESPONSE', ...keyed('device.skipped.bindings', { count }) });
}
