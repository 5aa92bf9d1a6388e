// A real headless Node-RED process (node-red/red.js) with this package loaded from the repository's
// built dist/ (or from another folder, such as the packed package installed for a platform), for checks
// that need the whole runtime: admin API, credentials files, env substitution. It runs on the host's
// Node and Node-RED 4 unless given a platform of the matrix.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { platformEnv, type Platform } from './platforms';
import { redSettings, writeUserDir } from './red-settings';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A port nothing listened on a moment ago. Only for a port that must be named before anything listens
 * (a config, an address that must refuse): whatever binds it should bind port 0 instead and say where.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const RUNTIME_LOCALES = path.join(
  path.dirname(
    require.resolve('@node-red/runtime/package.json', {
      paths: [path.dirname(require.resolve('node-red/package.json'))],
    }),
  ),
  'locales',
);

/** Node-RED's "Server now running at <address>" line, in each of its languages. */
const NOW_RUNNING: RegExp[] = fs.readdirSync(RUNTIME_LOCALES).flatMap((locale) => {
  const file = path.join(RUNTIME_LOCALES, locale, 'runtime.json');
  if (!fs.existsSync(file)) return [];
  const text = (JSON.parse(fs.readFileSync(file, 'utf8')) as { server?: Record<string, string> }).server?.[
    'now-running'
  ];
  if (!text?.includes('__listenpath__')) return [];
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [before, after] = text.split('__listenpath__');
  return [new RegExp(`${escape(before)}(https?://[^/\\s]+)\\S*?${escape(after)}`)];
});

/**
 * Where a Node-RED started with `uiPort: 0` listens, read from its log once it says so: the port is
 * the one the server bound, never one picked beforehand that another process could take meanwhile.
 */
export function listeningUrl(output: string): string | undefined {
  for (const pattern of NOW_RUNNING) {
    const found = pattern.exec(output);
    if (found) return found[1];
  }
  return undefined;
}

export interface NodeRedProcess {
  url: string;
  userDir: string;
  output(): string;
  stop(): Promise<number | null>;
  /** Ends it with SIGKILL, as a crash or the OOM killer would: no close handler runs. */
  kill(): Promise<void>;
}

export interface StartOptions {
  flows: unknown[];
  /** Written as a plain-text flows_cred.json (credentialSecret: false), as headless deployments do. */
  credentials?: Record<string, Record<string, string>>;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** The Node and Node-RED to run (test/helpers/platforms.ts); the host's Node and Node-RED 4 if absent. */
  platform?: Platform;
  /** Where Node-RED finds this package: the repository (dist/) if absent. */
  packageDir?: string;
}

export async function startNodeRed(options: StartOptions): Promise<NodeRedProcess> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-nr-'));
  const settings = redSettings({
    uiPort: 0,
    nodesDir: [options.packageDir ?? ROOT],
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  });
  writeUserDir(userDir, settings, options.flows, options.credentials);
  const red = spawnNodeRed(userDir, options.env, options.platform);
  try {
    await red.started(
      /Started flows|流程已启动/,
      30_000,
      async () => listeningUrl(red.output()) !== undefined,
    );
  } catch (error) {
    red.child.kill('SIGKILL');
    throw error;
  }
  return {
    url: listeningUrl(red.output())!,
    userDir,
    output: red.output,
    async stop() {
      const code = await red.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
      return code;
    },
    async kill() {
      if (red.child.exitCode === null && red.child.signalCode === null) {
        const exited = new Promise((resolve) => red.child.once('exit', resolve));
        red.child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the platform's node-red/red.js (the host's Node and Node-RED 4 if no platform is given) on the
 * settings.js and flows of `userDir` (see writeUserDir), its output kept. `started` waits until the
 * output matches (and `ready()`, when given, holds); `stop` ends it with SIGINT, then SIGKILL after 15 s.
 * Settings with `uiPort: 0` make it bind a port of its own: read where with listeningUrl(output).
 */
export function spawnNodeRed(userDir: string, env: Record<string, string> = {}, platform?: Platform) {
  const red = platform ? path.join(platform.nodeRedDir, 'red.js') : require.resolve('node-red/red.js');
  const extraEnv = { ...env, NODE_RED_ENABLE_PROJECTS: 'false' };
  const child: ChildProcess = spawn(
    platform?.node ?? process.execPath,
    [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      env: platform ? platformEnv(platform, extraEnv) : { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async started(pattern: RegExp, ms: number, ready: () => Promise<boolean> = async () => true) {
      const deadline = Date.now() + ms;
      while (!pattern.test(output) || !(await ready())) {
        if (child.exitCode !== null) throw new Error(`Node-RED exited early:\n${output}`);
        if (Date.now() > deadline)
          throw new Error(`Node-RED did not start within ${ms / 1000} s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
