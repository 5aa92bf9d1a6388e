// Node-RED 4 embedded in the soak process through its public API, as bench/node-red.ts does: this package
// comes from the built dist/ (nodesDir = the repository, whose package.json names the dist/ files), beside
// bench-sink (bench/sink/), the node that hands what it receives to `onSink`. One runtime at a time: a
// part starts it with its own settings and stops it before it returns.
import path from 'node:path';
import RED from 'node-red';
import { onTab as onTabOf } from '../../test/helpers/flows';
import { flowsStarted, startEmbeddedNodeRed } from '../../test/helpers/embedded-node-red';

const ROOT = path.resolve(__dirname, '..', '..');

export type Json = Record<string, unknown>;
export type SinkListener = (nodeId: string, msg: Json) => void;
export type CompleteListener = (event: { msg: Json; error?: unknown; nodeId: string }) => void;

interface RuntimeNode {
  receive(msg: Json): void;
}
type LogEntry = { level: number; type?: string; id?: string; msg?: unknown };

/** What the runtime logged at warn level or worse, counted by node type; a few lines kept for reports. */
export interface LogTally {
  errors: number;
  warnings: number;
  byType: Record<string, number>;
  lastLines: string[];
}

export interface SoakRuntime {
  version: string;
  log: LogTally;
  /** A full deploy, as the editor's Deploy button does; resolves once the new flows have started. */
  deploy(flows: Json[], credentials?: Json): Promise<void>;
  node(id: string): RuntimeNode;
  /** Every message a bench-sink node receives goes to `listener` from now on. */
  onSink(listener: SinkListener): void;
  /** Called each time a node finishes a message: done() or done(err) (Node-RED's onComplete hook). */
  onComplete(listener: CompleteListener): void;
  /** Listeners on the runtime's own event bus, for leak checks. */
  runtimeListeners(): number;
  stop(): Promise<void>;
}

const HOOK = 'soak';

export async function startRuntime(tuning: Record<string, number> = {}): Promise<SoakRuntime> {
  const log: LogTally = { errors: 0, warnings: 0, byType: {}, lastLines: [] };
  let sinkListener: SinkListener = () => undefined;
  let completeListener: CompleteListener = () => undefined;
  const red = await startEmbeddedNodeRed('gizwits-soak-', {
    nodesDir: [ROOT, path.join(ROOT, 'bench', 'sink')],
    gizwits: tuning,
    logging: {
      console: { level: 'off' },
      // Counted, not printed: a soak makes nodes fail on purpose, thousands of times.
      soak: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (entry: LogEntry) => {
          if (entry.level <= 20) log.errors++;
          else log.warnings++;
          const key = entry.type ?? 'runtime';
          log.byType[key] = (log.byType[key] ?? 0) + 1;
          log.lastLines.push(`${key}: ${String(entry.msg).slice(0, 200)}`);
          // SOAK_LOG=1 prints them too, with the time, to follow a failing run.
          if (process.env.SOAK_LOG)
            process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${key}: ${String(entry.msg)}\n`);
          if (log.lastLines.length > 5) log.lastLines.shift();
        },
      },
    },
    benchSink: (nodeId: string, msg: Json) => sinkListener(nodeId, msg),
  });
  const events = red.events;
  RED.hooks.add(`onComplete.${HOOK}`, (event: { msg: Json; error?: unknown; node: { id: string } }) => {
    completeListener({ msg: event.msg, error: event.error, nodeId: event.node.id });
  });

  return {
    version: red.version,
    log,
    async deploy(flows, credentials = {}) {
      const started = flowsStarted(events);
      type SetFlows = typeof RED.runtime.flows.setFlows;
      await RED.runtime.flows.setFlows({
        flows: { flows, credentials },
        deploymentType: 'full',
      } as Parameters<SetFlows>[0]);
      await started;
    },
    node(id) {
      const node = (RED.nodes as unknown as { getNode(id: string): RuntimeNode | null }).getNode(id);
      if (!node) throw new Error(`node ${id} is not running (last log lines: ${log.lastLines.join(' | ')})`);
      return node;
    },
    onSink(listener) {
      sinkListener = listener;
    },
    onComplete(listener) {
      completeListener = listener;
    },
    runtimeListeners() {
      return events.eventNames().reduce((sum, name) => sum + events.listenerCount(name), 0);
    },
    async stop() {
      RED.hooks.remove(`*.${HOOK}`);
      await red.stop();
    },
  };
}

/** A tab holding `nodes`, as the bench and the tests lay them out. */
export function onTab(nodes: Json[]): Json[] {
  return onTabOf(nodes, 'soak');
}

/**
 * Counts uncaught exceptions and unhandled rejections until `stop()`; the process keeps running. Process
 * warnings (such as MaxListenersExceededWarning) are kept apart: worth a look, not a crash.
 */
export function watchCrashes(): { count(): number; lines: string[]; warnings: string[]; stop(): void } {
  const lines: string[] = [];
  const warnings: string[] = [];
  let count = 0;
  const warned = (warning: Error) => {
    if (warnings.length < 5) warnings.push(`${warning.name}: ${warning.message}`);
  };
  const seen = (kind: string) => (error: unknown) => {
    count++;
    if (lines.length < 5) lines.push(`${kind}: ${error instanceof Error ? error.stack : String(error)}`);
  };
  const uncaught = seen('uncaught exception');
  const unhandled = seen('unhandled rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  process.on('warning', warned);
  return {
    count: () => count,
    lines,
    warnings,
    stop() {
      process.off('uncaughtException', uncaught);
      process.off('unhandledRejection', unhandled);
      process.off('warning', warned);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves true once `check()` holds, false at the deadline; polls every `everyMs`. */
export async function until(check: () => boolean, ms: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
  return true;
}
