// `npm start` (scripts/start.js; `--no-build` here, the suite has built): the simulated cloud and Node-RED
// come up with the examples deployed against the demo account; SIGTERM or SIGINT sent to the npm process
// alone (as supervisors and IDE stop buttons send them) stops both; a second run in the same user
// directory works again and keeps what the user changed. Free ports and a temporary user directory stand
// in for 1880, 8181 and .userdir. It runs on the host's Node, and again on the Node 22 and Node 24 of the
// platform matrix.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { DASHBOARD_PREPARE_MS, dashboardCache } from '../helpers/dashboard';
import { freePort } from '../helpers/node-red-process';
import { PLATFORM_PREPARE_MS, platform, platformEnv, type Platform } from '../helpers/platforms';
import { openDebugSidebar } from './debug-sidebar';
import { ROOT } from './packed-node-red';

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** npm start, with the host's Node or (its bin folder first on PATH) the Node of a platform of the matrix. */
async function start(env: Record<string, string>, args: string[] = [], on?: Platform): Promise<Started> {
  // npm itself, as users run it: the signals below go to npm's process, not to the script.
  const child = spawn('npm', ['start', '--silent', '--', '--no-build', ...args], {
    cwd: ROOT,
    env: on ? platformEnv(on, env) : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so that cleaning up after a failure can end all of it.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/What to try/.test(output)) {
    if (child.exitCode !== null) {
      killGroup(child);
      throw new Error(`npm start exited early:\n${output}`);
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`npm start did not come up within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}

/** Ends npm and everything it started (after a failure, when a stop may have left some running). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether a new server can listen on the port: nothing (not even an orphaned child) holds it. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start', function () {
  this.timeout(120_000);
  const running: Started[] = [];
  let userDir: string;
  let env: Record<string, string>;
  let editor: string;
  let simulator: string;
  let ports: number[];

  before(async function () {
    this.timeout(DASHBOARD_PREPARE_MS);
    const dashboardDir = await dashboardCache();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-start-'));
    const [redPort, simPort, mqttPort] = [await freePort(), await freePort(), await freePort()];
    ports = [redPort, simPort, mqttPort];
    env = {
      NODE_RED_PORT: String(redPort),
      GIZWITS_SIM_PORT: String(simPort),
      // The bridge example's broker (Mosquitto here, else aedes), off the default 1883.
      MQTT_PORT: String(mqttPort),
      GIZWITS_USERDIR: userDir,
      // The dashboard from the suite's cache, linked in (an unset one installs it into the user directory).
      GIZWITS_DASHBOARD_DIR: dashboardDir,
      // The demo's online/offline cycle, quicker than its 2 minutes.
      GIZWITS_ONLINE_CYCLE_MS: '3000',
    };
    editor = `http://127.0.0.1:${redPort}`;
    simulator = `http://127.0.0.1:${simPort}`;
  });

  after(async () => {
    for (const run of running) killGroup(run.child);
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Signals npm's process by its PID alone (not its process group, as a terminal's Ctrl-C would). */
  async function stop(run: Started, signal: NodeJS.Signals): Promise<void> {
    const started = Date.now();
    process.kill(run.child.pid!, signal);
    const code = await run.exited;
    assert.equal(code, 0, run.output());
    assert.ok(Date.now() - started < 10_000, `stopped within 10 s of ${signal}`);
    assert.ok(await portFree(ports[0]), `Node-RED's port ${ports[0]} is free`);
    assert.ok(await portFree(ports[1]), `the simulator's port ${ports[1]} is free`);
    assert.ok(await portFree(ports[2]), `the MQTT broker's port ${ports[2]} is free`);
  }

  it('serves the editor with every example deployed against the simulator, and prints what to try', async () => {
    const run = await start(env);
    running.push(run);
    assert.match(run.output(), new RegExp(`Node-RED editor: +${editor}/`));
    assert.match(run.output(), new RegExp(`Simulated cloud: +${simulator}`));
    assert.match(run.output(), new RegExp(`MQTT broker: +mqtt://127\\.0\\.0\\.1:${ports[2]} `));

    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<Record<string, unknown>>;
    const tabs = flows.filter((n) => n.type === 'tab').map((n) => n.label);
    const examples = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual([...tabs].sort(), [...examples].sort());
    // Nothing outside 127.0.0.1: no palette catalogue, no installs from the editor.
    const settings = require(path.join(userDir, 'settings.js')) as {
      uiHost: string;
      editorTheme: { palette: { catalogues: unknown[] } };
      externalModules: { palette: { allowInstall: boolean } };
    };
    assert.equal(settings.uiHost, '127.0.0.1');
    assert.deepEqual(settings.editorTheme.palette.catalogues, []);
    assert.equal(settings.externalModules.palette.allowInstall, false);
    const served = (await (await fetch(`${editor}/settings`)).json()) as {
      externalModules?: { palette?: { allowInstall?: boolean } };
    };
    assert.equal(served.externalModules?.palette?.allowInstall, false, 'the editor is told so');
    const accounts = flows.filter((n) => n.type === 'gizwits-account');
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].apiUrl, simulator);

    const nodes = (await (
      await fetch(`${editor}/nodes`, { headers: { Accept: 'application/json' } })
    ).json()) as Array<{
      module: string;
      err?: string;
    }>;
    const ours = nodes.filter((s) => s.module === '@gizwits-community/node-red-gizwits');
    assert.ok(ours.length >= 4 && ours.every((s) => !s.err), JSON.stringify(ours));
    assert.ok(
      fs
        .lstatSync(path.join(userDir, 'node_modules', '@gizwits-community', 'node-red-gizwits'))
        .isSymbolicLink(),
      'the package is installed in the user directory',
    );

    // The demo credentials are in place: the account example signs in.
    const sidebar = await openDebugSidebar(editor);
    try {
      assert.equal((await fetch(`${editor}/inject/ex-account-inject`, { method: 'POST' })).status, 200);
      const shown = await sidebar.waitFor((m) => m.id === 'ex-account-debug');
      assert.equal((shown.value as { uid: string }).uid, SIM_USERS.demo.uid);
      // The online/offline example fires by itself: the sandbox lamp goes and comes back.
      const lamp = SIM_DEVICES.demoLamp2;
      const offline = (m: { id: string; value: unknown }) =>
        m.id === 'ex-in-online-debug' && (m.value as { did?: string; event?: string }).event === 'offline';
      const went = await sidebar.waitFor(
        (m) => offline(m) && (m.value as { did: string }).did === lamp,
        15_000,
      );
      assert.equal((went.value as { payload: unknown }).payload, false);
      await sidebar.waitFor(
        (m) =>
          m.id === 'ex-in-online-debug' &&
          (m.value as { did?: string; event?: string }).did === lamp &&
          (m.value as { event?: string }).event === 'online',
        15_000,
      );
    } finally {
      sidebar.close();
    }

    // Something the user adds, to be found again on the next start.
    const mine = [...flows, { id: 'my-tab', type: 'tab', label: 'my flow' }];
    const deployed = await fetch(`${editor}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(mine),
    });
    assert.ok(deployed.ok);
    await stop(run, 'SIGTERM');
  });

  it('starts again in the same user directory, keeping the flows the user changed', async () => {
    const run = await start(env);
    running.push(run);
    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<Record<string, unknown>>;
    assert.ok(
      flows.some((n) => n.id === 'my-tab'),
      'the user flow is still there',
    );
    assert.ok(
      flows.some((n) => n.id === 'ex-account-inject'),
      'the examples are still there',
    );
    const login = await fetch(`${simulator}/app/login`, { method: 'POST' });
    assert.ok(login.status >= 400, 'the simulator answers again');
    await stop(run, 'SIGINT');
  });

  it('puts the examples back with --reset', async () => {
    const run = await start(env, ['--reset']);
    running.push(run);
    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<Record<string, unknown>>;
    assert.ok(!flows.some((n) => n.id === 'my-tab'));
    assert.ok(flows.some((n) => n.id === 'ex-account-inject'));
    await stop(run, 'SIGTERM');
  });
});

for (const id of ['node22', 'node24'] as const) {
  // npm start runs the Node-RED 4.1 of the devDependencies on whichever Node the user has.
  describe(`npm start on ${id.replace('node', 'Node ')}`, function () {
    this.timeout(120_000);
    let on: Platform;
    let userDir: string;
    let run: Started | undefined;
    let dashboardDir: string;

    before(async function () {
      this.timeout(PLATFORM_PREPARE_MS + DASHBOARD_PREPARE_MS);
      on = await platform(id);
      dashboardDir = await dashboardCache();
      userDir = fs.mkdtempSync(path.join(os.tmpdir(), `gizwits-start-${id}-`));
    });

    after(() => {
      if (run) killGroup(run.child);
      fs.rmSync(userDir, { recursive: true, force: true });
    });

    it('comes up with the examples signed in to the simulator, and stops on Ctrl-C', async () => {
      const [redPort, simPort] = [await freePort(), await freePort()];
      const editor = `http://127.0.0.1:${redPort}`;
      const env = {
        NODE_RED_PORT: String(redPort),
        GIZWITS_SIM_PORT: String(simPort),
        GIZWITS_USERDIR: userDir,
        GIZWITS_DASHBOARD_DIR: dashboardDir,
      };
      run = await start(env, [], on);
      // Node-RED's own log says which Node runs it: the platform's, not the host's.
      assert.match(
        run.output(),
        new RegExp(`Node\\.js\\s+version:\\s+v${on.nodeVersion.replace(/\./g, '\\.')}\\b`),
      );
      assert.match(run.output(), new RegExp(`Node-RED editor: +${editor}/`));

      const nodes = (await (
        await fetch(`${editor}/nodes`, { headers: { Accept: 'application/json' } })
      ).json()) as Array<{ module: string; types: string[]; err?: string }>;
      const ours = nodes.filter((s) => s.module === '@gizwits-community/node-red-gizwits');
      const declared = Object.keys(
        JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))['node-red'].nodes,
      );
      assert.deepEqual(ours.flatMap((s) => s.types).sort(), declared.sort(), JSON.stringify(ours));
      assert.ok(
        ours.every((s) => !s.err),
        JSON.stringify(ours),
      );

      const sidebar = await openDebugSidebar(editor);
      try {
        assert.equal((await fetch(`${editor}/inject/ex-account-inject`, { method: 'POST' })).status, 200);
        const shown = await sidebar.waitFor((m) => m.id === 'ex-account-debug');
        assert.equal((shown.value as { uid: string }).uid, SIM_USERS.demo.uid);
      } finally {
        sidebar.close();
      }

      const stopped = Date.now();
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 0, run.output());
      assert.ok(Date.now() - stopped < 15_000, 'stopped within 15 s');
      assert.ok(await portFree(redPort), `Node-RED's port ${redPort} is free`);
      assert.ok(await portFree(simPort), `the simulator's port ${simPort} is free`);
    });
  });
}
