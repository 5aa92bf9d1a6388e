// Home Assistant MQTT discovery, device-based: one retained config per device that names the device
// (`dev`), this package (`o`), the availability of the bridge and of the device together, and one
// component per data point. Field names and rules are Home Assistant's (docs/mqtt.md, Home Assistant
// discovery, which cites its documentation).
import fs from 'node:fs';
import path from 'node:path';
import type { Datapoint, ProductSchema } from '../client/datapoints';
import type { DeviceInfo } from '../client/registry';
import type { BridgeTopics } from './topics';

/** A Home Assistant sensor's state is at most 255 characters: longer binary points are left out. */
export const HEX_SENSOR_MAX_BYTES = 127;

export interface Origin {
  name: string;
  sw: string;
  url?: string;
}

/** This package, as the origin of the configs it publishes. */
export function packageOrigin(): Origin {
  try {
    const file = path.join(__dirname, '..', '..', 'package.json');
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      name: string;
      version: string;
      homepage?: string;
    };
    return { name: pkg.name, sw: pkg.version, url: pkg.homepage };
  } catch {
    return { name: 'node-red-gizwits', sw: '0' };
  }
}

type Component = Record<string, unknown>;

/**
 * `{{ value_json['<name>'] }}`: the subscript form reads any name, even one Jinja takes for a keyword
 * (`in`, `not`) or one that starts with a digit; names are letters, digits and underscores (checked below).
 */
const valueOf = (name: string) => `{{ value_json['${name}'] }}`;
const onOff = (name: string) => `{{ 'ON' if value_json['${name}'] else 'OFF' }}`;
const commandJson = (name: string) => `{"${name}": {{ value | tojson }}}`;

/** The component of one data point, or undefined when it is left out. */
export function componentOf(point: Datapoint, did: string, topics: BridgeTopics): Component | undefined {
  if (!/^[A-Za-z0-9_]{1,128}$/.test(point.name)) return undefined;
  const base: Component = {
    name: point.displayName || point.name,
    unique_id: `gizwits_${did}_${point.name}`,
  };
  const set = topics.set(did);
  if (point.kind === 'alert' || point.kind === 'fault')
    return { p: 'binary_sensor', ...base, device_class: 'problem', value_template: onOff(point.name) };
  const writable = point.kind === 'writable';
  switch (point.dataType) {
    case 'bool':
      return writable
        ? {
            p: 'switch',
            ...base,
            command_topic: set,
            payload_on: JSON.stringify({ [point.name]: true }),
            payload_off: JSON.stringify({ [point.name]: false }),
            state_on: 'ON',
            state_off: 'OFF',
            value_template: onOff(point.name),
          }
        : { p: 'binary_sensor', ...base, value_template: onOff(point.name) };
    case 'enum': {
      const options = point.labels ?? [];
      if (options.length === 0) return undefined;
      return writable
        ? {
            p: 'select',
            ...base,
            options,
            command_topic: set,
            command_template: commandJson(point.name),
            value_template: valueOf(point.name),
          }
        : { p: 'sensor', ...base, device_class: 'enum', options, value_template: valueOf(point.name) };
    }
    case 'binary':
      if ((point.bytes ?? Infinity) > HEX_SENSOR_MAX_BYTES) return undefined;
      return { p: 'sensor', ...base, entity_category: 'diagnostic', value_template: valueOf(point.name) };
    default: {
      if (!/^uint(8|16|32)$/.test(point.dataType)) return undefined;
      if (!writable) return { p: 'sensor', ...base, value_template: valueOf(point.name) };
      return {
        p: 'number',
        ...base,
        min: point.min ?? 0,
        max: point.max ?? 100,
        step: point.step ?? 1,
        mode: 'box',
        command_topic: set,
        command_template: commandJson(point.name),
        value_template: valueOf(point.name),
      };
    }
  }
}

/** "accf23a10001" as "ac:cf:23:a1:00:01" (Home Assistant's form of a MAC connection). */
function macConnection(mac: string): Array<[string, string]> {
  if (!/^[0-9a-fA-F]{12}$/.test(mac)) return [];
  return [['mac', mac.toLowerCase().match(/../g)!.join(':')]];
}

/** The retained discovery config of one device. */
export function discoveryConfig(
  device: DeviceInfo,
  schema: ProductSchema,
  topics: BridgeTopics,
  origin: Origin,
): Record<string, unknown> {
  const cmps: Record<string, Component> = {};
  for (const point of schema.datapoints.values()) {
    const component = componentOf(point, device.did, topics);
    if (component) cmps[point.name] = component;
  }
  const dev: Record<string, unknown> = {
    ids: [`gizwits_${device.did}`],
    name: device.alias || device.remark || device.did,
    mf: 'Gizwits',
    mdl: schema.name,
    mdl_id: device.productKey,
    sn: device.did,
  };
  const connections = macConnection(device.mac);
  if (connections.length) dev.cns = connections;
  return {
    dev,
    o: origin,
    avty: [{ topic: topics.bridgeStatus }, { topic: topics.availability(device.did) }],
    avty_mode: 'all',
    stat_t: topics.state(device.did),
    qos: 1,
    cmps,
  };
}

/** The state JSON of a device: binary data points as hex text, the form commands take them in too. */
export function stateJson(attrs: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs))
    out[name] =
      Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
        ? Buffer.from(value as number[]).toString('hex')
        : value;
  return JSON.stringify(out);
}
