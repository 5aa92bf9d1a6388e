// Where a product's data points sit in the device's status block (docs/lan.md §4): four regions in
// order (writable, read-only, alert, fault), each its bools and enums packed into one bit group, then its
// numbers and binaries byte by byte. `GET /app/datapoint` announces these positions and the simulated
// LAN devices lay out their status by them.
import type { DataPointDefinition, DataPointKind, ProductDefinition } from './product-types';

export interface Position {
  byte_offset: number;
  bit_offset: number;
  len: number;
  unit: 'bit' | 'byte';
}

const REGIONS: DataPointKind[] = ['writable', 'readonly', 'alert', 'fault'];

export function isBitPoint(point: DataPointDefinition): boolean {
  return point.data_type === 'bool' || point.data_type === 'enum';
}

function bitWidth(point: DataPointDefinition): number {
  if (point.data_type === 'bool') return 1;
  return Math.max(1, Math.ceil(Math.log2(point.enum?.length ?? 1)));
}

function byteWidth(point: DataPointDefinition): number {
  switch (point.data_type) {
    case 'uint16':
      return 2;
    case 'uint32':
      return 4;
    case 'binary':
      return point.binaryLength ?? 0;
    default:
      return 1;
  }
}

export interface StatusLayout {
  /** By data point name. */
  positions: Map<string, Position>;
  /** Width in bytes of the bit group at each byte offset. */
  groups: Map<number, number>;
  /** L: the whole block. */
  size: number;
  /** V: bytes 0 … V−1 are the writable part. */
  writableSize: number;
}

export function statusLayout(product: ProductDefinition): StatusLayout {
  const positions = new Map<string, Position>();
  const groups = new Map<number, number>();
  let byte = 0;
  let writableSize = 0;
  for (const region of REGIONS) {
    const points = product.attrs.filter((point) => point.kind === region);
    let bit = 0;
    for (const point of points.filter(isBitPoint)) {
      positions.set(point.name, { byte_offset: byte, bit_offset: bit, len: bitWidth(point), unit: 'bit' });
      bit += bitWidth(point);
    }
    if (bit > 0) {
      groups.set(byte, Math.ceil(bit / 8));
      byte += Math.ceil(bit / 8);
    }
    for (const point of points.filter((candidate) => !isBitPoint(candidate))) {
      positions.set(point.name, { byte_offset: byte, bit_offset: 0, len: byteWidth(point), unit: 'byte' });
      byte += byteWidth(point);
    }
    if (region === 'writable') writableSize = byte;
  }
  return { positions, groups, size: byte, writableSize };
}
