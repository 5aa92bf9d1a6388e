// Each product's data points (`GET /app/datapoint`), fetched once per product by whoever asks first and
// shared by every later caller: the device registry and the editor's pick-lists both read them.
import type { GizwitsClient } from './client';
import { toProductSchema, type ProductSchema } from './datapoints';

export class SchemaCache {
  private readonly schemas = new Map<string, Promise<ProductSchema>>();

  constructor(private readonly client: Pick<GizwitsClient, 'call'>) {}

  /** The product's data points; a failed fetch is forgotten, so that the next caller asks again. */
  get(productKey: string): Promise<ProductSchema> {
    let schema = this.schemas.get(productKey);
    if (!schema) {
      schema = this.client.call('devices.datapoint', { product_key: productKey }).then(toProductSchema);
      schema.catch(() => this.schemas.delete(productKey));
      this.schemas.set(productKey, schema);
    }
    return schema;
  }
}
