// Turns values that arrive over the wire into a device's stored values (validating them against the
// product's data points), and stored values back into the encodings each channel uses.
import { GizwitsApiError, formInvalid } from '../errors';
import type { DataPointDefinition, ProductDefinition } from './product-types';

/** bool → boolean, enum → index, uint* → shown (scaled) number, binary → bytes of the point's length. */
export type StoredValue = boolean | number | Buffer;

/** How binary values travel: the document's default is hex; `binary_coding=base64` switches it. */
export type BinaryCoding = 'hex' | 'base64';

export function initialValue(point: DataPointDefinition): StoredValue {
  switch (point.data_type) {
    case 'bool':
      return false;
    case 'enum':
      return 0;
    case 'binary':
      return Buffer.alloc(point.binaryLength ?? 0);
    default:
      return shownValue(point, point.uint_spec?.min ?? 0);
  }
}

/** raw * ratio + addition, rounded so that 0.1 steps do not print as 12.300000000000001. */
export function shownValue(point: DataPointDefinition, raw: number): number {
  const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
  return roundToStep(raw * spec.ratio + spec.addition, spec.ratio);
}

function roundToStep(value: number, ratio: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(ratio)));
  return Number(value.toFixed(decimals));
}

export function shownRange(point: DataPointDefinition): { min: number; max: number } {
  const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
  return { min: shownValue(point, spec.min), max: shownValue(point, spec.max) };
}

/** Finds a data point a client may write, or answers 9025 like the cloud does for any other name. */
export function writablePoint(product: ProductDefinition, name: string): DataPointDefinition {
  const point = product.attrs.find((candidate) => candidate.name === name);
  if (!point) throw new GizwitsApiError(9025, `unknown data point '${name}'`);
  if (point.kind !== 'writable') throw new GizwitsApiError(9025, `data point '${name}' is not writable`);
  return point;
}

/** Parses one written value; wrong types and out-of-range values answer 9015. */
export function parseWrittenValue(
  point: DataPointDefinition,
  input: unknown,
  coding: BinaryCoding,
): StoredValue {
  switch (point.data_type) {
    case 'bool':
      if (typeof input === 'boolean') return input;
      if (input === 0 || input === 1) return input === 1;
      throw formInvalid(`'${point.name}' must be true/false or 0/1`);
    case 'enum':
      return parseEnum(point, input);
    case 'binary':
      return parseBinary(point, input, coding);
    default:
      return parseNumber(point, input);
  }
}

function parseEnum(point: DataPointDefinition, input: unknown): number {
  const labels = point.enum ?? [];
  if (typeof input === 'string') {
    const index = labels.indexOf(input);
    if (index >= 0) return index;
  } else if (typeof input === 'number' && Number.isInteger(input) && input >= 0 && input < labels.length) {
    return input;
  }
  throw formInvalid(`'${point.name}' must be one of ${labels.join('/')} or an index 0..${labels.length - 1}`);
}

function parseNumber(point: DataPointDefinition, input: unknown): number {
  const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
  if (typeof input !== 'number' || !Number.isFinite(input))
    throw formInvalid(`'${point.name}' must be a number`);
  const raw = (input - spec.addition) / spec.ratio;
  const range = shownRange(point);
  if (Math.abs(raw - Math.round(raw)) > 1e-6)
    throw formInvalid(`'${point.name}' must be a multiple of ${spec.ratio}`);
  if (Math.round(raw) < spec.min || Math.round(raw) > spec.max) {
    throw formInvalid(`'${point.name}' must be within ${range.min}..${range.max}`);
  }
  return shownValue(point, Math.round(raw));
}

function parseBinary(point: DataPointDefinition, input: unknown, coding: BinaryCoding): Buffer {
  const length = point.binaryLength ?? 0;
  let bytes: Buffer;
  if (Array.isArray(input) && input.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    bytes = Buffer.from(input as number[]);
  } else if (typeof input === 'string' && coding === 'base64' && /^[A-Za-z0-9+/]*={0,2}$/.test(input)) {
    bytes = Buffer.from(input, 'base64');
  } else if (typeof input === 'string' && coding === 'hex' && /^[0-9a-fA-F]*$/.test(input)) {
    if (input.length > length * 2) throw formInvalid(`'${point.name}' is longer than ${length} bytes`);
    // The document pads short hex on the right ("1234567" → "1234567000" for 5 bytes).
    bytes = Buffer.from(input.padEnd(length * 2, '0'), 'hex');
  } else {
    throw formInvalid(
      `'${point.name}' must be ${coding === 'hex' ? 'a hex string' : 'base64'} of ${length} bytes`,
    );
  }
  if (bytes.length > length) throw formInvalid(`'${point.name}' is longer than ${length} bytes`);
  const padded = Buffer.alloc(length);
  bytes.copy(padded);
  return padded;
}

/** Validates a whole `attrs` object of a control request; answers 9015/9025 on the first bad entry. */
export function parseWrittenAttrs(
  product: ProductDefinition,
  attrs: unknown,
  coding: BinaryCoding,
): Map<string, StoredValue> {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs))
    throw formInvalid('attrs must be an object');
  const entries = Object.entries(attrs as Record<string, unknown>);
  if (entries.length === 0) throw formInvalid('attrs is empty');
  const parsed = new Map<string, StoredValue>();
  for (const [name, value] of entries)
    parsed.set(name, parseWrittenValue(writablePoint(product, name), value, coding));
  return parsed;
}

/** Validates a `raw` byte array, or a hex/base64 string when `binary_coding` says so. */
export function parseRawPayload(raw: unknown, coding: BinaryCoding | 'decimal'): Buffer {
  if (coding === 'decimal') {
    if (
      !Array.isArray(raw) ||
      raw.length === 0 ||
      !raw.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
    ) {
      throw formInvalid('raw must be a non-empty array of bytes (0..255)');
    }
    return Buffer.from(raw as number[]);
  }
  const pattern = coding === 'hex' ? /^(?:[0-9a-fA-F]{2})+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  if (typeof raw !== 'string' || !pattern.test(raw)) throw formInvalid(`raw must be a ${coding} string`);
  return Buffer.from(raw, coding);
}

/** The REST encoding (`GET /app/devdata/{did}/latest`): bools as 0/1 as in the document's example. */
export function toRestValue(point: DataPointDefinition, value: StoredValue): number | string {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (point.data_type === 'enum') return point.enum?.[value] ?? String(value);
  return value;
}

/** The websocket encoding (docs/websocket.md): booleans, scaled numbers, enum labels, binary as byte arrays. */
export function toSocketValue(
  point: DataPointDefinition,
  value: StoredValue,
): boolean | number | string | number[] {
  if (Buffer.isBuffer(value)) return [...value];
  if (point.data_type === 'enum' && typeof value === 'number') return point.enum?.[value] ?? value;
  return value;
}

export function sameValue(a: StoredValue, b: StoredValue): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
