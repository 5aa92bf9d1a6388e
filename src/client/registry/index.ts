// The device registry: DeviceRegistry (device-registry.ts) and what it hands out (types.ts).
export * from './types';
export { DeviceRegistry } from './device-registry';
export { copyDevice } from './bindings';
export type { LanMode, LanPoolOptions } from './lan-pool';
export type { Via } from './report-origins';
