// The package as users get it: `npm pack`, installed into a fresh Node-RED user directory, run by a real
// Node-RED 4 process next to the simulated cloud. Made once per test run and shared by the end-to-end
// suites (registration, examples, browser); a root hook stops both processes even when tests fail.
//
// Installing the tarball's own dependencies uses npm's cache first (`--prefer-offline`): CI's `npm ci`
// has just filled it with the same versions, so nothing is fetched there; on a machine whose cache lacks
// one, npm falls back to the registry. Node-RED itself comes from the repository's devDependencies.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator';
import { simAccount } from '../helpers/flows';
import { freePort, spawnNodeRed } from '../helpers/node-red-process';
import { redSettings, writeUserDir } from '../helpers/red-settings';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = '@gizwits-community/node-red-gizwits';
export const SIM_ACCOUNT_ID = 'gizwits-sim-account';

export interface PackedEnvironment {
  sim: Simulator;
  /** http://127.0.0.1:<port> of Node-RED's editor and admin API. */
  url: string;
  userDir: string;
  /** Where the packed package is installed (node_modules/@gizwits-community/node-red-gizwits). */
  packageDir: string;
  output(): string;
  /** Replaces every flow (a full deploy); the simulator account gets the demo credentials. */
  deploy(flows: Array<Record<string, unknown>>): Promise<void>;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` of the built repository into a fresh directory, installed into a fresh user directory. */
function packAndInstall(): { userDir: string; packageDir: string; tarball: string } {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before the end-to-end tests');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-e2e-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT)) as Array<{
    filename: string;
  }>;
  const tarball = path.join(work, path.basename(packed[0].filename));
  const userDir = path.join(work, 'userdir');
  fs.mkdirSync(userDir);
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, description: 'e2e user directory' }),
  );
  npm(
    [
      'install',
      tarball,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    userDir,
  );
  return { userDir, packageDir: path.join(userDir, 'node_modules', PACKAGE_NAME), tarball };
}

/** The simulator account of the examples, pointed at this run's simulator, with the demo credentials. */
export function simAccountFlowNode(sim: Simulator): Record<string, unknown> {
  const account = simAccount(sim, { id: SIM_ACCOUNT_ID, name: 'Simulated cloud' });
  return { ...account.node, credentials: account.credentials[SIM_ACCOUNT_ID] };
}

let starting: Promise<PackedEnvironment> | undefined;
let child: ChildProcess | undefined;
let simulator: Simulator | undefined;
let workDir: string | undefined;

async function start(): Promise<PackedEnvironment> {
  const { userDir, packageDir } = packAndInstall();
  workDir = path.dirname(userDir);
  simulator = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const sim = simulator;
  const port = await freePort();
  const settings = redSettings({
    uiPort: port,
    debugMaxLength: 100_000,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    telemetry: { enabled: false },
    externalModules: { palette: { allowInstall: false } },
  });
  writeUserDir(userDir, settings);
  const red = spawnNodeRed(userDir);
  child = red.child;
  const output = red.output;
  const url = `http://127.0.0.1:${port}`;
  await red.started(/Started flows|Server now running/, 60_000, () => reachable(url));
  return {
    sim,
    url,
    userDir,
    packageDir,
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

/** The shared environment, started on first use (pack, install, simulator, Node-RED). */
export function packedNodeRed(): Promise<PackedEnvironment> {
  starting ??= start();
  return starting;
}

async function stopAll(): Promise<void> {
  const running = child;
  child = undefined;
  if (running && running.exitCode === null) {
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGINT');
    const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await simulator?.close();
  simulator = undefined;
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
  if (child && child.exitCode === null) child.kill('SIGKILL');
});
