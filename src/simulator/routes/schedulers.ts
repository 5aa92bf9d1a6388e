// Device schedulers (/app/devices/{did}/scheduler) and common schedulers (/app/common_scheduler, for a
// device, a group or a scene). They are stored, listed and validated here; model/schedule-runner.ts fires them.
import { GizwitsApiError } from '../errors';
import type { RequestContext } from '../http/router';
import { newObjectId } from '../model/ids';
import type { SchedulerRecord } from '../model/records';
import { bodyObject, pageOf, requireBoundDevice, type JsonObject } from './fields';
import { ownGroup } from './groups';
import { validatedSchedule, type ScheduleTarget } from './schedule-fields';

export function deleteDeviceScheduler(context: RequestContext) {
  requireBoundDevice(context, context.params.did);
  context.model.schedulers.delete(ownScheduler(context, 'device', context.params.did).id);
  return {};
}

export function deleteCommonScheduler(context: RequestContext) {
  context.model.schedulers.delete(ownScheduler(context, 'common').id);
  return {};
}

/** created_at without a zone, exactly as the document's example prints it. */
function createdAtText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function schedulerView(record: SchedulerRecord) {
  return { ...record.fields, id: record.id, created_at: createdAtText(record.createdAt) };
}

function ownScheduler(
  context: RequestContext,
  family: SchedulerRecord['family'],
  did?: string,
): SchedulerRecord {
  const record = context.model.schedulers.get(context.params.id);
  const visible =
    record && record.uid === context.uid && record.family === family && (!did || record.fields.did === did);
  if (!visible) throw new GizwitsApiError(9030);
  return record;
}

function store(context: RequestContext, family: SchedulerRecord['family'], fields: JsonObject) {
  const record: SchedulerRecord = {
    id: newObjectId(),
    uid: context.uid,
    family,
    createdAt: Date.now(),
    fields,
  };
  context.model.schedulers.set(record.id, record);
  return { id: record.id };
}

function paged(context: RequestContext, records: SchedulerRecord[]) {
  const page = pageOf(context.query);
  return records.slice(page.skip, page.skip + page.limit).map(schedulerView);
}

function deviceTarget(context: RequestContext, did: string): { target: ScheduleTarget; fields: JsonObject } {
  const { device } = requireBoundDevice(context, did);
  return {
    target: { product: device.product, takesCommand: true },
    fields: { did, product_key: device.product.product_key },
  };
}

export function listDeviceSchedulers(context: RequestContext) {
  const did = context.params.did;
  requireBoundDevice(context, did);
  const records = [...context.model.schedulers.values()].filter(
    (record) => record.uid === context.uid && record.family === 'device' && record.fields.did === did,
  );
  return paged(context, records);
}

export function createDeviceScheduler(context: RequestContext) {
  const { target, fields } = deviceTarget(context, context.params.did);
  return store(context, 'device', { ...validatedSchedule(bodyObject(context), target), ...fields });
}

export function updateDeviceScheduler(context: RequestContext) {
  const { target, fields } = deviceTarget(context, context.params.did);
  const record = ownScheduler(context, 'device', context.params.did);
  record.fields = { ...validatedSchedule({ ...record.fields, ...bodyObject(context) }, target), ...fields };
  return { id: record.id };
}

/** did, then group_id, then scene_id: the first non-empty one is the target, as the document says. */
function commonTarget(
  context: RequestContext,
  input: JsonObject,
): { target: ScheduleTarget; fields: JsonObject } {
  const pick = (key: string): string => (typeof input[key] === 'string' ? (input[key] as string) : '');
  const did = pick('did');
  const groupId = pick('group_id');
  const sceneId = pick('scene_id');
  if (did) {
    const device = deviceTarget(context, did);
    return { target: device.target, fields: { ...device.fields, group_id: '', scene_id: '' } };
  }
  if (groupId) {
    const group = ownGroup(context, groupId);
    const product = context.model.products.get(group.product_key);
    return {
      target: { product, takesCommand: true },
      fields: { did: '', group_id: group.id, scene_id: '', product_key: group.product_key },
    };
  }
  if (sceneId) {
    const scene = context.model.scenes.get(sceneId);
    if (!scene) throw new GizwitsApiError(9220);
    if (scene.uid !== context.uid) throw new GizwitsApiError(9221);
    return {
      target: { takesCommand: false },
      fields: { did: '', group_id: '', scene_id: scene.id, product_key: '' },
    };
  }
  throw new GizwitsApiError(9015, 'give one of did, group_id, scene_id');
}

export function listCommonSchedulers(context: RequestContext) {
  const query = context.query;
  const records = [...context.model.schedulers.values()].filter((record) => {
    if (record.uid !== context.uid || record.family !== 'common') return false;
    return ['did', 'group_id', 'scene_id'].every(
      (key) => !query.get(key) || record.fields[key] === query.get(key),
    );
  });
  return paged(context, records);
}

export function createCommonScheduler(context: RequestContext) {
  const body = bodyObject(context);
  const { target, fields } = commonTarget(context, body);
  return store(context, 'common', { ...validatedSchedule(body, target), ...fields });
}

export function updateCommonScheduler(context: RequestContext) {
  const record = ownScheduler(context, 'common');
  const merged = { ...record.fields, ...bodyObject(context) };
  const { target, fields } = commonTarget(context, merged);
  record.fields = { ...validatedSchedule(merged, target), ...fields };
  return { id: record.id };
}
