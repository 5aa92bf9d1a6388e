// Where each data point sits in a product's P0 status block (docs/lan.md §4), read from the data point
// definition of `GET /app/datapoint`. The definition comes off the wire, so every position is checked
// and bounded before anything is sized from it.
import { datapointKind, toProductSchema, type ProductSchema } from '../datapoints';
import { GizwitsError, keyed } from '../errors';
import type { DatapointAttr, ProductDatapoints } from '../types';
import type { DatapointKind } from '../datapoints';

/** A device frame is at most 1024 bytes (docs/lan.md §1), so no status block can be larger. */
export const MAX_STATUS_BYTES = 1024;
/** Widest bit field decoded: enums of up to 2^31 labels, far beyond any real product. */
const MAX_FIELD_BITS = 31;

export interface P0Point {
  name: string;
  kind: DatapointKind;
  dataType: 'bool' | 'enum' | 'uint8' | 'uint16' | 'uint32' | 'binary';
  unit: 'bit' | 'byte';
  byteOffset: number;
  /** Bits: the offset inside the point's bit group, counted from the group's least significant bit. */
  bitOffset: number;
  /** Bits for `unit: "bit"`, bytes for `unit: "byte"`. */
  len: number;
  labels: string[];
  /** Numbers: y = x · ratio + addition, and the raw bounds of x. */
  ratio: number;
  addition: number;
  rawMin: number;
  rawMax: number;
  /** Decimals a decoded number is rounded to (those of ratio and addition). */
  decimals: number;
}

export interface P0Layout {
  productKey: string;
  schema: ProductSchema;
  points: P0Point[];
  /** W0 … W(w−1): the writable points in definition order, whose indexes are the attr_flags bits. */
  writable: P0Point[];
  /** Width in bytes of the bit group starting at each byte offset. */
  groupWidths: Map<number, number>;
  /** L: the size of the status block. */
  statusSize: number;
  /** V: the end of the last writable point, the size of attr_vals. */
  writableEnd: number;
  /** F: the size of attr_flags. */
  flagBytes: number;
}

const UINT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, uint32: 4 };

function unusable(productKey: string, key: string, params: Record<string, string | number> = {}) {
  return new GizwitsError({
    code: 'BAD_RESPONSE',
    operation: 'devices.datapoint',
    ...keyed('lan.layout.unusable', { productKey, reason: { key: `lan.layout.${key}`, params } }),
  });
}

function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes('e-')) return Math.min(20, Number(text.split('e-')[1]) + 6);
  return text.includes('.') ? text.split('.')[1].length : 0;
}

function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

function toPoint(productKey: string, attr: DatapointAttr): P0Point {
  const name = attr.name;
  const position = attr.position;
  if (!position || typeof position !== 'object') throw unusable(productKey, 'noPosition', { name });
  const { byte_offset: byteOffset, bit_offset: bitOffset, len, unit } = position;
  const dataType = attr.data_type as P0Point['dataType'];
  const bad = () => unusable(productKey, 'badPosition', { name });
  if (!isCount(byteOffset, MAX_STATUS_BYTES - 1) || !isCount(len, MAX_STATUS_BYTES)) throw bad();
  if (unit === 'bit') {
    if (dataType !== 'bool' && dataType !== 'enum') throw bad();
    if (!isCount(bitOffset, 8 * MAX_STATUS_BYTES) || len < 1 || len > MAX_FIELD_BITS) throw bad();
    if (dataType === 'bool' && len !== 1) throw bad();
  } else if (unit === 'byte') {
    if (len < 1) throw bad();
    const width = UINT_BYTES[dataType];
    if (width !== undefined && len !== width) throw bad();
    if (dataType === 'bool' || (dataType === 'enum' && len > 3)) throw bad();
  } else {
    throw bad();
  }
  if (!['bool', 'enum', 'uint8', 'uint16', 'uint32', 'binary'].includes(dataType))
    throw unusable(productKey, 'badType', { name, type: String(attr.data_type) });
  const spec = attr.uint_spec;
  const ratio = Number(spec?.ratio ?? 1) || 1;
  const addition = Number(spec?.addition ?? 0) || 0;
  const rawMax = spec && Number.isFinite(Number(spec.max)) ? Number(spec.max) : Infinity;
  const rawMin = spec && Number.isFinite(Number(spec.min)) ? Number(spec.min) : 0;
  return {
    name,
    kind: datapointKind(attr.type),
    dataType,
    unit,
    byteOffset,
    bitOffset: unit === 'bit' ? bitOffset : 0,
    len,
    labels: [],
    ratio,
    addition,
    rawMin,
    rawMax,
    decimals: Math.max(decimalsOf(ratio), decimalsOf(addition)),
  };
}

/** The end (exclusive) of a point in the status block. */
export function pointEnd(layout: Pick<P0Layout, 'groupWidths'>, point: P0Point): number {
  return point.byteOffset + (point.unit === 'bit' ? layout.groupWidths.get(point.byteOffset)! : point.len);
}

/**
 * The P0 layout of a product, or a keyed `BAD_RESPONSE` when its definition cannot be used over the LAN
 * (not a `standard` product, a point without a usable position, a block above 1024 bytes). Such products
 * stay on the cloud.
 */
export function p0Layout(answer: ProductDatapoints): P0Layout {
  const schema = toProductSchema(answer);
  const productKey = schema.productKey;
  if (answer.protocolType !== undefined && answer.protocolType !== 'standard')
    throw unusable(productKey, 'notStandard', { protocol: String(answer.protocolType) });
  const points: P0Point[] = [];
  for (const entity of answer.entities ?? []) {
    for (const attr of entity.attrs ?? []) {
      const point = toPoint(productKey, attr);
      point.labels = schema.datapoints.get(point.name)?.labels ?? [];
      points.push(point);
    }
  }
  if (points.length === 0) throw unusable(productKey, 'empty');
  const groupWidths = new Map<number, number>();
  for (const point of points) {
    if (point.unit !== 'bit') continue;
    const bytes = Math.ceil((point.bitOffset + point.len) / 8);
    groupWidths.set(point.byteOffset, Math.max(groupWidths.get(point.byteOffset) ?? 0, bytes));
  }
  const sizes = { groupWidths };
  const statusSize = Math.max(...points.map((point) => pointEnd(sizes, point)));
  if (statusSize > MAX_STATUS_BYTES) throw unusable(productKey, 'tooLarge', { bytes: MAX_STATUS_BYTES });
  const writable = points.filter((point) => point.kind === 'writable');
  const writableEnd = Math.max(0, ...writable.map((point) => pointEnd(sizes, point)));
  return {
    productKey,
    schema,
    points,
    writable,
    groupWidths,
    statusSize,
    writableEnd,
    flagBytes: Math.ceil(writable.length / 8),
  };
}
