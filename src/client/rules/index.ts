// Linkage rules as a declared set: parsed (parse.ts), checked against the account's devices (check.ts),
// and planned against the cloud's set (plan.ts). Pure: no calls here.
export { RULE_EVENTS, RULE_OPERATORS } from './problem';
export * from './parse';
export * from './check';
export * from './plan';
