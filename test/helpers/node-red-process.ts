// A real headless Node-RED process (node-red/red.js) with this package loaded from the repository's
// built dist/, for checks that need the whole runtime: admin API, credentials files, env substitution.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { redSettings, writeUserDir } from './red-settings';

const ROOT = path.resolve(__dirname, '..', '..');

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

export interface NodeRedProcess {
  url: string;
  userDir: string;
  output(): string;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  flows: unknown[];
  /** Written as a plain-text flows_cred.json (credentialSecret: false), as headless deployments do. */
  credentials?: Record<string, Record<string, string>>;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
}

export async function startNodeRed(options: StartOptions): Promise<NodeRedProcess> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-nr-'));
  const port = await freePort();
  const settings = redSettings({
    uiPort: port,
    nodesDir: [ROOT],
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  });
  writeUserDir(userDir, settings, options.flows, options.credentials);
  const red = spawnNodeRed(userDir, options.env);
  try {
    await red.started(/Started flows|流程已启动/, 30_000);
  } catch (error) {
    red.child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    userDir,
    output: red.output,
    async stop() {
      const code = await red.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Runs node-red/red.js on the settings.js and flows of `userDir` (see writeUserDir), its output kept.
 * `started` waits until the output matches (and `ready()`, when given, holds); `stop` ends it with
 * SIGINT, then SIGKILL after 15 s.
 */
export function spawnNodeRed(userDir: string, env: Record<string, string> = {}) {
  const red = require.resolve('node-red/red.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      env: { ...process.env, ...env, NODE_RED_ENABLE_PROJECTS: 'false' },
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
