// Small readers for request fields, each answering 9015 (or the code the document gives) when a field is
// missing or of the wrong kind, plus the lookups most routes share.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import type { BindingRecord } from '../model/records';
import type { VirtualDevice } from '../model/virtual-device';

export type JsonObject = Record<string, unknown>;

export function bodyObject(context: RequestContext): JsonObject {
  const body = context.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw formInvalid('body must be a JSON object');
  return body as JsonObject;
}

export function optionalString(source: JsonObject, key: string): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw formInvalid(`${key} must be a string`);
  return value;
}

export function requiredString(source: JsonObject, key: string): string {
  const value = optionalString(source, key);
  if (value === undefined || value === '') throw formInvalid(`${key} is required`);
  return value;
}

export function optionalInteger(source: JsonObject, key: string): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw formInvalid(`${key} must be an integer`);
  return value;
}

/** Query integers; an empty or absent parameter gives the fallback. */
export function queryInteger(query: URLSearchParams, key: string, fallback: number): number;
export function queryInteger(query: URLSearchParams, key: string): number | undefined;
export function queryInteger(query: URLSearchParams, key: string, fallback?: number): number | undefined {
  const text = query.get(key);
  if (text === null || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw formInvalid(`${key} must be an integer`);
  return Number(text);
}

export interface Page {
  limit: number;
  skip: number;
}

export function pageOf(query: URLSearchParams, defaultLimit = 20, maxLimit = 100): Page {
  const limit = queryInteger(query, 'limit', defaultLimit);
  const skip = queryInteger(query, 'skip', 0);
  if (limit < 1) throw formInvalid('limit must be at least 1');
  if (skip < 0) throw formInvalid('skip must not be negative');
  return { limit: Math.min(limit, maxLimit), skip };
}

/** The `{meta, objects}` list shape of messages, sharing and raw_data, with next/previous links. */
export function metaPage<T>(
  context: RequestContext,
  items: ReadonlyArray<T>,
  page: Page,
  extraMeta: JsonObject = {},
): { meta: JsonObject; objects: T[] } {
  const link = (skip: number): string => {
    const query = new URLSearchParams(context.query);
    query.set('skip', String(skip));
    query.set('limit', String(page.limit));
    return `${context.path}?${query.toString()}`;
  };
  const total = items.length;
  return {
    meta: {
      ...extraMeta,
      total,
      limit: page.limit,
      skip: page.skip,
      next: page.skip + page.limit < total ? link(page.skip + page.limit) : null,
      previous: page.skip > 0 ? link(Math.max(0, page.skip - page.limit)) : null,
    },
    objects: items.slice(page.skip, page.skip + page.limit),
  };
}

export function requireDevice(context: RequestContext, did: string): VirtualDevice {
  const device = context.model.devices.get(did);
  if (!device) throw new GizwitsApiError(9014, `did ${did}`);
  return device;
}

/** The device must exist (9014) and be bound to the caller (9017). */
export function requireBoundDevice(
  context: RequestContext,
  did: string,
): { device: VirtualDevice; binding: BindingRecord } {
  const device = requireDevice(context, did);
  const binding = context.model.binding(context.uid, did);
  if (!binding) throw new GizwitsApiError(9017, `did ${did}`);
  return { device, binding };
}

/** "G****s": keeps the first and last character and hides up to four in between. */
export function maskName(value: string | null): string | null {
  if (!value) return null;
  if (value.length <= 2) return `${value[0]}*`;
  const hidden = Math.min(4, value.length - 2);
  return value.slice(0, 1) + '*'.repeat(hidden) + value.slice(1 + hidden);
}

/** Phone numbers hide the middle four digits; emails hide what comes before the @ except its ends. */
export function maskPhone(value: string | null): string | null {
  if (!value) return null;
  if (value.length < 8) return maskName(value);
  const start = Math.floor((value.length - 4) / 2);
  return value.slice(0, start) + '****' + value.slice(start + 4);
}

export function maskEmail(value: string | null): string | null {
  if (!value) return null;
  const at = value.indexOf('@');
  if (at < 0) return maskName(value);
  return `${maskName(value.slice(0, at))}${value.slice(at)}`;
}
