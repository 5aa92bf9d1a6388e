// Listeners a node adds to a shared emitter (the account's device registry), removed when the node closes:
// added and removed in one place, so that a redeployed node leaves none behind.
import type { EventEmitter } from 'node:events';
import type { Node } from './red';

type Emitter = Pick<EventEmitter, 'on' | 'off'>;
/** Each listener takes the arguments its event carries: typed where it is written. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handlers = Record<string, (...args: any[]) => void>;

/** Adds `handlers` (event name → listener) to `emitter`; removes them on close. Returns the removal too. */
export function listen(emitter: Emitter, node: Node, handlers: Handlers): () => void {
  const entries = Object.entries(handlers);
  for (const [event, listener] of entries) emitter.on(event, listener);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const [event, listener] of entries) emitter.off(event, listener);
  };
  node.on('close', remove);
  return remove;
}
