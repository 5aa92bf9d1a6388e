// Node-RED 4 embedded in the bench process through its public API, set up as a headless deployment
// (editor API on a loopback port, no browser): this package comes from the built dist/ through nodesDir,
// beside bench-sink (bench/sink/), the node that hands the messages it receives to `onSink`.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import RED from 'node-red';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import type { Json, SimWorker } from './harness';
import type { BenchUser } from './sim-worker';

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
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-bench-'));
  const server = http.createServer();
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: 0,
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    nodesDir: [ROOT, path.join(__dirname, 'sink')],
    editorTheme: { tours: false, projects: { enabled: false } },
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
  };
  RED.init(server, settings as unknown as Parameters<typeof RED.init>[1]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await RED.start();
  const manifest = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as Json;
  return {
    version: String(manifest.version),
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
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
  return {
    flows: [
      { id: 'tab', type: 'tab', label: 'bench' },
      {
        id: 'account',
        type: 'gizwits-account',
        name: user.username,
        region: 'custom',
        apiUrl: sim.url,
        appId: SIM_APP_ID,
        authMode: 'password',
        secure: false,
        configVersion: 1,
      },
      // Without a position the runtime takes a node for a config node.
      ...nodes.map((node, index) => ({ z: 'tab', x: 200, y: 60 + 60 * index, ...node })),
    ],
    credentials: { account: { username: user.username, password: user.password } },
  };
}
