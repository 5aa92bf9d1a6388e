// A product's data points, read from `GET /app/datapoint`, and the validation and encoding of writes.
import { GizwitsError, keyed, type ErrorText } from './errors';
import type { AttrValues, DatapointAttr, Json, ProductDatapoints } from './types';

export type DatapointKind = 'writable' | 'readonly' | 'alert' | 'fault';

export interface Datapoint {
  name: string;
  displayName: string;
  kind: DatapointKind;
  dataType: 'bool' | 'enum' | 'uint8' | 'uint16' | 'uint32' | 'binary' | string;
  /** For numbers: the range and step of the value as users see it (after ratio and addition). */
  min?: number;
  max?: number;
  step?: number;
  /** For enums: the labels, by index. */
  labels?: string[];
  /** For binary: the length in bytes. */
  bytes?: number;
}

export interface ProductSchema {
  productKey: string;
  name: string;
  datapoints: Map<string, Datapoint>;
}

/** Both spellings of the data point `type` (docs/open-api.md): the document's letters and real products' words. */
const KINDS: Record<string, DatapointKind> = {
  W: 'writable',
  status_writable: 'writable',
  R: 'readonly',
  status_readonly: 'readonly',
  N: 'alert',
  alert: 'alert',
  E: 'fault',
  fault: 'fault',
};

/** A data point's kind from its `type`, in either spelling; an unknown one is read-only. */
export function datapointKind(type: string): DatapointKind {
  return KINDS[type] ?? 'readonly';
}

function roundTo(value: number, digits = 10): number {
  return Number(value.toFixed(digits));
}

function labelsOf(attr: DatapointAttr): string[] {
  return (attr.enum ?? []).map((item, index) => {
    if (typeof item === 'string') return item;
    if (!item || typeof item !== 'object') return String(item ?? index);
    return String(item.name ?? item.display_name ?? item.value ?? index);
  });
}

export function toDatapoint(attr: DatapointAttr): Datapoint {
  const kind = datapointKind(attr.type);
  const point: Datapoint = {
    name: attr.name,
    displayName: attr.display_name ?? attr.name,
    kind,
    dataType: attr.data_type,
  };
  if (/^uint(8|16|32)$/.test(attr.data_type) && attr.uint_spec) {
    const ratio = Number(attr.uint_spec.ratio ?? 1) || 1;
    const addition = Number(attr.uint_spec.addition ?? 0) || 0;
    point.min = roundTo(attr.uint_spec.min * ratio + addition);
    point.max = roundTo(attr.uint_spec.max * ratio + addition);
    point.step = ratio;
  }
  if (attr.data_type === 'enum') point.labels = labelsOf(attr);
  if (attr.data_type === 'binary' && attr.position) {
    point.bytes = attr.position.unit === 'bit' ? Math.ceil(attr.position.len / 8) : attr.position.len;
  }
  return point;
}

/**
 * Bounds on a product definition read from the cloud (docs/limits.md). A device frame never exceeds
 * 1024 bytes, so no binary point can be longer, and no real product comes near the other two.
 */
export const SCHEMA_LIMITS = {
  binaryBytes: 1024,
  datapoints: 1024,
  enumLabels: 1024,
  nameLength: 128,
} as const;

function schemaProblem(productKey: string, reason: string): GizwitsError {
  return new GizwitsError({
    code: 'BAD_RESPONSE',
    operation: 'devices.datapoint',
    serverMessage: reason,
    ...keyed('schema.unusable', { productKey, reason }),
  });
}

