// The device registry: DeviceRegistry (device-registry.ts) and what it hands out (types.ts).
export * from './types';
export { DeviceRegistry } from './device-registry';
