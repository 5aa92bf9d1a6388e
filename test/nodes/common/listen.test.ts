// Listeners a node adds to the account's shared registry go when the node closes, and only its own.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { listen } from '../../../src/nodes/common/listen';
import type { Node } from '../../../src/nodes/common/red';

/** Enough of a Node-RED node for `listen`: its close handlers, run by `close()`. */
function fakeNode() {
  const closers: Array<() => void> = [];
  const node = {
    on(event: string, handler: () => void) {
      if (event === 'close') closers.push(handler);
      return node;
    },
  };
  return { node: node as unknown as Node, close: () => closers.forEach((close) => close()) };
}

describe('listen', () => {
  it('delivers events until the node closes, then leaves nothing behind on the registry', () => {
    const registry = new EventEmitter();
    const { node, close } = fakeNode();
    const seen: string[] = [];
    listen(registry, node, {
      status: (event: { did: string }) => seen.push(`status ${event.did}`),
      online: (event: { did: string }) => seen.push(`online ${event.did}`),
    });
    registry.emit('status', { did: 'a' });
    registry.emit('online', { did: 'b' });
    close();
    registry.emit('status', { did: 'c' });
    assert.deepEqual(seen, ['status a', 'online b']);
    assert.equal(registry.listenerCount('status') + registry.listenerCount('online'), 0);
  });

  it("keeps another node's listeners when one node closes", () => {
    const registry = new EventEmitter();
    const first = fakeNode();
    const second = fakeNode();
    const seen: string[] = [];
    listen(registry, first.node, { status: () => seen.push('first') });
    listen(registry, second.node, { status: () => seen.push('second') });
    first.close();
    registry.emit('status', {});
    assert.deepEqual(seen, ['second']);
  });
});
