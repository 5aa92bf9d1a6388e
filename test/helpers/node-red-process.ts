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
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: 0,
    flowFile: 'flows.json',
    credentialSecret: false,
    nodesDir: [options.packageDir ?? ROOT],
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false },
    ...options.settings,
  };
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify(settings, null, 2)};\n`,
  );
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows, null, 2));
  if (options.credentials)
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials, null, 2));

  const red = options.platform
    ? path.join(options.platform.nodeRedDir, 'red.js')
    : require.resolve('node-red/red.js');
  const extraEnv = { ...options.env, NODE_RED_ENABLE_PROJECTS: 'false' };
  const child: ChildProcess = spawn(
    options.platform?.node ?? process.execPath,
    [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      env: options.platform ? platformEnv(options.platform, extraEnv) : { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  while (!/Started flows|流程已启动/.test(output) || !listeningUrl(output)) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Node-RED did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: listeningUrl(output)!,
    userDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      fs.rmSync(userDir, { recursive: true, force: true });
      return code;
    },
  };
}
