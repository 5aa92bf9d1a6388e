// One command to every device of a group: offline or no-longer-bound members answer result false.
import type { StoredValue } from './datapoint-values';
import type { SimulatorModel, WriteOrigin } from './model';
import type { GroupRecord } from './records';

export interface GroupCommand {
  values?: ReadonlyMap<string, StoredValue>;
  raw?: Buffer;
}

export interface GroupControlResult {
  did: string;
  result: boolean;
}

export function controlGroup(
  model: SimulatorModel,
  group: GroupRecord,
  command: GroupCommand,
  origin: WriteOrigin,
): GroupControlResult[] {
  return group.dids.map((did) => {
    const device = model.devices.get(did);
    if (!device || !device.online || !model.binding(group.uid, did)) return { did, result: false };
    if (command.values) model.writeAttrs(did, command.values, origin);
    if (command.raw) model.writeRaw(did, command.raw, origin);
    return { did, result: true };
  });
}
