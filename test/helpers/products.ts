// Test products, built with the simulator's data point builders, and how the client reads a product
// from `GET /app/datapoint` (the simulator's own document of it).
import { toProductSchema, type ProductSchema } from '../../src/client';
import {
  binaryPoint,
  boolPoint,
  datapointDocument,
  enumPoint,
  product,
  uintPoint,
  type ProductDefinition,
} from '../../src/simulator';

/** A product with one writable point of every type, and one of each other kind, so that every validation path can be tried. */
export const GAUGE = product(
  {
    name: 'Test gauge',
    product_key: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    product_secret: 'feedbeeffeedbeeffeedbeeffeedbeef',
  },
  [
    boolPoint('power', 'power'),
    enumPoint('level', 'level', ['low', 'mid', 'high']),
    uintPoint('small', 'small', 'uint8', { max: 200, ratio: 0.5, addition: 10 }),
    uintPoint('medium', 'medium', 'uint16', { max: 1000, addition: -500 }),
    uintPoint('big', 'big', 'uint32', { max: 4000000000, ratio: 0.1 }),
    binaryPoint('blob', 'blob', 4),
    uintPoint('reading', 'reading', 'uint16', { max: 100 }, 'readonly'),
    boolPoint('alarm', 'alarm', 'alert'),
    boolPoint('broken', 'broken', 'fault'),
  ],
);
export const GAUGE_DID = 'TestGauge0000000000001';

/** A product as the client knows it once it has read the product's data point document. */
export function clientSchema(product: ProductDefinition): ProductSchema {
  return toProductSchema(datapointDocument(product));
}