/** Why an attribute read off the wire cannot be used, or undefined when it can. */
function attrProblem(attr: unknown): string | undefined {
  if (!attr || typeof attr !== 'object') return 'a data point is not an object';
  const a = attr as Record<string, unknown>;
  if (typeof a.name !== 'string' || !a.name || a.name.length > SCHEMA_LIMITS.nameLength)
    return 'a data point has no usable name';
  if (typeof a.data_type !== 'string') return `"${a.name}" has no data type`;
  if (a.enum !== undefined && (!Array.isArray(a.enum) || a.enum.length > SCHEMA_LIMITS.enumLabels))
    return `"${a.name}" has an unusable enum list`;
  const spec = a.uint_spec as Record<string, unknown> | undefined;
  if (spec !== undefined && spec !== null) {
    if (typeof spec !== 'object') return `"${a.name}" has an unusable range`;
    for (const field of ['min', 'max', 'ratio', 'addition'])
      if (spec[field] !== undefined && !Number.isFinite(Number(spec[field])))
        return `"${a.name}" has an unusable ${field}`;
  }
  if (a.data_type === 'binary' && a.position !== undefined) {
    const position = a.position as Record<string, unknown> | null;
    const len = position && typeof position === 'object' ? Number(position.len) : NaN;
    const bytes = position?.unit === 'bit' ? Math.ceil(len / 8) : len;
    if (!Number.isInteger(len) || bytes < 1 || bytes > SCHEMA_LIMITS.binaryBytes)
      return `"${a.name}" is a binary of ${String(position?.len)} ${position?.unit === 'bit' ? 'bits' : 'bytes'}, outside 1…${SCHEMA_LIMITS.binaryBytes} bytes`;
  }
  return undefined;
}

/** The schema of a `devices.datapoint` answer, checked first: an answer outside the bounds is refused. */
export function toProductSchema(answer: ProductDatapoints): ProductSchema {
  const productKey = typeof answer?.product_key === 'string' ? answer.product_key : '?';
  const entities: unknown = answer?.entities ?? [];
  if (!Array.isArray(entities)) throw schemaProblem(productKey, 'entities is not a list');
  const datapoints = new Map<string, Datapoint>();
  for (const entity of entities as Array<{ attrs?: unknown }>) {
    const attrs: unknown = entity?.attrs ?? [];
    if (!Array.isArray(attrs)) throw schemaProblem(productKey, 'attrs is not a list');
    for (const attr of attrs) {
      const problem = attrProblem(attr);
      if (problem) throw schemaProblem(productKey, problem);
      if (datapoints.size >= SCHEMA_LIMITS.datapoints)
        throw schemaProblem(productKey, `more than ${SCHEMA_LIMITS.datapoints} data points`);
      const point = toDatapoint(attr as DatapointAttr);
      datapoints.set(point.name, point);
    }
  }
  const name = typeof answer.name === 'string' && answer.name ? answer.name : productKey;
  return { productKey, name, datapoints };
}

/**
 * A write refused before anything is sent: one frame (`write.refused`, "Cannot write to <did>: ...") and
 * one reason, `key` in the catalogue (`write.reason.*`, `raw.*`). The target is the device written to
 * (` to <did>`) when one is known.
 */
export function refusedWrite(
  did: string | undefined,
  key: string,
  params: Record<string, string | number | ErrorText>,
): GizwitsError {
  const target: string | ErrorText = did ? { key: 'write.target', params: { did } } : '';
  return new GizwitsError({
    code: 'INVALID_PARAMS',
    ...keyed('write.refused', { target, reason: { key, params } }),
  });
}

/**
 * The reason of a refused write, without its frame, for a caller that words the refusal its own way (a
 * rule's action, a group's values); undefined when the error is not a refused write.
 */
export function writeReason(error: unknown): ErrorText | undefined {
  if (!(error instanceof GizwitsError) || error.text?.key !== 'write.refused') return undefined;
  const reason = error.text.params?.reason;
  return typeof reason === 'object' ? reason : undefined;
}

