// Each product's data points (`GET /app/datapoint`), fetched once per product by whoever asks first and
// shared by every later caller: the device registry and the editor's pick-lists both read them.
import type { GizwitsClient } from './client';
import { toProductSchema, type ProductSchema } from './datapoints';

export class SchemaCache {
  private readonly answers = new Map<string, Promise<{ answer: unknown; schema: ProductSchema }>>();

  constructor(private readonly client: Pick<GizwitsClient, 'call'>) {}

  /** The product's data points; a failed fetch is forgotten, so that the next caller asks again. */
  async get(productKey: string): Promise<ProductSchema> {
    return (await this.fetch(productKey)).schema;
  }

  /** The cloud's answer itself, for what needs more than the schema (the LAN's P0 positions). */
  async answer(productKey: string): Promise<unknown> {
    return (await this.fetch(productKey)).answer;
  }

  private fetch(productKey: string): Promise<{ answer: unknown; schema: ProductSchema }> {
    let fetched = this.answers.get(productKey);
    if (!fetched) {
      fetched = this.client
        .call('devices.datapoint', { product_key: productKey })
        .then((answer) => ({ answer, schema: toProductSchema(answer) }));
      fetched.catch(() => this.answers.delete(productKey));
      this.answers.set(productKey, fetched);
    }
    return fetched;
  }
}
