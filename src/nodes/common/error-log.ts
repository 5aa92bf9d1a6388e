// How a node's failure reads in the debug sidebar when no Catch node takes it. `done(err)` hands the Error
// to Catch nodes (with its code); when none takes it, Node-RED logs the Error object, which the sidebar
// shows collapsed (`msg : error {…}`), hiding the sentence that says what was wrong. Here that one log
// entry carries the sentence as text instead; nothing is logged twice and Catch nodes get the same Error.
import type { Node, NodeMessage } from './red';

type LogEntry = { id?: string; msg?: unknown } & Record<string, unknown>;
interface FlowLog {
  log(entry: LogEntry): void;
}

/** Makes the log entry of `node.error(err, msg)` (which `done(err)` calls) the Error's message. */
export function logErrorsAsText(node: Node): void {
  const original = node.error;
  node.error = function (this: Node, logMessage: unknown, msg?: NodeMessage) {
    // Node-RED 4 and 5 log a node's errors through its flow's `log` (the node's `_flow`), synchronously,
    // inside `error`: for that call only, the entry of this Error is given its message.
    const flow = (node as unknown as { _flow?: Partial<FlowLog> })._flow;
    if (!(logMessage instanceof Error) || !flow || typeof flow.log !== 'function')
      return original.call(node, logMessage as string, msg);
    const own = Object.prototype.hasOwnProperty.call(flow, 'log');
    const log = flow.log;
    flow.log = function (this: unknown, entry: LogEntry) {
      const text =
        entry.id === node.id && entry.msg === logMessage ? { ...entry, msg: logMessage.message } : entry;
      return log.call(this, text);
    };
    try {
      return original.call(node, logMessage as unknown as string, msg);
    } finally {
      if (own) flow.log = log;
      else delete flow.log;
    }
  } as Node['error'];
}
