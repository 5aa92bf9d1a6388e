// Linkage rules as a declared set: parsed (parse.ts), checked against the account's devices (check.ts),
// planned against the cloud's set (plan.ts), all pure; and the sync service that calls the cloud (sync.ts).
export { RULE_EVENTS, RULE_OPERATORS } from './problem';
export * from './parse';
export * from './check';
export * from './plan';
export * from './sync';
