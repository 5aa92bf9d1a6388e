// Runs a scene's tasks in order: delays wait (scaled by model.timeScale), device and group tasks write.
// The status moves 0 (running) → 1 (done), or → 2 at the first task that cannot be carried out.
import { parseRawPayload, parseWrittenAttrs, type StoredValue } from './datapoint-values';
import { controlGroup } from './group-control';
import type { SimulatorModel } from './model';
import type { ProductDefinition } from './product-types';
import type { SceneRecord, SceneTask } from './records';

class SceneTaskFailed extends Error {}

export function startScene(model: SimulatorModel, scene: SceneRecord): void {
  if (scene.status === 0) return;
  scene.status = 0;
  runTasks(model, scene).then(
    () => {
      scene.status = 1;
    },
    () => {
      scene.status = 2;
    },
  );
}

async function runTasks(model: SimulatorModel, scene: SceneRecord): Promise<void> {
  for (const task of [...scene.tasks]) {
    if (task.task_type === 'delay') await model.sleep((task.time ?? 0) * 1000 * model.timeScale);
    else if (task.task_type === 'device') runDeviceTask(model, scene.uid, task);
    else runGroupTask(model, scene.uid, task);
  }
}

function runDeviceTask(model: SimulatorModel, uid: string, task: SceneTask): void {
  const device = task.did ? model.devices.get(task.did) : undefined;
  if (!device || !model.binding(uid, device.did)) throw new SceneTaskFailed(`device ${task.did} not bound`);
  if (!device.online) throw new SceneTaskFailed(`device ${device.did} offline`);
  const values = sceneValues(device.product, task);
  if (values) model.writeAttrs(device.did, values, { uid, source: 'client' });
  if (task.raw) model.writeRaw(device.did, parseRawPayload(task.raw, 'base64'), { uid, source: 'client' });
}

function runGroupTask(model: SimulatorModel, uid: string, task: SceneTask): void {
  const group = task.group_id ? model.groups.get(task.group_id) : undefined;
  if (!group || group.uid !== uid) throw new SceneTaskFailed(`group ${task.group_id} not found`);
  const product = model.products.get(group.product_key);
  const values = product ? sceneValues(product, task) : undefined;
  const raw = task.raw ? parseRawPayload(task.raw, 'base64') : undefined;
  controlGroup(model, group, { values, raw }, { uid, source: 'client' });
}

/** Scene attrs carry enums as indexes (labels work too) and binary as base64, per the document. */
function sceneValues(product: ProductDefinition, task: SceneTask): Map<string, StoredValue> | undefined {
  if (!task.attrs || Object.keys(task.attrs).length === 0) return undefined;
  return parseWrittenAttrs(product, task.attrs, 'base64');
}
