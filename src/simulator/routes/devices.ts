// Device monitoring and control: latest state, data point definitions, details, the communication log
// and remote control.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { datapointDocument } from '../model/datapoint-document';
import { parseRawPayload, parseWrittenAttrs, type BinaryCoding } from '../model/datapoint-values';
import type { RawLogEntry } from '../model/virtual-device';
import { bindingView } from './bindings';
import {
  bodyObject,
  metaPage,
  queryInteger,
  requireBoundDevice,
  requireDevice,
  type JsonObject,
} from './fields';

/** raw_data may look back at most this far in one query. */
const RAW_DATA_WINDOW_SECONDS = 48 * 3600;
const CMD_TYPES: ReadonlyArray<RawLogEntry['type']> = ['app2dev', 'dev2app'];
const ONLINE_TYPES: ReadonlyArray<RawLogEntry['type']> = ['dev_online', 'dev_re_online', 'dev_offline'];

/** `GET /app/devices/{did}`: the caller's binding of the device. */
export function deviceBinding(context: RequestContext) {
  return bindingView(context, requireBoundDevice(context, context.params.did).binding);
}

export function latest(context: RequestContext) {
  const device = requireDevice(context, context.params.did);
  return { did: device.did, updated_at: Math.floor(device.updatedAt / 1000), attr: device.restSnapshot() };
}

export function datapoint(context: RequestContext): ReturnType<typeof datapointDocument> {
  const productKey = context.query.get('product_key');
  if (!productKey) throw formInvalid('product_key is required');
  const product = context.model.products.get(productKey);
  if (!product) throw new GizwitsApiError(9002, `product_key ${productKey}`);
  return datapointDocument(product);
}

export function rawData(context: RequestContext) {
  const { device } = requireBoundDevice(context, context.params.did);
  const query = context.query;
  const type = query.get('type');
  if (type !== 'cmd' && type !== 'online') throw formInvalid('type must be cmd or online');
  const start = queryInteger(query, 'start_time');
  const end = queryInteger(query, 'end_time');
  if (start === undefined || end === undefined)
    throw formInvalid('start_time and end_time are required (seconds)');
  if (end > Date.now() / 1000 + 60) throw formInvalid('end_time must not be in the future');
  if (end <= start) throw formInvalid('end_time must be after start_time');
  if (end - start >= RAW_DATA_WINDOW_SECONDS)
    throw formInvalid('end_time - start_time must be under 48 hours');
  const limit = queryInteger(query, 'limit', 20);
  const skip = queryInteger(query, 'skip', 0);
  if (limit < 1 || limit > 1000 || skip < 0 || skip + limit > 5000) {
    throw formInvalid('limit must be 1..1000 and skip + limit at most 5000');
  }
  const sortText = query.get('sort') ?? 'desc';
  const ascending = sortText === 'asc' || sortText === 'ase';
  if (!ascending && sortText !== 'desc' && sortText !== 'dese') throw formInvalid('sort must be desc or asc');
  const wanted = type === 'cmd' ? CMD_TYPES : ONLINE_TYPES;
  const entries = device.log
    .filter((entry) => wanted.includes(entry.type) && entry.timestamp >= start && entry.timestamp <= end + 1)
    .sort((a, b) => (ascending ? a.timestamp - b.timestamp : b.timestamp - a.timestamp))
    .map((entry) => ({ ...entry }));
  return metaPage(
    context,
    entries,
    { limit, skip },
    {
      sort: ascending ? 'asc' : 'desc',
      end_time: end,
      did: device.did,
      start_time: start,
      type,
    },
  );
}

function bodyOrQueryCoding(context: RequestContext, body: JsonObject): BinaryCoding | undefined {
  const coding = body.binary_coding ?? context.query.get('binary_coding') ?? undefined;
  if (coding === undefined) return undefined;
  if (coding !== 'hex' && coding !== 'base64') throw formInvalid('binary_coding must be hex or base64');
  return coding;
}

/** Checks in the order a client notices: unknown did, not bound, bad body or attrs, then offline. */
export function control(context: RequestContext) {
  const { device } = requireBoundDevice(context, context.params.did);
  const body = bodyObject(context);
  if (body.attrs === undefined && body.raw === undefined) throw formInvalid('give attrs or raw');
  const coding = bodyOrQueryCoding(context, body);
  const values =
    body.attrs === undefined ? undefined : parseWrittenAttrs(device.product, body.attrs, coding ?? 'hex');
  const raw = body.raw === undefined ? undefined : parseRawPayload(body.raw, coding ?? 'decimal');
  if (!device.online) throw new GizwitsApiError(9042);
  const origin = {
    uid: context.uid,
    appid: String(context.headers['x-gizwits-application-id']),
    source: 'client' as const,
  };
  if (values) context.model.writeAttrs(device.did, values, origin);
  if (raw) context.model.writeRaw(device.did, raw, origin);
  return {};
}
