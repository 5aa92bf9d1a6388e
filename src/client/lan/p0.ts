// The P0 payload of data-point products (docs/lan.md §4): writes with attr_flags, reads, and the status
// block of read replies and reports, every point at its `position`, bit groups as big-endian integers.
import { encodeWrite, refusedWrite } from '../datapoints';
import type { AttrValues } from '../types';
import { pointEnd, type P0Layout, type P0Point } from './p0-layout';

export const P0_ACTION = {
  write: 0x01,
  read: 0x02,
  readReply: 0x03,
  report: 0x04,
  toDevice: 0x05,
  fromDevice: 0x06,
} as const;

export type P0Value = boolean | number | string | number[];

/** Where bit `bit` of the group starting at `start` (`width` bytes wide) lives. */
function bitPlace(start: number, width: number, bit: number): { index: number; mask: number } {
  return { index: start + width - 1 - Math.floor(bit / 8), mask: 1 << (bit % 8) };
}

function readBits(block: Uint8Array, start: number, width: number, offset: number, len: number): number {
  let value = 0;
  for (let k = 0; k < len; k++) {
    const { index, mask } = bitPlace(start, width, offset + k);
    if (block[index] & mask) value += 2 ** k;
  }
  return value;
}

function writeBits(
  block: Uint8Array,
  start: number,
  width: number,
  offset: number,
  len: number,
  value: number,
) {
  for (let k = 0; k < len; k++) {
    const { index, mask } = bitPlace(start, width, offset + k);
    if (Math.floor(value / 2 ** k) % 2) block[index] |= mask;
    else block[index] &= ~mask & 0xff;
  }
}

function readUnsigned(block: Uint8Array, start: number, len: number): number {
  let value = 0;
  for (let i = 0; i < len; i++) value = value * 256 + block[start + i];
  return value;
}

