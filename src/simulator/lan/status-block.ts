// The simulated MCU's P0 (docs/lan.md §4): its status block from the device's stored values, and the
// writes it accepts (attr_flags over the writable points, attr_vals laid out like the status block).
import { shownValue, type StoredValue } from '../model/datapoint-values';
import { statusLayout, type Position, type StatusLayout } from '../model/p0-layout';
import type { DataPointDefinition, ProductDefinition } from '../model/product-types';

/** Bit b of a group (a big-endian integer) starting at `start`, `width` bytes wide. */
function locate(start: number, width: number, bit: number): [number, number] {
  return [start + width - 1 - (bit >> 3), 1 << (bit & 7)];
}

function readField(block: Buffer, layout: StatusLayout, at: Position): number {
  if (at.unit === 'byte') return block.readUIntBE(at.byte_offset, at.len);
  let value = 0;
  for (let k = at.len - 1; k >= 0; k--) {
    const [index, mask] = locate(at.byte_offset, layout.groups.get(at.byte_offset)!, at.bit_offset + k);
    value = value * 2 + (block[index] & mask ? 1 : 0);
  }
  return value;
}

function writeField(block: Buffer, layout: StatusLayout, at: Position, value: number): void {
  if (at.unit === 'byte') return void block.writeUIntBE(value, at.byte_offset, at.len);
  for (let k = 0; k < at.len; k++) {
    const [index, mask] = locate(at.byte_offset, layout.groups.get(at.byte_offset)!, at.bit_offset + k);
    if ((value >> k) & 1) block[index] |= mask;
  }
}

function rawValue(point: DataPointDefinition, value: StoredValue): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (point.data_type === 'enum') return value as number;
  const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
  return Math.round(((value as number) - spec.addition) / spec.ratio);
}

export class StatusBlock {
  readonly layout: StatusLayout;
  readonly writable: DataPointDefinition[];

  constructor(private readonly product: ProductDefinition) {
    this.layout = statusLayout(product);
    this.writable = product.attrs.filter((point) => point.kind === 'writable');
  }

  /** The whole status block for these values. */
  encode(values: ReadonlyMap<string, StoredValue>): Buffer {
    const block = Buffer.alloc(this.layout.size);
    for (const point of this.product.attrs) {
      const at = this.layout.positions.get(point.name)!;
      const value = values.get(point.name)!;
      if (Buffer.isBuffer(value)) value.copy(block, at.byte_offset, 0, at.len);
      else writeField(block, this.layout, at, rawValue(point, value));
    }
    return block;
  }

  /**
   * The values a write (the P0 after its `01`) sets, or undefined when the MCU would reject it: a wrong
   * length, an enum index past the labels, a number outside its raw range.
   */
  decodeWrite(p0: Buffer): Map<string, StoredValue> | undefined {
    const flagBytes = Math.ceil(this.writable.length / 8);
    if (p0.length !== flagBytes + this.layout.writableSize) return undefined;
    const vals = p0.subarray(flagBytes);
    const values = new Map<string, StoredValue>();
    for (const [i, point] of this.writable.entries()) {
      if (!(p0[flagBytes - 1 - (i >> 3)] & (1 << (i & 7)))) continue;
      const at = this.layout.positions.get(point.name)!;
      if (point.data_type === 'binary') {
        values.set(point.name, Buffer.from(vals.subarray(at.byte_offset, at.byte_offset + at.len)));
        continue;
      }
      const raw = readField(vals, this.layout, at);
      if (point.data_type === 'bool') values.set(point.name, raw === 1);
      else if (point.data_type === 'enum') {
        if (raw >= (point.enum?.length ?? 0)) return undefined;
        values.set(point.name, raw);
      } else {
        const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
        if (raw < spec.min || raw > spec.max) return undefined;
        values.set(point.name, shownValue(point, raw));
      }
    }
    return values;
  }
}
