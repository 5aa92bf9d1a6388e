// Binding a device to a user (by MAC with a signature, or by QR content), listing, updating and
// unbinding, and the owner's view of guest users.
import { createHash } from 'node:crypto';
import { GizwitsApiError, formInvalid } from '../errors';
import { headerValue } from '../http/io';
import type { RequestContext } from '../http/router';
import { newDid, newPasscode, utcText } from '../model/ids';
import type { ProductDefinition } from '../model/product-types';
import type { BindingRecord, BindingRole } from '../model/records';
import {
  bodyObject,
  maskEmail,
  maskName,
  maskPhone,
  optionalInteger,
  optionalString,
  pageOf,
  requiredString,
  requireBoundDevice,
  type JsonObject,
} from './fields';

/** How far X-Gizwits-Timestamp may be from the server's clock. */
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** A binding as `GET /app/bindings` and `GET /app/devices/{did}` answer it. */
export function bindingView(context: RequestContext, binding: BindingRecord) {
  const device = context.model.devices.get(binding.did)!;
  const hostHeader = headerValue(context, 'host') ?? '';
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') || '127.0.0.1';
  return {
    product_key: device.product.product_key,
    did: device.did,
    mac: device.mac,
    is_online: device.online,
    passcode: device.passcode,
    host,
    port: 1883,
    port_s: 8883,
    // The device websocket is served by this same HTTP server (/ws/app/v1), or for sandbox devices by
    // the sandbox listener on the same host; wss by TLS listeners of their own when the simulator has a
    // certificate (else the same plain ports).
    ws_port: device.sandbox ? context.sandboxPort : context.port,
    wss_port: device.sandbox ? context.sandboxWssPort : context.wssPort,
    remark: binding.remark,
    is_disabled: false,
    type: 'normal',
    dev_alias: binding.dev_alias,
    dev_label: [...binding.dev_label],
    proto_ver: '04',
    wifi_soft_version: '04020036',
    is_sandbox: device.sandbox,
    role: binding.role,
  };
}

function productOrFail(context: RequestContext, productKey: string): ProductDefinition {
  const product = context.model.products.get(productKey);
  if (!product) throw new GizwitsApiError(9002, `product_key ${productKey}`);
  return product;
}

export function bindByMac(context: RequestContext) {
  const body = bodyObject(context);
  const timestamp = headerValue(context, 'x-gizwits-timestamp');
  const seconds = timestamp && /^\d+$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!Number.isFinite(seconds) || Math.abs(Date.now() / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new GizwitsApiError(9043);
  }
  const product = productOrFail(context, requiredString(body, 'product_key'));
  const expected = createHash('md5')
    .update(product.product_secret + timestamp)
    .digest('hex');
  if ((headerValue(context, 'x-gizwits-signature') ?? '').toLowerCase() !== expected)
    throw new GizwitsApiError(9044);
  return bindDevice(context, product, requiredString(body, 'mac'), body);
}

export function bindByQrContent(context: RequestContext) {
  const body = bodyObject(context);
  const content = requiredString(body, 'qr_content');
  const fields = new URLSearchParams(
    content.includes('?') ? content.slice(content.indexOf('?') + 1) : content,
  );
  const productKey = fields.get('product_key');
  const mac = fields.get('mac');
  if (!productKey || !mac) throw new GizwitsApiError(9040);
  return bindDevice(context, productOrFail(context, productKey), mac, body);
}

/**
 * Binds the caller to the device of that product and MAC, creating the virtual device on first sight.
 * Roles follow the document: the first binder is `special` (or `owner` with set_owner=1), later binders
 * are `normal`, and nobody else may bind a device that has an owner.
 */
function bindDevice(context: RequestContext, product: ProductDefinition, mac: string, body: JsonObject) {
  const model = context.model;
  const remark = optionalString(body, 'remark');
  const alias = optionalString(body, 'dev_alias');
  const setOwner = optionalInteger(body, 'set_owner') ?? 0;
  if (setOwner !== 0 && setOwner !== 1) throw formInvalid('set_owner must be 0 or 1');
  const device =
    model.findDeviceByMac(product.product_key, mac) ??
    model.addDevice({
      did: newDid(),
      productKey: product.product_key,
      mac: mac.toLowerCase(),
      passcode: newPasscode(),
      online: true,
    });
  const existing = model.binding(context.uid, device.did);
  if (existing) {
    if (remark !== undefined) existing.remark = remark;
    if (alias !== undefined) existing.dev_alias = alias;
    return bindingView(context, existing);
  }
  const others = model.bindingsOfDevice(device.did);
  if (others.some((entry) => entry.role === 'owner')) throw new GizwitsApiError(9092);
  const role: BindingRole = others.length > 0 ? 'normal' : setOwner === 1 ? 'owner' : 'special';
  const binding = model.bind(context.uid, device.did, role, { remark: remark ?? '', dev_alias: alias ?? '' });
  return bindingView(context, binding);
}

