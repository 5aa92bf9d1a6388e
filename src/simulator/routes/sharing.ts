// Device sharing between users (to a named user or by QR code), owner transfer, and the share messages
// both sides receive.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import type { UserRecord } from '../model/accounts';
import { newHex32, utcText } from '../model/ids';
import type { SharingRecord } from '../model/records';
import {
  bodyObject,
  maskEmail,
  maskName,
  maskPhone,
  metaPage,
  optionalInteger,
  optionalString,
  pageOf,
  queryInteger,
  requireBoundDevice,
} from './fields';

const NAMED_SHARE_LIFETIME_MS = 24 * 3600 * 1000;
const QR_SHARE_LIFETIME_MS = 15 * 60 * 1000;

/** `GET /app/sharing/code/{code}`: what a QR sharing offers, before it is accepted. */
export function showQrSharing(context: RequestContext) {
  return describeQrSharing(context, qrSharing(context));
}

function userLabel(user: UserRecord | undefined): string {
  if (!user) return '未知用户';
  return maskPhone(user.phone) ?? maskName(user.username) ?? maskEmail(user.email) ?? user.uid;
}

function deviceLabel(context: RequestContext, sharing: SharingRecord): string {
  const binding = context.model.binding(sharing.ownerUid, sharing.did);
  return binding?.dev_alias || context.model.devices.get(sharing.did)?.product.name || sharing.did;
}

function notifyBoth(
  context: RequestContext,
  sharing: SharingRecord,
  ownerText: string,
  guestText: string,
): void {
  context.model.notify(sharing.ownerUid, ownerText);
  if (sharing.guestUid) context.model.notify(sharing.guestUid, guestText);
}

function findTarget(context: RequestContext, body: Record<string, unknown>): UserRecord | undefined {
  const accounts = context.model.accounts;
  const uid = optionalString(body, 'uid');
  if (uid) return accounts.users.get(uid);
  for (const field of ['username', 'email', 'phone'] as const) {
    const value = optionalString(body, field);
    if (value) return accounts.findBy(field, value);
  }
  throw formInvalid('give one of uid, username, email, phone');
}

/** Only the owner shares; a first binder becomes owner by sharing, and other binders become guests. */
export function createSharing(context: RequestContext) {
  const body = bodyObject(context);
  const type = optionalInteger(body, 'type');
  if (type !== 0 && type !== 1) throw formInvalid('type must be 0 (to a user) or 1 (QR code)');
  const did = optionalString(body, 'did') ?? '';
  const { binding } = requireBoundDevice(context, did);
  const duration = optionalInteger(body, 'duration');
  if (duration !== undefined && (duration < 1 || duration > 1440))
    throw formInvalid('duration must be 1..1440 minutes');
  if (binding.role !== 'owner' && binding.role !== 'special') throw new GizwitsApiError(9081);
  const model = context.model;
  let guest: UserRecord | undefined;
  if (type === 0) {
    guest = findTarget(context, body);
    if (!guest) throw new GizwitsApiError(9082);
    if (guest.uid === context.uid) throw new GizwitsApiError(9080);
    if (model.binding(guest.uid, did)?.role === 'guest') throw new GizwitsApiError(9083);
    const waiting = [...model.sharings.values()].some(
      (entry) =>
        entry.did === did &&
        entry.guestUid === guest!.uid &&
        entry.status === 0 &&
        entry.expiresAt > Date.now(),
    );
    if (waiting) throw new GizwitsApiError(9087);
  }
  if (binding.role === 'special') {
    binding.role = 'owner';
    for (const other of model.bindingsOfDevice(did)) if (other.role === 'normal') other.role = 'guest';
  }
  const now = Date.now();
  const sharing: SharingRecord = {
    id: model.takeSharingId(),
    type,
    did,
    ownerUid: context.uid,
    guestUid: guest?.uid ?? null,
    code: type === 1 ? newHex32() : null,
    status: 0,
    user_alias: null,
    durationMinutes: duration ?? null,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + (type === 0 ? NAMED_SHARE_LIFETIME_MS : QR_SHARE_LIFETIME_MS),
  };
  model.sharings.set(sharing.id, sharing);
  if (type === 1) return { qr_content: `type=share&code=${sharing.code}`, id: null };
  const owner = model.accounts.users.get(context.uid);
  const device = deviceLabel(context, sharing);
  notifyBoth(
    context,
    sharing,
    `您给 ${userLabel(guest)} 共享了设备 ${device}!`,
    `${userLabel(owner)} 给您共享了设备 ${device}!`,
  );
  return { id: sharing.id, qr_content: null };
}

function sharingView(context: RequestContext, sharing: SharingRecord, otherUid: string | null) {
  const other = otherUid ? context.model.accounts.users.get(otherUid) : undefined;
  return {
    status: sharing.status,
    username: maskName(other?.username ?? null),
    uid: otherUid,
    did: sharing.did,
    created_at: utcText(sharing.createdAt),
    updated_at: utcText(sharing.updatedAt),
    email: maskEmail(other?.email ?? null),
    phone: maskPhone(other?.phone ?? null),
    dev_alias: context.model.binding(sharing.ownerUid, sharing.did)?.dev_alias ?? '',
    id: sharing.id,
    user_alias: sharing.user_alias,
    type: sharing.type,
    product_name: context.model.devices.get(sharing.did)?.product.name ?? '',
    expired_at: utcText(sharing.expiresAt),
  };
}

