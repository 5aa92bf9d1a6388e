// Node-RED 4 embedded in the bench process through its public API, set up as a headless deployment
// (editor API on a loopback port, no browser): this package comes from the built dist/ through nodesDir,
// beside bench-sink (bench/sink/), the node that hands the messages it receives to `onSink`, and
// bench-floor (bench/floor/), the least a node can do with the device websocket.
import path from 'node:path';
import RED from 'node-red';
import { onTab, simAccount } from '../test/helpers/flows';
import { startEmbeddedNodeRed } from '../test/helpers/embedded-node-red';
import { SimWorker, closeRestAgent, type Json } from './harness';
import type { BenchUser, SimSetup } from './sim-worker';

const ROOT = path.resolve(__dirname, '..');

type SinkListener = (nodeId: string, msg: Json) => void;
type RuntimeNode = { receive(msg: Json): void };
type LogEntry = { level: number; type?: string; id?: string; msg?: unknown };

let sinkListener: SinkListener = () => undefined;

/** Every message a bench-sink node receives goes to `listener` from now on. */
export function onSink(listener: SinkListener): void {
  sinkListener = listener;
}

export interface EmbeddedNodeRed {
  version: string;
  stop(): Promise<void>;
}

export async function startNodeRed(): Promise<EmbeddedNodeRed> {
  const red = await startEmbeddedNodeRed('gizwits-bench-', {
    nodesDir: [ROOT, path.join(__dirname, 'sink'), path.join(__dirname, 'floor')],
    logging: {
      console: { level: 'off' },
      // Nodes' warnings and errors (a run that goes wrong says why) and the runtime's errors, on stderr:
      // stdout carries the figures only.
      bench: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (entry: LogEntry) => {
          if (entry.type || entry.level <= 20)
            console.error(`[node-red] ${entry.type ? `${entry.type}:${entry.id} ` : ''}${String(entry.msg)}`);
        },
      },
    },
    benchSink: (nodeId: string, msg: Json) => sinkListener(nodeId, msg),
  });
  return { version: red.version, stop: red.stop };
}

/** A full deploy, as the editor's Deploy button does; resolves before the new flows have started. */
export async function deploy(flows: Json[], credentials: Json = {}): Promise<void> {
  type SetFlows = typeof RED.runtime.flows.setFlows;
  await RED.runtime.flows.setFlows({
    flows: { flows, credentials },
    deploymentType: 'full',
  } as Parameters<SetFlows>[0]);
}

export function runtimeNode(id: string): RuntimeNode {
  const node = (RED.nodes as unknown as { getNode(id: string): RuntimeNode | null }).getNode(id);
  if (!node) throw new Error(`node ${id} is not running`);
  return node;
}

/** A tab with a gizwits-account node for `user` and `nodes` (given positions, as the editor saves them). */
export function accountFlow(
  sim: SimWorker,
  user: BenchUser,
  nodes: Json[],
): { flows: Json[]; credentials: Json } {
  const account = simAccount(sim, { user, name: user.username });
  return { flows: onTab([account.node, ...nodes], 'bench'), credentials: account.credentials };
}

/**
 * The frame of `npm run bench` and `npm run bench:profile`: the simulator worker and Node-RED started,
 * `body` run, both stopped, then the process ended (0, or 1 after printing the error): Node-RED leaves
 * timers of its own behind after stop(), and process.exit() still writes a --cpu-prof profile.
 */
export function runBench(
  setup: SimSetup,
  body: (sim: SimWorker, nodeRed: EmbeddedNodeRed) => Promise<void>,
): void {
  const run = async (): Promise<void> => {
    const sim = await SimWorker.start(setup);
    const nodeRed = await startNodeRed();
    try {
      await body(sim, nodeRed);
    } finally {
      await nodeRed.stop();
      await sim.close();
      closeRestAgent();
    }
  };
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
