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
