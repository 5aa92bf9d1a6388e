// User scenes: CRUD, and running their tasks (see model/scene-runner.ts).
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { parseRawPayload, parseWrittenAttrs } from '../model/datapoint-values';
import { newObjectId, utcText } from '../model/ids';
import type { SceneRecord, SceneTask } from '../model/records';
import { startScene } from '../model/scene-runner';
import { bodyObject, optionalString, requiredString, requireBoundDevice, type JsonObject } from './fields';
import { ownGroup } from './groups';

const MAX_DELAY_SECONDS = 3600;

export function deleteScene(context: RequestContext) {
  context.model.scenes.delete(ownScene(context).id);
  return {};
}

export function sceneStatus(context: RequestContext) {
  return { status: ownScene(context).status };
}

export function runScene(context: RequestContext) {
  startScene(context.model, ownScene(context));
  return {};
}

function ownScene(context: RequestContext): SceneRecord {
  const scene = context.model.scenes.get(context.params.id);
  if (!scene) throw new GizwitsApiError(9220);
  if (scene.uid !== context.uid) throw new GizwitsApiError(9221);
  return scene;
}

function taskView(context: RequestContext, task: SceneTask) {
  const model = context.model;
  const group = task.group_id ? model.groups.get(task.group_id) : undefined;
  const device = task.did ? model.devices.get(task.did) : undefined;
  const binding = task.did ? model.binding(context.uid, task.did) : undefined;
  const productKey = device?.product.product_key ?? group?.product_key ?? '';
  return {
    task_type: task.task_type,
    did: task.did ?? '',
    product_key: productKey,
    group_name: group?.group_name ?? '',
    raw: task.raw ?? '',
    attrs: task.attrs ?? {},
    dev_remark: binding?.remark ?? '',
    time: task.time ?? 0,
    group_id: task.group_id ?? '',
    verbose_name: model.products.get(productKey)?.name ?? '',
    dev_alias: binding?.dev_alias ?? '',
  };
}

function sceneView(context: RequestContext, scene: SceneRecord) {
  return {
    remark: scene.remark,
    tasks: scene.tasks.map((task) => taskView(context, task)),
    created_at: utcText(scene.createdAt),
    updated_at: utcText(scene.updatedAt),
    scene_name: scene.scene_name,
    id: scene.id,
  };
}

export function listScenes(context: RequestContext) {
  return [...context.model.scenes.values()]
    .filter((scene) => scene.uid === context.uid)
    .map((scene) => sceneView(context, scene));
}

/** Accepts the example's `tasks` array, or the field table's single flat task. */
function parseTasks(context: RequestContext, body: JsonObject): SceneTask[] | undefined {
  if (body.tasks !== undefined) {
    if (!Array.isArray(body.tasks)) throw formInvalid('tasks must be an array');
    return body.tasks.map((task) => parseTask(context, task));
  }
  return body.task_type !== undefined ? [parseTask(context, body)] : undefined;
}

function parseTask(context: RequestContext, input: unknown): SceneTask {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw formInvalid('each task must be an object');
  const task = input as JsonObject;
  switch (task.task_type) {
    case 'delay': {
      const time = task.time;
      if (typeof time !== 'number' || !Number.isInteger(time) || time < 0 || time > MAX_DELAY_SECONDS) {
        throw formInvalid(`a delay task needs time in whole seconds, 0..${MAX_DELAY_SECONDS}`);
      }
      return { task_type: 'delay', time };
    }
    case 'device': {
      const did = requiredString(task, 'did');
      const { device } = requireBoundDevice(context, did);
      return {
        task_type: 'device',
        did,
        ...commandOf(task, (attrs) => parseWrittenAttrs(device.product, attrs, 'base64')),
      };
    }
    case 'group': {
      const group = ownGroup(context, requiredString(task, 'group_id'));
      const product = context.model.products.get(group.product_key);
      return {
        task_type: 'group',
        group_id: group.id,
        ...commandOf(task, (attrs) => {
          if (!product) throw formInvalid('only a group of a single product_key can be controlled');
          return parseWrittenAttrs(product, attrs, 'base64');
        }),
      };
    }
    default:
      throw formInvalid('task_type must be delay, device or group');
  }
}

/** Scene commands carry enum indexes and base64 binary/raw; they are checked now and stored as sent. */
function commandOf(
  task: JsonObject,
  checkAttrs: (attrs: unknown) => unknown,
): Pick<SceneTask, 'attrs' | 'raw'> {
  const raw = optionalString(task, 'raw') || undefined;
  const hasAttrs = task.attrs !== undefined && task.attrs !== null;
  if (!hasAttrs && raw === undefined) throw formInvalid('a device or group task needs attrs or raw');
  if (hasAttrs) checkAttrs(task.attrs);
  if (raw !== undefined) parseRawPayload(raw, 'base64');
  return {
    ...(hasAttrs ? { attrs: JSON.parse(JSON.stringify(task.attrs)) as Record<string, unknown> } : {}),
    ...(raw !== undefined ? { raw } : {}),
  };
}

export function createScene(context: RequestContext) {
  const body = bodyObject(context);
  const now = Date.now();
  const scene: SceneRecord = {
    id: newObjectId(),
    uid: context.uid,
    scene_name: requiredString(body, 'scene_name'),
    remark: optionalString(body, 'remark') ?? '',
    tasks: parseTasks(context, body) ?? [],
    createdAt: now,
    updatedAt: now,
    status: 3,
  };
  context.model.scenes.set(scene.id, scene);
  return { id: scene.id };
}

export function updateScene(context: RequestContext) {
  const scene = ownScene(context);
  const body = bodyObject(context);
  const name = optionalString(body, 'scene_name');
  const remark = optionalString(body, 'remark');
  const tasks = parseTasks(context, body);
  if (name === undefined && remark === undefined && tasks === undefined)
    throw formInvalid('nothing to update');
  if (name !== undefined) {
    if (name === '') throw formInvalid('scene_name must not be empty');
    scene.scene_name = name;
  }
  if (remark !== undefined) scene.remark = remark;
  if (tasks !== undefined) scene.tasks = tasks;
  scene.updatedAt = Date.now();
  return {};
}
