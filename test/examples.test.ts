// Every example of the package, taken from Node-RED's import menu (as users get it), deployed into a
// real Node-RED against the simulated cloud, and checked to do what its comment says.
//
// Every example must: use exactly the placeholder simulator account without credentials; start without
// an unexpected node error; make each of its debug nodes show something (debug nodes fed by a Catch node
// are for failures and may stay silent). Examples with a scenario below are also checked for what they
// claim; an example without one gets the generic checks only, its inject buttons pressed once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SIM_DEVICES, SIM_USERS } from '../src/simulator';
import { simAccount } from './helpers/flows';
import { openDebugSidebar, type DebugMessage, type DebugSidebar } from './e2e/debug-sidebar';
import {
  PACKAGE_NAME,
  SIM_ACCOUNT_ID,
  packedNodeRed,
  simAccountFlowNode,
  type PackedEnvironment,
} from './e2e/packed-node-red';
import { MATRIX, PLATFORM_PREPARE_MS, PLATFORM_TITLES } from './helpers/platforms';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto';

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

const EXAMPLES = path.resolve(__dirname, '..', 'examples');
const PLACEHOLDER_ACCOUNT = simAccount(
  { url: 'http://127.0.0.1:8181' },
  { id: SIM_ACCOUNT_ID, name: 'Simulated cloud' },
).node;

interface Run {
  env: PackedEnvironment;
  debug: DebugSidebar;
  /** Index of the first sidebar message of this example. */
  mark: number;
  press(injectId: string): Promise<void>;
  /** The next value shown by a debug node (from the start of this example) that satisfies `match`. */
  shown(debugId: string, match?: (value: never) => boolean, ms?: number): Promise<unknown>;
  sim(method: string, route: string, body?: unknown): Promise<Record<string, unknown>>;
}