export function listBindings(context: RequestContext) {
  const page = pageOf(context.query);
  const mine = context.model.bindingsOf(context.uid);
  // No total here, unlike the other lists: clients page until a short page comes back.
  return {
    devices: mine
      .slice(page.skip, page.skip + page.limit)
      .map((binding) => ({ ...bindingView(context, binding), ...context.bindingPatch(binding.did) })),
  };
}

export function unbindDevices(context: RequestContext) {
  const body = bodyObject(context);
  if (!Array.isArray(body.devices)) throw formInvalid('devices must be an array of {did}');
  const success: string[] = [];
  const failed: string[] = [];
  for (const entry of body.devices as unknown[]) {
    const did = typeof entry === 'object' && entry !== null ? (entry as JsonObject).did : undefined;
    if (typeof did !== 'string') throw formInvalid('each device needs a did');
    const binding = context.model.binding(context.uid, did);
    if (!binding) {
      failed.push(did);
      continue;
    }
    unbindWithConsequences(context, binding);
    success.push(did);
  }
  return { success, failed };
}

/** An owner leaving takes the guests along; a special user leaving promotes the next normal user. */
function unbindWithConsequences(context: RequestContext, binding: BindingRecord): void {
  const model = context.model;
  model.unbind(binding.uid, binding.did);
  const remaining = model.bindingsOfDevice(binding.did);
  if (binding.role === 'owner') {
    for (const guest of remaining.filter((entry) => entry.role === 'guest'))
      model.unbind(guest.uid, guest.did);
  } else if (binding.role === 'special') {
    const next = remaining.find((entry) => entry.role === 'normal');
    if (next) next.role = 'special';
  }
  for (const sharing of model.sharings.values()) {
    if (sharing.did === binding.did && sharing.ownerUid === binding.uid && sharing.status === 0)
      sharing.status = 3;
  }
}

export function updateBinding(context: RequestContext) {
  const { binding } = requireBoundDevice(context, context.params.did);
  const body = bodyObject(context);
  const remark = optionalString(body, 'remark');
  const alias = optionalString(body, 'dev_alias');
  const labels = body.dev_label;
  if (
    labels !== undefined &&
    (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string'))
  ) {
    throw formInvalid('dev_label must be an array of strings');
  }
  if (remark === undefined && alias === undefined && labels === undefined) {
    throw formInvalid('give at least one of remark, dev_alias, dev_label');
  }
  if (remark !== undefined) binding.remark = remark;
  if (alias !== undefined) binding.dev_alias = alias;
  if (labels !== undefined) binding.dev_label = [...(labels as string[])];
  return { remark: binding.remark, dev_label: [...binding.dev_label], dev_alias: binding.dev_alias };
}

function requireOwner(context: RequestContext, did: string): void {
  const { binding } = requireBoundDevice(context, did);
  if (binding.role !== 'owner') throw new GizwitsApiError(9093);
}

export function listGuests(context: RequestContext) {
  requireOwner(context, context.params.did);
  return context.model
    .bindingsOfDevice(context.params.did)
    .filter((entry) => entry.role === 'guest')
    .map((entry) => {
      const user = context.model.accounts.users.get(entry.uid);
      return {
        username: maskName(user?.username ?? null),
        phone: maskPhone(user?.phone ?? null),
        created_at: utcText(entry.createdAt),
        uid: entry.uid,
        email: maskEmail(user?.email ?? null),
      };
    });
}

export function unbindGuest(context: RequestContext) {
  const did = context.params.did;
  requireOwner(context, did);
  const guestUid = context.query.get('uid');
  if (!guestUid) throw formInvalid('uid is required');
  if (guestUid === context.uid) throw new GizwitsApiError(9095);
  const guest = context.model.binding(guestUid, did);
  if (!guest || guest.role !== 'guest') throw new GizwitsApiError(9082);
  context.model.unbind(guestUid, did);
  for (const sharing of context.model.sharings.values()) {
    if (sharing.did === did && sharing.guestUid === guestUid && sharing.status === 1) sharing.status = 3;
  }
  return {};
}