/** Bytes from hex text, base64 text (prefixed `base64:`), or an array/Buffer of bytes. */
export function toBytes(value: unknown): number[] | undefined {
  if (Buffer.isBuffer(value)) return [...value];
  if (Array.isArray(value)) {
    return value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? (value as number[]) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (value.startsWith('base64:')) return [...Buffer.from(value.slice(7), 'base64')];
  const hex = value.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*[0-9a-fA-F]?$/.test(hex)) return undefined;
  return [...Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex')];
}

/**
 * Validates one value against its data point and returns it as the cloud wants it: booleans, numbers
 * (on the point's step, inside its range), enum labels (given the label or its index) and binary as
 * a byte array padded to the point's length.
 */
export function encodeValue(point: Datapoint, value: unknown, did?: string): Json {
  const name = point.name;
  const shown = () => String(JSON.stringify(value));
  switch (point.dataType) {
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (value === 'true' || value === 'false') return value === 'true';
      throw refusedWrite(did, 'write.reason.bool', { name, value: shown() });
    case 'enum': {
      const labels = point.labels ?? [];
      if (typeof value === 'string' && labels.includes(value)) return value;
      const index =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\d+$/.test(value)
            ? Number(value)
            : NaN;
      if (Number.isInteger(index) && index >= 0 && index < labels.length) return labels[index];
      const choices = labels.map((l, i) => `${i} "${l}"`).join(', ');
      throw refusedWrite(did, 'write.reason.enum', { name, labels: choices, value: shown() });
    }
    case 'binary': {
      const bytes = toBytes(value);
      if (!bytes) {
        throw refusedWrite(did, 'write.reason.binary', { name });
      }
      const length = point.bytes ?? bytes.length;
      if (bytes.length > length) {
        throw refusedWrite(did, 'write.reason.binaryLength', { name, bytes: length, given: bytes.length });
      }
      return [...bytes, ...new Array(length - bytes.length).fill(0)];
    }
    default: {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (!Number.isFinite(number)) throw refusedWrite(did, 'write.reason.number', { name, value: shown() });
      if (point.min !== undefined && point.max !== undefined && (number < point.min || number > point.max)) {
        throw refusedWrite(did, 'write.reason.range', {
          name,
          min: point.min,
          max: point.max,
          value: number,
        });
      }
      if (point.step !== undefined && point.min !== undefined) {
        const steps = (number - point.min) / point.step;
        if (Math.abs(steps - Math.round(steps)) > 1e-6) {
          throw refusedWrite(did, 'write.reason.step', {
            name,
            step: point.step,
            min: point.min,
            value: number,
          });
        }
      }
      return number;
    }
  }
}

/** Validates a whole write before anything is sent; the first problem found is the error. */
export function encodeWrite(schema: ProductSchema, values: unknown, did?: string): AttrValues {
  if (!values || typeof values !== 'object' || Array.isArray(values) || Buffer.isBuffer(values)) {
    throw refusedWrite(did, 'write.reason.notObject', {});
  }
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) throw refusedWrite(did, 'write.reason.empty', {});
  const out: AttrValues = {};
  for (const [name, value] of entries) {
    const point = schema.datapoints.get(name);
    if (!point) {
      const known = [...schema.datapoints.values()].filter((p) => p.kind === 'writable').map((p) => p.name);
      throw refusedWrite(did, 'write.reason.unknown', {
        name,
        product: schema.name,
        writable: known.join(', '),
      });
    }
    if (point.kind !== 'writable') {
      const key =
        point.kind === 'readonly'
          ? 'write.reason.readonly'
          : point.kind === 'alert'
            ? 'write.reason.alert'
            : 'write.reason.fault';
      throw refusedWrite(did, key, { name });
    }
    out[name] = encodeValue(point, value, did);
  }
  return out;
}

/** Binary values as the REST API wants them: hex text. */
export function toRestAttrs(schema: ProductSchema, attrs: AttrValues): AttrValues {
  const out: AttrValues = {};
  for (const [name, value] of Object.entries(attrs)) {
    out[name] =
      schema.datapoints.get(name)?.dataType === 'binary' && Array.isArray(value)
        ? Buffer.from(value as number[]).toString('hex')
        : value;
  }
  return out;
}

/** Whether every value of `written` is what the device now reports (binary compared byte by byte). */
export function reportsMatch(written: AttrValues, reported: Record<string, unknown>): boolean {
  return Object.entries(written).every(([name, value]) => {
    const now = reported[name];
    if (Array.isArray(value)) {
      const bytes = toBytes(now);
      return !!bytes && bytes.length >= value.length && value.every((b, i) => bytes[i] === b);
    }
    return typeof value === 'number' ? Math.abs(Number(now) - value) < 1e-6 : now === value;
  });
}

/**
 * A report in the websocket's encoding, whatever path it came by: REST answers give booleans as 0/1,
 * enums sometimes as their index, and binary as hex text (docs/open-api.md).
 */
export function decodeReport(
  schema: ProductSchema | undefined,
  attrs: Record<string, unknown>,
): Record<string, unknown> {
  if (!schema) return { ...attrs };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const point = schema.datapoints.get(name);
    if (point?.dataType === 'bool' && (value === 0 || value === 1)) out[name] = value === 1;
    else if (point?.dataType === 'enum' && typeof value === 'number' && point.labels?.[value] !== undefined)
      out[name] = point.labels[value];
    else if (point?.dataType === 'binary' && typeof value === 'string') out[name] = toBytes(value) ?? value;
    else out[name] = value;
  }
  return out;
}
