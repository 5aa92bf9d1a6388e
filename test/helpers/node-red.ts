// node-red-node-test-helper, started once per suite, with our nodes and the core nodes tests use.
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Simulator } from '../../src/simulator';
import { nodeFlow, type NodeFlowOptions } from './flows';
import { collect, type Msg } from './live';

export { onTab, simAccount } from './flows';

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

/**
 * Loads `nodeFlow(sim, options)` (account → node under test → `out`, a Catch node → `caught`) and answers
 * its running nodes: `out` and `caught` collect what they receive; `run` sends a message to the node and
 * resolves with the next output, `failure` with the next message a Catch node receives and `fail` with
 * its error's text.
 */
export async function loadNode(sim: Simulator, options: NodeFlowOptions, modules: unknown[] = []) {
  const { flow, credentials, ids } = nodeFlow(sim, options);
  await helper.load([accountNode, nodeModule(options.type), catchNode, ...modules], flow, credentials);
  const node = helper.getNode(ids.node);
  const outNode = helper.getNode(ids.out);
  const caughtNode = helper.getNode(ids.caught);
  const failure = async (msg: Msg): Promise<Msg & { error: { message: string } }> => {
    const next = nextMessage<Msg & { error: { message: string } }>(caughtNode);
    node.receive(msg);
    return next;
  };
  return {
    node,
    outNode,
    caughtNode,
    out: collect(outNode),
    caught: collect(caughtNode),
    async run<T = Msg>(msg: Msg): Promise<T> {
      const next = nextMessage<T>(outNode);
      node.receive(msg);
      return next;
    },
    failure,
    fail: async (msg: Msg): Promise<string> => (await failure(msg)).error.message,
  };
}

/** The runtime module of a node type of this package. */
export function nodeModule(type: string): unknown {
  return require(`../../src/nodes/${type}/${type}`);
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
