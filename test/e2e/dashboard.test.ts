// The dashboard example (examples/gizwits-dashboard.json) as `npm start` serves it, in Debian's Chromium:
// the page shows the simulated devices' live values, and a switch on it writes to the device. Also: an
// unreachable npm registry is an error on the console, and the demo starts without the dashboard.
// The dashboard comes from the npm registry once into ~/.cache/node-red-gizwits/dashboard/<minor>
// (scripts/dashboard.js; .ci/run fills it ahead), which every run then links into its user directory.
// Host platform only: the example's flow is the same on every Node-RED, the browser test covers those.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SIM_DEVICES } from '../../src/simulator';
import { DASHBOARD_PREPARE_MS, dashboardCache } from '../helpers/dashboard';
import { freePort } from '../helpers/node-red-process';
import { ROOT } from './packed-node-red';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'dashboard');

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** scripts/start.js in its own process group, once it has printed what to try (or failed). */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js'), '--no-build'], {
    cwd: ROOT,
    env: { ...process.env, GIZWITS_ONLINE_CYCLE_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`npm start did not come up within 90 s:\n${output}`));
    }, 90_000);
    const seen = (chunk: Buffer) => {
      output += chunk;
      if (/What to try/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited early:\n${output}`));
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function stop(run: Started): Promise<void> {
  process.kill(run.child.pid!, 'SIGTERM');
  assert.equal(await run.exited, 0, run.output());
}

/** Resolves once `check` holds; polls the simulator, which has no events to wait on from here. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the dashboard example under npm start', function () {
  this.timeout(120_000);
  const cleanup: Array<() => void> = [];
  let cache: string;

  before(async function () {
    this.timeout(DASHBOARD_PREPARE_MS);
    cache = await dashboardCache();
  });

  after(() => {
    for (const clean of cleanup.reverse()) clean();
  });

  async function environment(): Promise<{ env: Record<string, string>; editor: string; sim: string }> {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-dashboard-'));
    cleanup.push(() => fs.rmSync(userDir, { recursive: true, force: true }));
    const [redPort, simPort] = [await freePort(), await freePort()];
    return {
      env: {
        NODE_RED_PORT: String(redPort),
        GIZWITS_SIM_PORT: String(simPort),
        GIZWITS_USERDIR: userDir,
        GIZWITS_DASHBOARD_DIR: cache,
      },
      editor: `http://127.0.0.1:${redPort}`,
      sim: `http://127.0.0.1:${simPort}`,
    };
  }

  it('shows live values and writes a switch to the device, reaching nothing outside 127.0.0.1', async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    const { env, editor, sim } = await environment();
    const run = await start(env);
    cleanup.push(() => killGroup(run.child));
    assert.match(run.output(), new RegExp(`Dashboard: +${editor}/dashboard`));
    assert.ok(
      fs
        .lstatSync(path.join(env.GIZWITS_USERDIR, 'node_modules', '@flowfuse', 'node-red-dashboard'))
        .isSymbolicLink(),
      'the dashboard is linked into the user directory',
    );

    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-chromium-'));
    cleanup.push(() => fs.rmSync(profile, { recursive: true, force: true }));
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      locale: 'en-US',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const outside: string[] = [];
    context.on('request', (request) => {
      if (
        !/^(https?|wss?):\/\/127\.0\.0\.1[:/]/.test(request.url()) &&
        !/^(data|blob|about):/.test(request.url())
      )
        outside.push(request.url());
    });
    try {
      const page: Page = await context.newPage();
      await page.goto(`${editor}/dashboard`);
      const ac = page.locator('.nrdb-ui-group', { hasText: '客厅空调' });
      await ac.waitFor({ state: 'visible', timeout: 30_000 });

      // A live value: the desk-lamp plug reports a power draw, and its gauge shows it.
      const plug = page.locator('.nrdb-ui-group', { hasText: '台灯插座' });
      await plug.getByText('online').first().waitFor();
      // The simulator drifts a plug's power every few seconds: held, the reported value stays on the gauge
      // however long the page takes to show it (a busy machine took longer than one drift tick).
      const held = await fetch(`${sim}/_sim/devices/${SIM_DEVICES.demoPlug1}/hold-readings`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ on: true }),
      });
      assert.equal(held.status, 200);
      const power = 1000 + Math.floor(Math.random() * 900);
      const reported = await fetch(`${sim}/_sim/devices/${SIM_DEVICES.demoPlug1}/report`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ attrs: { power } }),
      });
      assert.equal(reported.status, 200);
      await plug.getByText(String(power)).first().waitFor({ timeout: 15_000 });
      // The balcony plug is offline from the start, and says so.
      await page.locator('.nrdb-ui-group', { hasText: '阳台插座' }).getByText('offline').waitFor();

      // The AC's power switch writes to the device.
      const acState = async () =>
        (
          (await (await fetch(`${sim}/_sim/devices/${SIM_DEVICES.demoAc}`)).json()) as {
            attrs: { switch: boolean };
          }
        ).attrs.switch;
      const before = await acState();
      const toggle = ac.locator('.nrdb-ui-switch input[type="checkbox"]');
      await until('the switch to show the device state', async () =>
        (await toggle.isChecked()) === before ? true : undefined,
      );
      await ac.locator('.nrdb-ui-switch .v-selection-control__input').click();
      await until('the simulated AC to switch', async () =>
        (await acState()) !== before ? true : undefined,
      );
      await until('the switch to stay as the device now reports', async () =>
        (await toggle.isChecked()) !== before ? true : undefined,
      );

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      assert.deepEqual(outside, [], 'requests outside 127.0.0.1');
    } finally {
      await context.close();
    }
    await stop(run);
  });

  it('starts without the dashboard, saying why, when the npm registry cannot be reached', async () => {
    const { env, editor } = await environment();
    const closed = await freePort();
    const npmCache = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-npm-cache-'));
    cleanup.push(() => fs.rmSync(npmCache, { recursive: true, force: true }));
    const run = await start({
      ...env,
      // A folder with no install in it, a registry nobody listens on, and no npm cache to fall back on.
      GIZWITS_DASHBOARD_DIR: path.join(env.GIZWITS_USERDIR, 'no-dashboard'),
      npm_config_registry: `http://127.0.0.1:${closed}/`,
      npm_config_cache: npmCache,
    });
    cleanup.push(() => killGroup(run.child));
    assert.match(run.output(), /Could not install @flowfuse\/node-red-dashboard@~1\.31/);
    assert.match(run.output(), /Starting without the dashboard example/);
    assert.match(run.output(), /Dashboard: +not installed/);
    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<{ type: string; label?: string }>;
    assert.ok(
      flows.some((n) => n.label === 'gizwits-device-in'),
      'the other examples run',
    );
    assert.deepEqual(
      flows.filter((n) => n.type.startsWith('ui-') || n.label === 'gizwits-dashboard'),
      [],
    );
    assert.equal((await fetch(`${editor}/dashboard`)).status, 404);
    await stop(run);
  });
});
