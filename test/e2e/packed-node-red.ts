// The package as users get it: `npm pack`, installed into a fresh Node-RED user directory, run by a real
// Node-RED process next to the simulated cloud, on each platform of the matrix (test/helpers/platforms.ts):
// the host's Node with Node-RED 4, Node 22 and Node 24 with Node-RED 5. The tarball is packed once per
// test run; each platform gets its own user directory, installed by npm running under that platform's
// Node, and its own Node-RED and simulator, started on first use and shared by the end-to-end suites
// (registration, examples, browser, headless); a root hook stops them all even when tests fail.
//
// Installing the tarball's own dependencies uses npm's cache first (`--prefer-offline`): CI's `npm ci`
// has just filled it with the same versions, so nothing is fetched there; on a machine whose cache lacks
// one, npm falls back to the registry.
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator';
import { simAccount } from '../helpers/flows';
import { listeningUrl, spawnNodeRed } from '../helpers/node-red-process';
import { platform, platformEnv, type Platform, type PlatformId } from '../helpers/platforms';
import { redSettings, writeUserDir } from '../helpers/red-settings';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = '@gizwits-community/node-red-gizwits';
export const SIM_ACCOUNT_ID = 'gizwits-sim-account';

/** The packed package installed into a user directory, by the platform's npm. */
export interface PackedInstall {
  platform: Platform;
  userDir: string;
  /** Where the packed package is installed (node_modules/@gizwits-community/node-red-gizwits). */
  packageDir: string;
  /** What `npm install <tarball>` printed (warnings included). */
  installLog: string;
}

export interface PackedEnvironment extends PackedInstall {
  sim: Simulator;
  /** http://127.0.0.1:<port> of Node-RED's editor and admin API. */
  url: string;
  output(): string;
  /** Replaces every flow (a full deploy); the simulator account gets the demo credentials. */
  deploy(flows: Array<Record<string, unknown>>): Promise<void>;
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      args,
      { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`npm ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

let workDir: string | undefined;
let packing: Promise<string> | undefined;

/** `npm pack` of the built repository, once per test run; resolves with the tarball's path. */
function tarball(): Promise<string> {
  packing ??= (async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before the end-to-end tests');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-e2e-'));
    const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir], ROOT)) as Array<{
      filename: string;
    }>;
    return path.join(workDir, path.basename(packed[0].filename));
  })();
  return packing;
}

const installs = new Map<PlatformId, Promise<PackedInstall>>();

/** The shared tarball installed into a fresh user directory of the platform, once per platform. */
export function packedInstall(id: PlatformId = 'host'): Promise<PackedInstall> {
  let started = installs.get(id);
  if (!started) {
    started = (async () => {
      const [file, p] = await Promise.all([tarball(), platform(id)]);
      const userDir = path.join(path.dirname(file), `userdir-${id}`);
      fs.mkdirSync(userDir);
      fs.writeFileSync(
        path.join(userDir, 'package.json'),
        JSON.stringify({ name: 'node-red-project', private: true, description: 'e2e user directory' }),
      );
      const installLog = await npm(
        [
          'install',
          file,
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--no-update-notifier',
          '--ignore-scripts',
          '--loglevel=warn',
        ],
        userDir,
        platformEnv(p),
      );
      return {
        platform: p,
        userDir,
        packageDir: path.join(userDir, 'node_modules', PACKAGE_NAME),
        installLog,
      };
    })();
    installs.set(id, started);
  }
  return started;
}

/** The simulator account of the examples, pointed at this run's simulator, with the demo credentials. */
export function simAccountFlowNode(sim: Simulator): Record<string, unknown> {
  const account = simAccount(sim, { id: SIM_ACCOUNT_ID, name: 'Simulated cloud' });
  return { ...account.node, credentials: account.credentials[SIM_ACCOUNT_ID] };
}

interface Running {
  child: ChildProcess;
  sim: Simulator;
}

const environments = new Map<PlatformId, Promise<PackedEnvironment>>();
const running = new Set<Running>();

async function start(id: PlatformId): Promise<PackedEnvironment> {
  const install = await packedInstall(id);
  const { userDir, platform: p } = install;
  // The devices speak LAN too (docs/lan.md), on loopback ports of their own: unused unless an account
  // names the discovery port in its targets, as test/e2e/lan-editor.test.ts does.
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0, lan: { tcpPort: 0, udpPort: 0 } });
  const settings = redSettings({
    uiPort: 0,
    debugMaxLength: 100_000,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    // As `npm start` has it: nothing outside 127.0.0.1 (no palette catalogue).
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    telemetry: { enabled: false },
    externalModules: { palette: { allowInstall: false } },
  });
  writeUserDir(userDir, settings);
  const red = spawnNodeRed(userDir, {}, p);
  running.add({ child: red.child, sim });
  const output = red.output;
  // Started once the log says where it listens (it binds port 0) and the admin API answers there.
  const listening = async () => {
    const at = listeningUrl(output());
    return at !== undefined && (await reachable(at));
  };
  try {
    await red.started(/(?:)/, 60_000, listening);
  } catch (error) {
    throw new Error(`Node-RED (${p.label}): ${(error as Error).message}`);
  }
  const url = listeningUrl(output())!;
  return {
    ...install,
    sim,
    url,
    output,
    async deploy(flows) {
      // The answer comes before the new flows have started; the log says when they have.
      const started = () => output().split('Started flows').length;
      const before = started();
      const answer = await fetch(`${url}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flows),
      });
      if (answer.status !== 204 && answer.status !== 200)
        throw new Error(`deploy failed: ${answer.status} ${await answer.text()}`);
      const deadline = Date.now() + 20_000;
      while (started() === before) {
        if (Date.now() > deadline) throw new Error(`the deployed flows did not start:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/settings`)).ok;
  } catch {
    return false;
  }
}

/**
 * The shared environment of a platform (the host's by default), started on first use: pack, install,
 * simulator, Node-RED. A platform not in the cache yet is installed first (see PLATFORM_PREPARE_MS).
 */
export function packedNodeRed(id: PlatformId = 'host'): Promise<PackedEnvironment> {
  let started = environments.get(id);
  if (!started) {
    started = start(id);
    environments.set(id, started);
  }
  return started;
}

async function stop({ child, sim }: Running): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await sim.close();
}

async function stopAll(): Promise<void> {
  const all = [...running];
  running.clear();
  environments.clear();
  installs.clear();
  await Promise.all(all.map(stop));
  packing = undefined;
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

// Root-level hook (this module is loaded while mocha reads the test files): runs after every suite,
// whether they passed or not. The exit handler covers a run that is interrupted.
after(async function () {
  this.timeout(30_000);
  await stopAll();
});
process.once('exit', () => {
  for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
});
