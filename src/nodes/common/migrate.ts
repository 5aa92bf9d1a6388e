// Versioned configuration: every node saves `configVersion`; older saved flows are brought up to date
// here, one step per version, so that a release can change a node's configuration without breaking flows.

/** The configuration version this release writes for node types without later steps. */
export const CONFIG_VERSION = 1;

type Config = { configVersion?: unknown };
type Step = (config: Record<string, unknown>) => Record<string, unknown>;

/**
 * Steps by node type: `steps[type][n]` turns version n into n + 1. Version 0 is a configuration saved
 * without a version (hand-written or imported flows): it gains the defaults of version 1. A type with
 * more steps than CONFIG_VERSION is at a later version of its own.
 */
const STEPS: Record<string, Step[]> = {
  // 2: local LAN control (docs/lan.md), off unless turned on.
  'gizwits-account': [
    (c) => ({ region: 'cn', authMode: 'password', secure: true, ...c }),
    (c) => ({ lan: 'off', lanTargets: '', ...c }),
  ],
  'gizwits-api': [(c) => ({ allPages: false, ...c })],
  // 2: repeating tasks follow daylight saving unless turned off.
  'gizwits-scheduler': [(c) => c, (c) => ({ followDst: true, ...c })],
};

/** The version a node type's configuration is saved at by this release. */
export function configVersionFor(type: string): number {
  return Math.max(CONFIG_VERSION, STEPS[type]?.length ?? 0);
}

export function configVersionOf(config: Config): number {
  const v = Number(config.configVersion);
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** Returns the configuration at the current version (a new object; the input is not changed). */
export function migrateConfig<T extends object>(type: string, config: T): T & { configVersion: number } {
  let current = { ...config } as Record<string, unknown>;
  const steps = STEPS[type] ?? [];
  const target = configVersionFor(type);
  for (let version = configVersionOf(current); version < target; version++) {
    const step = steps[version];
    if (step) current = step(current);
  }
  if (configVersionOf(current) > target) return current as T & { configVersion: number };
  current.configVersion = target;
  return current as T & { configVersion: number };
}
