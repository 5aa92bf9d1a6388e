// The Gizwits client: no Node-RED import here, so it can serve any Node.js program.
export * from './client';
export * from './endpoints';
export * from './errors';
export * from './regions';
export * from './retry';
export * from './session';
export * from './signing';
export * from './pipeline';
export type * from './types';
export * from './datapoints';
export * from './device-socket';
export * from './socket-frames';
export * from './binding-check';
export * from './registry';
export * from './rules';
export * from './schedules';
export * from './login-gate';
export * from './budget';
