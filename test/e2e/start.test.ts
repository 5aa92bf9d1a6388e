// `npm start` (scripts/start.js, run after the build): the simulated cloud and Node-RED come up with the
// examples deployed against the demo account; Ctrl-C stops both; a second run in the same user directory
// works again and keeps what the user changed; on the host's Node and again on the Node 22 and Node 24 of
// the platform matrix. Free ports and a temporary user directory stand in for 1880, 8181 and .userdir.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIM_USERS } from '../../src/simulator';
import { freePort } from '../helpers/node-red-process';
import { PLATFORM_PREPARE_MS, platform, platformEnv, type Platform } from '../helpers/platforms';
import { openDebugSidebar } from './debug-sidebar';
import { ROOT } from './packed-node-red';

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** scripts/start.js, run by the host's Node or by the Node of a platform of the matrix. */
async function start(env: Record<string, string>, args: string[] = [], on?: Platform): Promise<Started> {
  const child = spawn(on?.node ?? process.execPath, [path.join(ROOT, 'scripts', 'start.js'), ...args], {
    cwd: ROOT,
    env: on ? platformEnv(on, env) : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/What to try/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not come up within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('npm start', function () {
  this.timeout(120_000);
  const running: Started[] = [];
  let userDir: string;
  let env: Record<string, string>;
  let editor: string;
  let simulator: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-start-'));
    const [redPort, simPort] = [await freePort(), await freePort()];
    env = { NODE_RED_PORT: String(redPort), GIZWITS_SIM_PORT: String(simPort), GIZWITS_USERDIR: userDir };
    editor = `http://127.0.0.1:${redPort}`;
    simulator = `http://127.0.0.1:${simPort}`;
  });

  after(async () => {
    for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function stop(run: Started): Promise<void> {
    const started = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    assert.equal(code, 0, run.output());
    assert.ok(Date.now() - started < 15_000, 'stopped within 15 s');
    assert.ok(await refused(editor), 'Node-RED stopped');
    assert.ok(await refused(`${simulator}/app/bindings`), 'the simulator stopped');
  }

  it('serves the editor with every example deployed against the simulator, and prints what to try', async () => {
    const run = await start(env);
    running.push(run);
    assert.match(run.output(), new RegExp(`Node-RED editor: +${editor}/`));
    assert.match(run.output(), new RegExp(`Simulated cloud: +${simulator}`));

    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<Record<string, unknown>>;
    const tabs = flows.filter((n) => n.type === 'tab').map((n) => n.label);
    const examples = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual([...tabs].sort(), [...examples].sort());
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
    await stop(run);
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
    await stop(run);
  });

  it('puts the examples back with --reset', async () => {
    const run = await start(env, ['--reset']);
    running.push(run);
    const flows = (await (await fetch(`${editor}/flows`)).json()) as Array<Record<string, unknown>>;
    assert.ok(!flows.some((n) => n.id === 'my-tab'));
    assert.ok(flows.some((n) => n.id === 'ex-account-inject'));
    await stop(run);
  });
});

for (const id of ['node22', 'node24'] as const) {
  // npm start runs the Node-RED 4.1 of the devDependencies on whichever Node the user has.
  describe(`npm start on ${id.replace('node', 'Node ')}`, function () {
    this.timeout(120_000);
    let on: Platform;
    let userDir: string;
    let run: Started | undefined;

    before(async function () {
      this.timeout(PLATFORM_PREPARE_MS);
      on = await platform(id);
      userDir = fs.mkdtempSync(path.join(os.tmpdir(), `gizwits-start-${id}-`));
    });

    after(() => {
      if (run?.child.exitCode === null) run.child.kill('SIGKILL');
      fs.rmSync(userDir, { recursive: true, force: true });
    });

    it('comes up with the examples signed in to the simulator, and stops on Ctrl-C', async () => {
      const [redPort, simPort] = [await freePort(), await freePort()];
      const editor = `http://127.0.0.1:${redPort}`;
      const env = {
        NODE_RED_PORT: String(redPort),
        GIZWITS_SIM_PORT: String(simPort),
        GIZWITS_USERDIR: userDir,
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
      assert.ok(await refused(editor), 'Node-RED stopped');
      assert.ok(await refused(`http://127.0.0.1:${simPort}/app/bindings`), 'the simulator stopped');
    });
  });
}
