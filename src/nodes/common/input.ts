// A node's input handler with the one tail every node shares: the message sent and `done()` on success;
// on failure a red ring with a short reason and `done(err)` worded in the runtime's language.
import type { Done, Node, NodeMessageInFlow, Say, Send } from './red';
import { errorStatus } from './status';

export interface InputOptions {
  /** A failure that is no failure (the node closed mid-run): `done()` without an error or a status. */
  ignore?: (error: unknown) => boolean;
}

export function onInput<M extends NodeMessageInFlow>(
  node: Node,
  tools: { say: Say; asError: (error: unknown) => Error },
  handle: (msg: M) => Promise<void>,
  options: InputOptions = {},
): void {
  node.on('input', async (msg: NodeMessageInFlow, send: Send, done: Done) => {
    try {
      await handle(msg as M);
      send(msg);
      done();
    } catch (error) {
      if (options.ignore?.(error)) return done();
      node.status(errorStatus(error, tools.say));
      done(tools.asError(error));
    }
  });
}

/**
 * Runs a sync's changes; when they fail part-way, the error's report (what was applied, what was not) is
 * put in the message as `applied` and `notApplied` before the failure goes on to `done(err)`.
 */
export async function reportingChanges<T>(
  msg: { applied?: unknown; notApplied?: unknown },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const report = (error as { report?: { applied: string[]; notApplied: string[] } }).report;
    if (report) {
      msg.applied = report.applied;
      msg.notApplied = report.notApplied;
    }
    throw error;
  }
}
