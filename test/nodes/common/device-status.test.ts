// The throttled status of nodes that follow many devices: bursts cost one update, the last state shows.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { throttledStatus } from '../../../src/nodes/common/device-status';
import type { NodeStatus } from '../../../src/nodes/common/red';

describe('throttledStatus', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  function setup() {
    const shown: NodeStatus[] = [];
    let count = 0;
    const status = throttledStatus(
      (s) => shown.push(s),
      () => ({ fill: 'green', shape: 'dot', text: `${count}/1000 online` }),
      1000,
    );
    return { shown, status, set: (n: number) => (count = n) };
  }

  it('shows the first update at once and a burst as one trailing update with the last state', () => {
    const { shown, status, set } = setup();
    set(1);
    status.update();
    assert.deepEqual(
      shown.map((s) => s.text),
      ['1/1000 online'],
    );
    for (let n = 2; n <= 500; n++) {
      set(n);
      status.update();
    }
    assert.equal(shown.length, 1, 'nothing more inside the interval');
    clock.tick(999);
    assert.equal(shown.length, 1);
    clock.tick(1);
    assert.deepEqual(
      shown.map((s) => s.text),
      ['1/1000 online', '500/1000 online'],
    );
  });

  it('does not send an unchanged status again', () => {
    const { shown, status } = setup();
    status.update();
    clock.tick(5000);
    status.update();
    clock.tick(5000);
    status.update();
    assert.equal(shown.length, 1);
  });

  it('set() shows an error at once, and the computed state replaces it when it changes', () => {
    const { shown, status, set } = setup();
    status.update();
    status.set({ fill: 'red', shape: 'ring', text: 'login refused' });
    assert.equal(shown.at(-1)?.text, 'login refused');
    set(3);
    clock.tick(1000);
    status.update();
    assert.equal(shown.at(-1)?.text, '3/1000 online');
  });

  it('now() shows the computed state at once, even inside the interval', () => {
    const { shown, status, set } = setup();
    status.update();
    set(2);
    status.update();
    set(5);
    status.now();
    clock.tick(5000);
    assert.deepEqual(
      shown.map((s) => s.text),
      ['0/1000 online', '5/1000 online'],
    );
    assert.equal(clock.countTimers(), 0, 'the pending update was replaced');
  });

  it('stop() cancels the pending update', () => {
    const { shown, status, set } = setup();
    status.update();
    set(7);
    status.update();
    status.stop();
    clock.tick(10_000);
    assert.equal(shown.length, 1);
    assert.equal(clock.countTimers(), 0);
  });
});