function writeUnsigned(block: Uint8Array, start: number, len: number, value: number): void {
  let rest = value;
  for (let i = len - 1; i >= 0; i--) {
    block[start + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

/** The raw integer (or bytes) of one point in a block. */
function rawOf(layout: P0Layout, block: Uint8Array, point: P0Point): number | number[] {
  if (point.unit === 'bit') {
    const width = layout.groupWidths.get(point.byteOffset)!;
    return readBits(block, point.byteOffset, width, point.bitOffset, point.len);
  }
  if (point.dataType === 'binary') return [...block.subarray(point.byteOffset, point.byteOffset + point.len)];
  return readUnsigned(block, point.byteOffset, point.len);
}

function valueOf(point: P0Point, raw: number | number[]): P0Value {
  if (Array.isArray(raw)) return raw;
  switch (point.dataType) {
    case 'bool':
      return raw === 1;
    case 'enum':
      return point.labels[raw] ?? raw;
    default:
      return Number((raw * point.ratio + point.addition).toFixed(point.decimals));
  }
}

/** The raw form of a value already validated by `encodeWrite`; undefined when it does not fit the point. */
function rawFor(point: P0Point, value: unknown): number | number[] | undefined {
  if (point.dataType === 'binary') {
    if (!Array.isArray(value) || value.length > point.len) return undefined;
    return [...(value as number[]), ...new Array<number>(point.len - value.length).fill(0)];
  }
  let raw: number;
  if (point.dataType === 'bool') raw = value === true ? 1 : 0;
  else if (point.dataType === 'enum')
    raw = typeof value === 'number' ? value : point.labels.indexOf(String(value));
  else raw = Math.round((Number(value) - point.addition) / point.ratio);
  const bits = point.unit === 'bit' ? point.len : 8 * point.len;
  if (!Number.isInteger(raw) || raw < 0 || raw >= 2 ** bits) return undefined;
  if (point.dataType.startsWith('uint') && (raw < point.rawMin || raw > point.rawMax)) return undefined;
  return raw;
}

function put(layout: P0Layout, block: Uint8Array, point: P0Point, raw: number | number[]): void {
  if (Array.isArray(raw)) block.set(raw, point.byteOffset);
  else if (point.unit === 'bit') {
    const width = layout.groupWidths.get(point.byteOffset)!;
    writeBits(block, point.byteOffset, width, point.bitOffset, point.len, raw);
  } else writeUnsigned(block, point.byteOffset, point.len, raw);
}

/** The values of a status block; a short block (older MCU firmware) leaves the points beyond it unset. */
export function decodeStatus(layout: P0Layout, block: Uint8Array): Record<string, P0Value> {
  const values: Record<string, P0Value> = {};
  for (const point of layout.points) {
    if (pointEnd(layout, point) > block.length) continue;
    values[point.name] = valueOf(point, rawOf(layout, block, point));
  }
  return values;
}

/** A status block (action `03` or `04` in front) holding `values`; points not given are zero. */
export function encodeStatus(
  layout: P0Layout,
  values: Record<string, unknown>,
  action: 0x03 | 0x04 = P0_ACTION.report,
): Buffer {
  const block = new Uint8Array(layout.statusSize);
  for (const point of layout.points) {
    if (!(point.name in values)) continue;
    const raw = rawFor(point, values[point.name]);
    if (raw !== undefined) put(layout, block, point, raw);
  }
  return Buffer.concat([Buffer.from([action]), block]);
}

/** The P0 of a read: `02`. */
export function encodeRead(): Buffer {
  return Buffer.from([P0_ACTION.read]);
}

/**
 * The P0 of a write: `01`, attr_flags marking the written points, attr_vals with the written values and,
 * elsewhere, the last known state (`known`, decoded values) or zero. The values are validated exactly as
 * every other write (`encodeWrite`); a value that does not fit its bits is refused too. Throws the keyed
 * `write.refused` error; nothing is sent.
 */
export function encodeP0Write(
  layout: P0Layout,
  values: unknown,
  known: Record<string, unknown> = {},
  did?: string,
): { p0: Buffer; written: AttrValues } {
  const written = encodeWrite(layout.schema, values, did);
  const block = new Uint8Array(layout.writableEnd);
  for (const point of layout.points) {
    if (pointEnd(layout, point) > layout.writableEnd || !(point.name in known)) continue;
    const raw = rawFor(point, known[point.name]);
    if (raw !== undefined) put(layout, block, point, raw);
  }
  const flags = new Uint8Array(layout.flagBytes);
  layout.writable.forEach((point, i) => {
    if (!(point.name in written)) return;
    const raw = rawFor(point, written[point.name]);
    if (raw === undefined) throw refusedWrite(did, 'lan.write.doesNotFit', { name: point.name });
    put(layout, block, point, raw);
    flags[layout.flagBytes - 1 - Math.floor(i / 8)] |= 1 << (i % 8);
  });
  return { p0: Buffer.concat([Buffer.from([P0_ACTION.write]), flags, block]), written };
}

/** What a device's P0 turned out to be (docs/lan.md §4, "Reading a device frame tolerantly"). */
export type DeviceP0 =
  | { type: 'ack' }
  | { type: 'status'; action: 0x03 | 0x04; values: Record<string, P0Value> }
  | { type: 'transparent'; bytes: number[] }
  | { type: 'unknown' };

function isStatusAction(byte: number | undefined): byte is 0x03 | 0x04 {
  return byte === P0_ACTION.readReply || byte === P0_ACTION.report;
}

/** Reads the P0 of a `0091`, or of a `0093`/`0094` after its sequence number; never throws. */
export function readDeviceP0(layout: P0Layout, rest: Uint8Array): DeviceP0 {
  const size = layout.statusSize;
  if (rest.length === 0) return { type: 'ack' };
  if (rest.length > size + 1) {
    const at = rest.length - size - 1;
    if (isStatusAction(rest[at]))
      return { type: 'status', action: rest[at], values: decodeStatus(layout, rest.subarray(at + 1)) };
  }
  if (isStatusAction(rest[0]))
    return { type: 'status', action: rest[0], values: decodeStatus(layout, rest.subarray(1, size + 1)) };
  if (rest[0] === P0_ACTION.fromDevice) return { type: 'transparent', bytes: [...rest.subarray(1)] };
  return { type: 'unknown' };
}
