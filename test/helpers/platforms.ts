// The platform matrix the end-to-end tests run on: the host's Node with the Node-RED 4.1 of the
// devDependencies, and Node 22 and Node 24 with a real Node-RED 5 from the platform cache
// (scripts/platforms.js, installed there on first use or by .ci/run). GIZWITS_PLATFORMS=host,node22
// narrows a run by hand; the suite runs them all.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export type PlatformId = 'host' | 'node22' | 'node24';

export interface Platform {
  id: PlatformId;
  /** e.g. "Node 22.23.5 · Node-RED 5.0.7" */
  label: string;
  /** The Node binary that runs Node-RED (and npm, for installs into its user directories). */
  node: string;
  /** The Node-RED package directory (holds red.js). */
  nodeRedDir: string;
  nodeVersion: string;
  nodeRedVersion: string;
}

interface CachedPlatform {
  node: string;
  nodeRedDir: string;
  nodeVersion: string;
  nodeRedVersion: string;
}

const platforms = require('../../scripts/platforms') as {
  STEP_TIMEOUT_MS: number;
  ensurePlatform(name: string): Promise<CachedPlatform>;
};

/** How long a test may wait for a platform that is not installed yet (two npm installs). */
export const PLATFORM_PREPARE_MS = 2 * platforms.STEP_TIMEOUT_MS + 30_000;

const ALL: PlatformId[] = ['host', 'node22', 'node24'];

/** The platforms this run covers, in order. */
export const MATRIX: PlatformId[] = (() => {
  const asked = process.env.GIZWITS_PLATFORMS?.split(',').map((s) => s.trim());
  if (!asked?.length || asked[0] === '') return ALL;
  const unknown = asked.filter((id) => !ALL.includes(id as PlatformId));
  if (unknown.length) throw new Error(`GIZWITS_PLATFORMS: unknown ${unknown.join(', ')} (known: ${ALL})`);
  return ALL.filter((id) => asked.includes(id));
})();

/** What a platform is called before it is installed (titles of the test suites). */
export const PLATFORM_TITLES: Record<PlatformId, string> = {
  host: `Node ${process.versions.node.split('.')[0]} · Node-RED 4`,
  node22: 'Node 22 · Node-RED 5',
  node24: 'Node 24 · Node-RED 5',
};

const resolved = new Map<PlatformId, Promise<Platform>>();

async function resolve(id: PlatformId): Promise<Platform> {
  if (id === 'host') {
    const nodeRedDir = path.dirname(require.resolve('node-red/package.json'));
    const nodeRedVersion: string = require('node-red/package.json').version;
    return {
      id,
      label: `Node ${process.versions.node} · Node-RED ${nodeRedVersion}`,
      node: process.execPath,
      nodeRedDir,
      nodeVersion: process.versions.node,
      nodeRedVersion,
    };
  }
  const cached = await platforms.ensurePlatform(id);
  return { id, label: `Node ${cached.nodeVersion} · Node-RED ${cached.nodeRedVersion}`, ...cached };
}

/** The platform, installed into the cache on first use (allow PLATFORM_PREPARE_MS for that). */
export function platform(id: PlatformId): Promise<Platform> {
  if (!resolved.has(id)) {
    const started = resolve(id);
    resolved.set(id, started);
    started.catch(() => resolved.delete(id));
  }
  return resolved.get(id)!;
}

/** The environment for a child process run by the platform's Node: its npm and node come first. */
export function platformEnv(p: Platform, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const PATH = `${path.dirname(p.node)}${path.delimiter}${process.env.PATH ?? ''}`;
  return { ...process.env, ...extra, PATH };
}

/** The version the platform's Node binary reports when run (proves the binary is the one in use). */
export function runningVersion(p: Platform): string {
  return execFileSync(p.node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
}
