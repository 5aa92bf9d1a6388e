// Device groups: CRUD, membership and one command for every member.
import { GizwitsApiError, errorDefinition, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { parseRawPayload, parseWrittenAttrs, type BinaryCoding } from '../model/datapoint-values';
import { controlGroup } from '../model/group-control';
import { newObjectId, utcText } from '../model/ids';
import type { GroupRecord } from '../model/records';
import { bodyObject, optionalString, requiredString } from './fields';

export function deleteGroup(context: RequestContext) {
  context.model.groups.delete(ownGroup(context).id);
  return {};
}

/** The document has no "group not found" code: the simulator answers 404 with 9015 and says why. */
export function ownGroup(context: RequestContext, id = context.params.id): GroupRecord {
  const group = context.model.groups.get(id);
  if (!group || group.uid !== context.uid) throw new GizwitsApiError(9015, `group ${id} not found`, 404);
  return group;
}

function productName(context: RequestContext, productKey: string): string {
  return context.model.products.get(productKey)?.name ?? '';
}

export function listGroups(context: RequestContext) {
  return [...context.model.groups.values()]
    .filter((group) => group.uid === context.uid)
    .map((group) => ({
      created_at: utcText(group.createdAt),
      updated_at: utcText(group.updatedAt),
      product_key: group.product_key,
      group_name: group.group_name,
      verbose_name: productName(context, group.product_key),
      id: group.id,
    }));
}

export function createGroup(context: RequestContext) {
  const body = bodyObject(context);
  const name = requiredString(body, 'group_name');
  const productKey = optionalString(body, 'product_key') ?? '';
  if (productKey && !context.model.products.has(productKey)) throw new GizwitsApiError(9002);
  const now = Date.now();
  const group: GroupRecord = {
    id: newObjectId(),
    uid: context.uid,
    group_name: name,
    product_key: productKey,
    dids: [],
    createdAt: now,
    updatedAt: now,
  };
  context.model.groups.set(group.id, group);
  return { id: group.id };
}

export function renameGroup(context: RequestContext) {
  const group = ownGroup(context);
  group.group_name = requiredString(bodyObject(context), 'group_name');
  group.updatedAt = Date.now();
  return {};
}

export function groupDevices(context: RequestContext) {
  const group = ownGroup(context);
  return group.dids.flatMap((did) => {
    const device = context.model.devices.get(did);
    if (!device) return [];
    return [
      {
        did,
        type: 'normal',
        verbose_name: device.product.name,
        dev_alias: context.model.binding(context.uid, did)?.dev_alias ?? '',
        product_key: device.product.product_key,
      },
    ];
  });
}

function didList(context: RequestContext): string[] {
  const dids = bodyObject(context).dids;
  if (!Array.isArray(dids) || !dids.every((did) => typeof did === 'string'))
    throw formInvalid('dids must be an array of dids');
  return dids as string[];
}

/** Why a did cannot join this group, as an error code, or null when it can. */
function refusal(context: RequestContext, group: GroupRecord, did: string): number | null {
  const device = context.model.devices.get(did);
  if (!device) return 9014;
  if (!context.model.binding(context.uid, did)) return 9017;
  if (group.product_key && device.product.product_key !== group.product_key) return 9002;
  return null;
}

export function addDevices(context: RequestContext) {
  const group = ownGroup(context);
  const success: string[] = [];
  const failed: string[] = [];
  const detail: Array<{ did: string; error_message: string; error_code: number; detail_msg: string | null }> =
    [];
  for (const did of didList(context)) {
    const code = refusal(context, group, did);
    if (code === null) {
      if (!group.dids.includes(did)) group.dids.push(did);
      success.push(did);
    } else {
      failed.push(did);
      detail.push({ did, error_message: errorDefinition(code).message, error_code: code, detail_msg: null });
    }
  }
  group.updatedAt = Date.now();
  return context.query.get('show_detail') === '1' ? { failed, detail, success } : { failed, success };
}

export function removeDevices(context: RequestContext) {
  const group = ownGroup(context);
  const success: string[] = [];
  const failed: string[] = [];
  for (const did of didList(context)) {
    if (group.dids.includes(did)) {
      group.dids = group.dids.filter((member) => member !== did);
      success.push(did);
    } else {
      failed.push(did);
    }
  }
  group.updatedAt = Date.now();
  return { failed, success };
}

/** Only single-product groups can be controlled; offline members answer result false. */
export function controlGroupRoute(context: RequestContext) {
  const group = ownGroup(context);
  const body = bodyObject(context);
  const product = context.model.products.get(group.product_key);
  if (!product) throw formInvalid('only a group of a single product_key can be controlled');
  if (body.attrs === undefined && body.raw === undefined) throw formInvalid('give attrs or raw');
  const coding = body.binary_coding as BinaryCoding | undefined;
  if (coding !== undefined && coding !== 'hex' && coding !== 'base64')
    throw formInvalid('binary_coding must be hex or base64');
  const values =
    body.attrs === undefined ? undefined : parseWrittenAttrs(product, body.attrs, coding ?? 'hex');
  const raw = body.raw === undefined ? undefined : parseRawPayload(body.raw, coding ?? 'decimal');
  return controlGroup(context.model, group, { values, raw }, { uid: context.uid, source: 'client' });
}
