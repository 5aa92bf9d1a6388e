// node-red-node-test-helper, started once per suite, with our nodes and the core nodes tests use.
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Simulator } from '../../src/simulator';
import { SIM_APP_ID, SIM_USERS } from '../../src/simulator';

/**
 * The runtime under test: Node-RED 4 (the dev dependency), or another install named by
 * NODE_RED_RUNTIME (a module name or a folder), as test/e2e/node-red-5.test.ts does with the Node-RED 5
 * of the platform cache for the compatibility check.
 */
export const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
helper.init(require.resolve(RUNTIME));

export { helper };

export const accountNode = require('../../src/nodes/gizwits-account/gizwits-account');
export const apiNode = require('../../src/nodes/gizwits-api/gizwits-api');
/** The runtime's own Catch node (the helper loads that one for flows that hold a Catch node). */
export const catchNode = require(
  require.resolve('@node-red/nodes/core/common/25-catch', {
    paths: [path.dirname(require.resolve(`${RUNTIME}/package.json`))],
  }),
);

export function useNodeRed(): void {
  before(() => helper.startServer());
  afterEach(() => helper.unload());
  after(() => helper.stopServer());
}

/** The runtime parts behind helper.setFlows: its flows API and its event bus. */
interface HelperRuntime {
  _redNodes: {
    setFlows(
      flows: Array<Record<string, unknown>>,
      credentials: Record<string, Record<string, unknown>>,
      type: string,
    ): Promise<unknown>;
  };
  _events: { once(event: 'flows:started', listener: () => void): void };
}

/**
 * Deploys flows into the running runtime as helper.setFlows does ('full', 'nodes' or 'flows'), and
 * resolves once they have started. The helper's own wait gives up after a fixed 300 ms, which a deploy
 * on a busy machine can take, and it listens for the start only once the deploy call has returned.
 */
export async function deployFlows(
  flows: Array<Record<string, unknown>>,
  type: 'full' | 'nodes' | 'flows',
  credentials: Record<string, Record<string, unknown>> = {},
): Promise<void> {
  const runtime = helper as unknown as HelperRuntime;
  const started = new Promise<void>((resolve) => runtime._events.once('flows:started', () => resolve()));
  await runtime._redNodes.setFlows(flows, credentials, type);
  await started;
}

/** Puts every node of a flow on one tab (Catch nodes only see errors of their own tab). */
export function onTab(nodes: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    ...nodes.map((n) => (n.type === 'gizwits-account' ? n : { z: 'tab', ...n })),
  ];
}

/** A gizwits-account node of the flow pointed at the simulator, and its credentials entry. */
export function simAccount(
  sim: Simulator,
  id = 'account',
  user: keyof typeof SIM_USERS = 'demo',
  extra: Record<string, unknown> = {},
) {
  return {
    node: {
      id,
      type: 'gizwits-account',
      name: 'sim',
      region: 'custom',
      apiUrl: sim.url,
      appId: SIM_APP_ID,
      authMode: 'password',
      secure: false,
      configVersion: 1,
      ...extra,
    },
    credentials: { [id]: { username: SIM_USERS[user].username, password: SIM_USERS[user].password } },
  };
}

/** Resolves with the next message a helper node receives, or rejects after `ms`. */
export function nextMessage<T = Record<string, unknown>>(
  node: { on(event: 'input', cb: (msg: T) => void): void },
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    node.on('input', (msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Resolves when the node calls done(err), with that error. */
export function nextError(
  node: { once(event: 'call:error', cb: (call: { args: unknown[] }) => void): void },
  ms = 5000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no error within ${ms} ms`)), ms);
    node.once('call:error', (call) => {
      clearTimeout(timer);
      resolve(call.args);
    });
  });
}
