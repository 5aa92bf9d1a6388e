// The simulated cloud of a soak part: the real simulator on 127.0.0.1 (port 0), plus a user of the
// soak's own whose devices (dids from the seed) the part changes and checks, and the account node that
// signs in as that user.
import { SIM_APP_ID, SIM_PRODUCTS, startSimulator, type Simulator } from '../../src/simulator';
import { shownValue, type StoredValue } from '../../src/simulator/model/datapoint-values';
import type { DataPointDefinition, ProductDefinition } from '../../src/simulator/model/product-types';
import { simAccount } from '../../test/helpers/flows';
import type { Json } from './node-red';
import type { Random } from './random';

export interface SoakCloud {
  sim: Simulator;
  username: string;
  password: string;
  dids: string[];
}

const PRODUCTS: ProductDefinition[] = [SIM_PRODUCTS.plug, SIM_PRODUCTS.rgbLamp, SIM_PRODUCTS.airConditioner];

/**
 * A simulator without drift (the part decides when devices change) and a user with `devices` devices of
 * every product, the last `sandbox` of them on the sandbox websocket host, so that the account keeps two
 * sockets.
 */
export async function startCloud(random: Random, devices: number, sandbox = 0): Promise<SoakCloud> {
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const username = `soak${random.int(1000, 9999)}`;
  const password = `Soak-Pass-${random.word(8)}`;
  const user = sim.model.accounts.addUser({ username, password, email: `${username}@example.com` });
  const dids: string[] = [];
  for (let i = 0; i < devices; i++) {
    const product = PRODUCTS[i % PRODUCTS.length];
    const did = `Soak${random.word(18)}`;
    sim.model.addDevice({
      did,
      productKey: product.product_key,
      mac: `5a0a${(i + 1).toString(16).padStart(8, '0')}`,
      passcode: random.word(10).toUpperCase(),
      online: true,
      sandbox: i >= devices - sandbox,
    });
    sim.model.bind(user.uid, did, 'owner', { dev_alias: `soak ${product.name} ${i + 1}` });
    dids.push(did);
  }
  return { sim, username, password, dids };
}

/** A gizwits-account node for the cloud's soak user (its flow entry and credentials entry). */
export function accountNode(
  cloud: SoakCloud,
  id = 'account',
  overrides: { appId?: string; password?: string } = {},
): { node: Json; credentials: Json } {
  return simAccount(cloud.sim, {
    id,
    name: `soak ${id}`,
    appId: overrides.appId ?? SIM_APP_ID,
    user: { username: cloud.username, password: overrides.password ?? cloud.password },
  });
}

function product(cloud: SoakCloud, did: string): ProductDefinition {
  const device = cloud.sim.model.devices.get(did);
  if (!device) throw new Error(`no device ${did}`);
  return device.product;
}

function randomStored(point: DataPointDefinition, random: Random): StoredValue {
  switch (point.data_type) {
    case 'bool':
      return random.chance(0.5);
    case 'enum':
      return random.int(0, (point.enum?.length ?? 1) - 1);
    case 'binary':
      return Buffer.from(Array.from({ length: point.binaryLength ?? 0 }, () => random.int(0, 255)));
    default: {
      const spec = point.uint_spec ?? { min: 0, max: 0, ratio: 1, addition: 0 };
      return shownValue(point, random.int(spec.min, Math.min(spec.max, spec.min + 100_000)));
    }
  }
}

/** The device reports 1 to 3 of its data points with new random values, as if it had measured them. */
export function changeDevice(cloud: SoakCloud, did: string, random: Random): void {
  const points = product(cloud, did).attrs;
  const values = new Map<string, StoredValue>();
  const count = random.int(1, 3);
  for (let i = 0; i < count; i++) {
    const point = random.pick(points);
    values.set(point.name, randomStored(point, random));
  }
  cloud.sim.model.reportFromDevice(did, values);
}

/** Valid values for a write through gizwits-device-control: 1 or 2 writable points, enums by label. */
export function writeValues(cloud: SoakCloud, did: string, random: Random): Json {
  const writable = product(cloud, did).attrs.filter(
    (point) => point.kind === 'writable' && point.data_type !== 'binary',
  );
  const values: Json = {};
  for (let i = random.int(1, 2); i > 0; i--) {
    const point = random.pick(writable);
    const stored = randomStored(point, random);
    values[point.name] = point.data_type === 'enum' ? point.enum![stored as number] : stored;
  }
  return values;
}

/** The device's data points as its websocket reports them: what gizwits-device-in's payload should be. */
export function cloudState(cloud: SoakCloud, did: string): Json {
  const device = cloud.sim.model.devices.get(did);
  if (!device) throw new Error(`no device ${did}`);
  return device.socketSnapshot();
}

/** JSON with sorted keys, to compare states whatever the order of their data points. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Json).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );
}