/** sharing_type 0: what I shared (guest details); 1: what was shared with me (owner details). */
export function listSharings(context: RequestContext) {
  const sharingType = queryInteger(context.query, 'sharing_type', 0);
  if (sharingType !== 0 && sharingType !== 1) throw formInvalid('sharing_type must be 0 or 1');
  const statusText = context.query.get('status');
  const statuses = statusText ? statusText.split(',').map(Number) : null;
  const did = context.query.get('did');
  const page = pageOf(context.query);
  const rows = [...context.model.sharings.values()]
    .filter((entry) => (sharingType === 0 ? entry.ownerUid : entry.guestUid) === context.uid)
    .filter((entry) => !statuses || statuses.includes(entry.status))
    .filter((entry) => !did || entry.did === did)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((entry) => sharingView(context, entry, sharingType === 0 ? entry.guestUid : entry.ownerUid));
  return metaPage(context, rows, page);
}

function sharingById(context: RequestContext): SharingRecord {
  const id = Number(context.params.id);
  const sharing = Number.isInteger(id) ? context.model.sharings.get(id) : undefined;
  if (!sharing) throw new GizwitsApiError(9084);
  return sharing;
}

export function revokeSharing(context: RequestContext) {
  const sharing = sharingById(context);
  if (sharing.ownerUid !== context.uid) throw new GizwitsApiError(9084);
  if (sharing.status === 3) throw new GizwitsApiError(9094);
  if (sharing.status === 2) throw new GizwitsApiError(9089);
  if (sharing.status === 1 && sharing.guestUid) context.model.unbind(sharing.guestUid, sharing.did);
  sharing.status = 3;
  sharing.updatedAt = Date.now();
  const device = deviceLabel(context, sharing);
  notifyBoth(context, sharing, `您取消了设备 ${device} 的共享`, `设备 ${device} 的共享已被取消`);
  return { id: sharing.id };
}

function acceptInto(context: RequestContext, sharing: SharingRecord): void {
  if (sharing.status === 3) throw new GizwitsApiError(9094);
  if (sharing.status !== 0) throw new GizwitsApiError(9089);
  if (sharing.expiresAt <= Date.now()) throw new GizwitsApiError(9088);
  if (context.model.binding(context.uid, sharing.did)?.role === 'guest') throw new GizwitsApiError(9083);
  context.model.unbind(context.uid, sharing.did);
  context.model.bind(context.uid, sharing.did, 'guest');
  sharing.guestUid = context.uid;
  sharing.status = 1;
  sharing.updatedAt = Date.now();
  const device = deviceLabel(context, sharing);
  const guest = context.model.accounts.users.get(context.uid);
  notifyBoth(
    context,
    sharing,
    `${userLabel(guest)} 接受了设备 ${device} 的共享`,
    `您接受了设备 ${device} 的共享`,
  );
}

export function respondToSharing(context: RequestContext) {
  const sharing = sharingById(context);
  if (sharing.guestUid !== context.uid) throw new GizwitsApiError(9084);
  const status = queryInteger(context.query, 'status');
  if (status !== 1 && status !== 2) throw formInvalid('status must be 1 (accept) or 2 (refuse)');
  if (status === 1) {
    acceptInto(context, sharing);
  } else {
    if (sharing.status !== 0) throw new GizwitsApiError(9089);
    sharing.status = 2;
    sharing.updatedAt = Date.now();
  }
  return { id: sharing.id };
}

function qrSharing(context: RequestContext): SharingRecord {
  const code = context.params.code.replace(/^.*code=/, '');
  const sharing = [...context.model.sharings.values()].find(
    (entry) => entry.type === 1 && entry.code === code,
  );
  if (!sharing) throw new GizwitsApiError(9084);
  if (sharing.ownerUid === context.uid) throw new GizwitsApiError(9096);
  return sharing;
}

function describeQrSharing(context: RequestContext, sharing: SharingRecord) {
  if (sharing.expiresAt <= Date.now()) throw new GizwitsApiError(9088);
  return {
    owner: userLabel(context.model.accounts.users.get(sharing.ownerUid)),
    product_name: context.model.devices.get(sharing.did)?.product.name ?? '',
    dev_alias: context.model.binding(sharing.ownerUid, sharing.did)?.dev_alias ?? '',
    expired_at: utcText(sharing.expiresAt),
  };
}

export function acceptQrSharing(context: RequestContext) {
  acceptInto(context, qrSharing(context));
  return {};
}

export function setUserAlias(context: RequestContext) {
  const sharing = sharingById(context);
  if (sharing.ownerUid !== context.uid && sharing.guestUid !== context.uid) throw new GizwitsApiError(9100);
  const alias = context.query.get('user_alias');
  if (alias === null) throw formInvalid('user_alias is required');
  sharing.user_alias = alias;
  sharing.updatedAt = Date.now();
  return {};
}

/** The owner hands the device to one of its guests and loses the binding. */
export function transferOwnership(context: RequestContext) {
  const did = context.params.did;
  const { binding } = requireBoundDevice(context, did);
  if (binding.role !== 'owner') throw new GizwitsApiError(9093);
  const newOwnerUid = context.query.get('uid');
  if (!newOwnerUid) throw formInvalid('uid is required');
  const guest = context.model.binding(newOwnerUid, did);
  if (!guest || guest.role !== 'guest') throw new GizwitsApiError(9082);
  context.model.unbind(context.uid, did);
  guest.role = 'owner';
  return {};
}
