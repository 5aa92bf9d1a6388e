// The websocket's `s2c_raw` of a data-point product carries the same frame as the LAN (docs/websocket.md,
// docs/lan.md §1): a `0091` whose P0 is the device's status. Decoded with the product's P0 layout, a
// `raw` event also carries the data points. Anything that is not such a frame is left as bytes only.
import type { SchemaCache } from '../schema-cache';
import type { DeviceInfo } from '../registry/types';
import { LAN_CMD, readDatagram } from './frame';
import { readDeviceP0, type P0Value } from './p0';
import { p0Layout, type P0Layout } from './p0-layout';

/** Layouts by the cloud's answer object: computed once per product, null where the product has none. */
const layouts = new WeakMap<object, P0Layout | null>();

function layoutOf(answer: unknown): P0Layout | undefined {
  if (!answer || typeof answer !== 'object') return undefined;
  let layout = layouts.get(answer);
  if (layout === undefined) {
    try {
      layout = p0Layout(answer as never);
    } catch {
      layout = null;
    }
    layouts.set(answer, layout);
  }
  return layout ?? undefined;
}

/** The data points of a raw frame from the device, or undefined when it holds no status. */
export function decodeRawStatus(layout: P0Layout, raw: number[]): Record<string, P0Value> | undefined {
  const frame = readDatagram(Uint8Array.from(raw));
  if (!frame || frame.cmd !== LAN_CMD.receive) return undefined;
  const read = readDeviceP0(layout, frame.payload);
  return read.type === 'status' ? read.values : undefined;
}

export interface RawEvent {
  did: string;
  raw: number[];
  device?: DeviceInfo;
  /** The data points the frame carries, for data-point products. */
  datapoints?: Record<string, P0Value>;
}

/** The registry's `raw` event: the bytes, the device, and the decoded data points where there are any. */
export async function rawEvent(
  event: { did: string; raw: number[] },
  device: DeviceInfo | undefined,
  schemas: Pick<SchemaCache, 'answer'>,
): Promise<RawEvent> {
  if (!device) return { ...event, device };
  const answer = await schemas.answer(device.productKey).catch(() => undefined);
  const layout = layoutOf(answer);
  const datapoints = layout && decodeRawStatus(layout, event.raw);
  return datapoints ? { ...event, device, datapoints } : { ...event, device };
}