/** What each example claims, by file name. */
const SCENARIOS: Record<string, (run: Run) => Promise<void>> = {
  async 'gizwits-account'(run) {
    await run.press('ex-account-inject');
    const user = (await run.shown('ex-account-debug')) as { uid: string; username: string };
    assert.equal(user.uid, SIM_USERS.demo.uid);
  },

  async 'gizwits-api'(run) {
    await run.press('ex-api-list-inject');
    const devices = (await run.shown('ex-api-list-debug')) as Array<{ did: string }>;
    assert.deepEqual(devices.map((d) => d.did).sort(), Object.values(SIM_DEVICES).sort());
    await run.press('ex-api-latest-inject');
    const latest = (await run.shown('ex-api-latest-debug')) as { did: string; attr: Record<string, unknown> };
    assert.equal(latest.did, SIM_DEVICES.demoAc);
    assert.ok('set_temp' in latest.attr, JSON.stringify(latest));
  },

  async 'gizwits-api-errors'(run) {
    await run.press('ex-api-catch-inject');
    const error = (await run.shown('ex-api-catch-debug')) as { message: string };
    assert.match(error.message, /9042 GIZ_OPENAPI_DEVICE_OFFLINE/);
  },

  async 'gizwits-device-in'(run) {
    const first = (await run.shown(
      'ex-in-status-debug',
      (m: { initial?: boolean }) => m.initial === true,
    )) as {
      did: string;
      event: string;
    };
    assert.equal(first.did, SIM_DEVICES.demoAc);
    assert.equal(first.event, 'status');
    // A report equal to the current reading is (rightly) no change: step away from what the device has now.
    const now = (await run.sim('GET', `/_sim/devices/${SIM_DEVICES.demoAc}`)).attrs as { room_temp: number };
    const roomTemp = now.room_temp >= 30 ? now.room_temp - 1 : now.room_temp + 1;
    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoAc}/report`, { attrs: { room_temp: roomTemp } });
    const change = (await run.shown(
      'ex-in-status-debug',
      (m: { changed?: Record<string, { new: unknown }> }) => m.changed?.room_temp?.new === roomTemp,
    )) as { payload: Record<string, unknown> };
    assert.equal(change.payload.room_temp, roomTemp);

    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/online`, { online: false });
    const offline = (await run.shown(
      'ex-in-online-debug',
      (m: { did: string; event: string }) => m.did === SIM_DEVICES.demoPlug1 && m.event === 'offline',
    )) as { payload: unknown };
    assert.equal(offline.payload, false);
    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/online`, { online: true });
    await run.shown(
      'ex-in-online-debug',
      (m: { did: string; event: string }) => m.did === SIM_DEVICES.demoPlug1 && m.event === 'online',
    );
  },

  async 'gizwits-device-control'(run) {
    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoLamp1}/report`, { attrs: { brightness: 5 } });
    await run.press('ex-control-lamp-inject');
    const lamp = (await run.shown('ex-control-lamp-debug')) as Record<string, unknown>;
    assert.equal(lamp.brightness, 60);
    const device = await run.sim('GET', `/_sim/devices/${SIM_DEVICES.demoLamp1}`);
    assert.equal((device.attrs as Record<string, unknown>).brightness, 60);

    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoAc}/report`, {
      attrs: { switch: false, set_temp: 28 },
    });
    await run.press('ex-control-ac-inject');
    await run.shown('ex-control-ac-debug');
    const ac = (await run.sim('GET', `/_sim/devices/${SIM_DEVICES.demoAc}`)).attrs as Record<string, unknown>;
    assert.equal(ac.switch, true);
    assert.equal(ac.set_temp, 24);
    assert.ok(ac.mode === '制冷' || ac.mode === 1, `mode is ${String(ac.mode)}`);
  },

  async 'gizwits-device-control-read'(run) {
    await run.sim('POST', `/_sim/devices/${SIM_DEVICES.demoPlug1}/report`, { attrs: { countdown: 42 } });
    await run.press('ex-read-inject');
    const state = (await run.shown('ex-read-debug')) as Record<string, unknown>;
    assert.equal(state.countdown, 42);
    assert.ok('power' in state && 'switch' in state, JSON.stringify(state));
  },

  async 'gizwits-mqtt-bridge'(run) {
    // The bridge takes commands once it has subscribed, right before it publishes each device's state.
    await run.shown(
      'ex-mqtt-state-debug',
      (m: { topic: string }) => m.topic === `gizwits/${SIM_DEVICES.demoLamp1}/state`,
    );
    await run.shown('ex-mqtt-discovery-debug');
    await run.press('ex-mqtt-bad-inject');
    const result = (await run.shown('ex-mqtt-result-debug')) as { payload: { message: string } };
    assert.match(result.payload.message, /brightness/);
    await run.press('ex-mqtt-cool-inject');
    await run.shown(
      'ex-mqtt-state-debug',
      (m: { topic: string; payload: { set_temp?: number; switch?: boolean } }) =>
        m.topic === `gizwits/${SIM_DEVICES.demoAc}/state` &&
        m.payload.set_temp === 24 &&
        m.payload.switch === true,
    );
  },

  async 'gizwits-device-control-checks'(run) {
    const before = (await run.sim('GET', `/_sim/devices/${SIM_DEVICES.demoLamp1}`)).attrs as Record<
      string,
      unknown
    >;
    const calls = (await run.sim('GET', '/_sim/calls')) as unknown as unknown[];
    await run.press('ex-check-inject');
    const error = (await run.shown('ex-check-debug')) as { message: string };
    assert.match(error.message, /brightness/);
    const after = (await run.sim('GET', `/_sim/devices/${SIM_DEVICES.demoLamp1}`)).attrs as Record<
      string,
      unknown
    >;
    assert.equal(after.brightness, before.brightness, 'nothing reached the device');
    const controls = ((await run.sim('GET', '/_sim/calls')) as unknown as Array<{ path: string }>)
      .slice(calls.length)
      .filter((c) => c.path.startsWith('/app/control'));
    assert.deepEqual(controls, []);
  },
};

function readExample(file: string): FlowNode[] {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
}

/** Debug nodes reachable from a Catch node report failures; the others must show something. */
function debugNodesThatMustShow(nodes: FlowNode[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const downstreamOfCatch = new Set<string>();
  const walk = (id: string) => {
    if (downstreamOfCatch.has(id)) return;
    downstreamOfCatch.add(id);
    for (const next of (byId.get(id)?.wires ?? []).flat()) walk(next);
  };
  for (const n of nodes) if (n.type === 'catch') walk(n.id);
  return nodes.filter((n) => n.type === 'debug' && !downstreamOfCatch.has(n.id)).map((n) => n.id);
}

/** Nodes whose errors a Catch node of the example handles (all of them for an unscoped Catch). */
function caughtNodes(nodes: FlowNode[]): Set<string> | 'all' {
  const caught = new Set<string>();
  for (const n of nodes.filter((c) => c.type === 'catch')) {
    if (!Array.isArray(n.scope)) return 'all';
    for (const id of n.scope as string[]) caught.add(id);
  }
  return caught;
}

/**
 * The box the editor draws for a node, approximately: centred on x/y, 30 px high (15 px more for each
 * output past the second), as wide as its label (CJK characters about twice as wide as latin ones) plus
 * its icon and padding, at least 100 px; ports add 10 px each side.
 */
function nodeBox(n: FlowNode): { left: number; right: number; top: number; bottom: number } {
  const label = String(n.name ?? '');
  const textWidth = [...label].reduce((w, c) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(c) ? 14 : 7.5), 0);
  const width = Math.max(100, textWidth + 50) + 20;
  const outputs = Array.isArray(n.wires) ? n.wires.length : 0;
  const height = Math.max(30, 30 + (outputs - 2) * 15);
  const x = Number(n.x);
  const y = Number(n.y);
  return { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 };
}

describe('examples, as they look in the editor', () => {
  for (const file of fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    it(`${file}: every node has a name, and no two nodes overlap`, () => {
      const nodes = readExample(file).filter((n) => n.x !== undefined && n.y !== undefined);
      const unnamed = nodes.filter((n) => !String(n.name ?? '').trim()).map((n) => n.id);
      assert.deepEqual(unnamed, [], 'nodes without a name (warnings would show their type)');
      const overlaps: string[] = [];
      for (let i = 0; i < nodes.length; i += 1)
        for (let j = i + 1; j < nodes.length; j += 1) {
          const [a, b] = [nodeBox(nodes[i]), nodeBox(nodes[j])];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
            overlaps.push(`${nodes[i].id} × ${nodes[j].id}`);
        }
      assert.deepEqual(overlaps, [], 'overlapping nodes');
    });
  }
});

/**
 * Examples that need a node module the packed Node-RED does not have, and where they are run instead.
 * The dashboard's ui-* nodes would leave the runtime waiting for missing types (no example would start).
 */
const RUN_ELSEWHERE: Record<string, string> = {
  'gizwits-dashboard.json':
    'needs @flowfuse/node-red-dashboard: test/e2e/dashboard.test.ts runs it under npm start',
};

describe('examples, imported into a real Node-RED with the simulated cloud', function () {
  this.timeout(120_000);
  const all = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const files = all.filter((f) => !(f in RUN_ELSEWHERE));

  it('runs every example here but the dashboard one, which only needs a module this Node-RED lacks', () => {
    const elsewhere = all.filter((f) => f in RUN_ELSEWHERE);
    assert.deepEqual(elsewhere, Object.keys(RUN_ELSEWHERE), 'every exclusion names an example that exists');
    const needing = all.filter((f) => readExample(f).some((n) => n.type.startsWith('ui-')));
    assert.deepEqual(elsewhere, needing, 'excluded are exactly the examples with dashboard nodes');
  });

  it('has the examples of the nodes built with the editor work, and scenarios only for examples that exist', () => {
    const mine = ['gizwits-account', 'gizwits-api', 'gizwits-device-in', 'gizwits-device-control'];
    for (const name of mine) assert.ok(files.includes(`${name}.json`), `examples/${name}.json is missing`);
    for (const name of Object.keys(SCENARIOS))
      assert.ok(files.includes(`${name}.json`), `scenario for a missing example ${name}`);
  });

  for (const id of MATRIX) {
    describe(`on ${PLATFORM_TITLES[id]}`, () => {
      let env: PackedEnvironment;
      let debug: DebugSidebar;

      before(async function () {
        this.timeout(PLATFORM_PREPARE_MS);
        env = await packedNodeRed(id);
        debug = await openDebugSidebar(env.url);
      });
      after(() => debug?.close());

      for (const file of files) describeExample(file, () => ({ env, debug }));
    });
  }
});

/** Examples on MQTT run against a real Mosquitto of their own, their broker nodes pointed at it. */
let mosquitto: Mosquitto | undefined;
after(() => mosquitto?.stop());

async function onTestBroker(nodes: FlowNode[]): Promise<FlowNode[]> {
  if (!nodes.some((n) => n.type === 'gizwits-mqtt-broker' || n.type === 'mqtt-broker')) return nodes;
  mosquitto ??= await startMosquitto();
  const { url, port } = mosquitto;
  return nodes.map((n) =>
    n.type === 'gizwits-mqtt-broker'
      ? { ...n, url }
      : n.type === 'mqtt-broker'
        ? { ...n, port: String(port) }
        : n,
  );
}

/** One example, imported, deployed and run on the platform whose environment `shared` gives. */
function describeExample(file: string, shared: () => { env: PackedEnvironment; debug: DebugSidebar }): void {
  const name = file.replace(/\.json$/, '');
  const local = readExample(file);
  const title = (local.find((n) => n.type === 'comment')?.name as string | undefined) ?? '(no comment node)';

  it(`${name}: ${title}`, async () => {
    const { env, debug } = shared();
    // The copy Node-RED's import menu gives users.
    const answer = await fetch(`${env.url}/library/examples/flows/${PACKAGE_NAME}/${name}`);
    assert.equal(answer.status, 200);
    const nodes = (await answer.json()) as FlowNode[];

    const comment = nodes.find((n) => n.type === 'comment');
    assert.ok(comment && String(comment.name).trim(), 'a comment node says what the example shows');
    const accounts = nodes.filter((n) => n.type === 'gizwits-account');
    assert.deepEqual(
      accounts,
      [PLACEHOLDER_ACCOUNT],
      'the placeholder simulator account, without credentials',
    );
    assert.ok(
      nodes.some((n) => n.type.startsWith('gizwits-') && n.type !== 'gizwits-account'),
      'uses a Gizwits node',
    );

    const tab = `tab-${name}`;
    const flows = [
      { id: tab, type: 'tab', label: name },
      simAccountFlowNode(env.sim),
      ...(await onTestBroker(nodes.filter((n) => n.type !== 'gizwits-account'))).map((n) => ({
        ...n,
        z: tab,
      })),
    ];
    const mark = debug.messages.length;
    await env.deploy(flows);

    const run: Run = {
      env,
      debug,
      mark,
      async press(injectId) {
        const pressed = await fetch(`${env.url}/inject/${injectId}`, { method: 'POST' });
        assert.equal(pressed.status, 200, `pressing ${injectId}`);
      },
      async shown(debugId, match = () => true, ms = 10_000) {
        const found = await debug.waitFor(
          (m: DebugMessage) => m.id === debugId && m.level === undefined && match(m.value as never),
          ms,
          mark,
        );
        return found.value;
      },
      async sim(method, route, body) {
        const reply = await fetch(`${env.sim.url}${route}`, {
          method,
          headers: body ? { 'Content-Type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        assert.equal(reply.status, 200, `${method} ${route}: ${await reply.clone().text()}`);
        return (await reply.json()) as Record<string, unknown>;
      },
    };

    const scenario = SCENARIOS[name];
    if (scenario) {
      await scenario(run);
    } else {
      for (const inject of nodes.filter((n) => n.type === 'inject' && n.once !== true))
        await run.press(inject.id);
    }

    for (const debugId of debugNodesThatMustShow(nodes)) await run.shown(debugId);

    const ids = new Set(nodes.map((n) => n.id));
    const caught = caughtNodes(nodes);
    const unexpected = debug.messages
      .slice(mark)
      .filter((m) => m.level === 20 && ids.has(m.id))
      .filter((m) => caught !== 'all' && !caught.has(m.id));
    assert.deepEqual(
      unexpected.map((m) => `${m.id}: ${JSON.stringify(m.value)}`),
      [],
      'node errors nothing in the example handles',
    );
  });
}
