// Builders for a product and its data points, so that a product (the seeded ones in fixtures.ts, or one a
// test adds) reads as its identity and then one line a point.
import type { DataPointDefinition, DataPointKind, ProductDefinition, UintSpec } from './product-types';

type ProductIdentity = Pick<ProductDefinition, 'name' | 'product_key' | 'product_secret'>;

/** A product with these data points; it spells their kinds as words unless `typeSpelling` says letters. */
export function product(
  identity: ProductIdentity & Partial<Pick<ProductDefinition, 'typeSpelling'>>,
  attrs: ReadonlyArray<DataPointDefinition>,
): ProductDefinition {
  return { typeSpelling: 'words', ...identity, attrs };
}

/** A bool point: writable unless `kind` says otherwise (alert and fault points are bools). */
export function boolPoint(
  name: string,
  displayName: string,
  kind: DataPointKind = 'writable',
): DataPointDefinition {
  return { name, display_name: displayName, kind, data_type: 'bool' };
}

/** A writable enum point whose values are `labels`, by index. */
export function enumPoint(
  name: string,
  displayName: string,
  labels: ReadonlyArray<string>,
): DataPointDefinition {
  return { name, display_name: displayName, kind: 'writable', data_type: 'enum', enum: labels };
}

/** A number point: raw `min` (default 0) to `max`, shown as raw * `ratio` (default 1) + `addition` (default 0). */
export function uintPoint(
  name: string,
  displayName: string,
  dataType: 'uint8' | 'uint16' | 'uint32',
  { min = 0, max, ratio = 1, addition = 0 }: Partial<UintSpec> & Pick<UintSpec, 'max'>,
  kind: DataPointKind = 'writable',
): DataPointDefinition {
  return {
    name,
    display_name: displayName,
    kind,
    data_type: dataType,
    uint_spec: { min, max, ratio, addition },
  };
}

/** A writable binary point of `length` bytes. */
export function binaryPoint(name: string, displayName: string, length: number): DataPointDefinition {
  return { name, display_name: displayName, kind: 'writable', data_type: 'binary', binaryLength: length };
}
