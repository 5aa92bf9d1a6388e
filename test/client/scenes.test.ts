// Running a scene and waiting for it: the client's service polls until the task ends, gives up with a
// clear error after the timeout, and stops at once when its caller (a closing node) aborts.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { GizwitsError, sceneService, SceneWaitCancelled, type GizwitsClient } from '../../src/client';

/** A client whose scene task reports the given statuses in turn (the last one from then on). */
function clientWith(statuses: number[]) {
  const calls: string[] = [];
  let polls = 0;
  const client = {
    async call(operation: string) {
      calls.push(operation);
      if (operation === 'scenes.run') return {};
      return { status: statuses[Math.min(polls++, statuses.length - 1)] };
    },
  };
  return { client: client as unknown as GizwitsClient, calls };
}

describe('sceneService', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  it('runs the scene and polls until its task is done', async () => {
    const { client, calls } = clientWith([0, 0, 1]);
    const waiting = sceneService(client).runAndWait('s1', { timeoutMs: 10_000, caller: 'test' });
    await clock.tickAsync(5_000);
    assert.equal(await waiting, 'done');
    assert.deepEqual(calls, ['scenes.run', 'scenes.taskStatus', 'scenes.taskStatus', 'scenes.taskStatus']);
  });

  it('gives up with a TIMEOUT error that names the caller when the scene keeps running', async () => {
    const { client } = clientWith([0]);
    const waiting = sceneService(client).runAndWait('s1', {
      timeoutMs: 3_000,
      caller: 'gizwits-scene-trigger',
    });
    const failed = assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof GizwitsError);
      assert.equal(error.code, 'TIMEOUT');
      assert.match(error.message, /gizwits-scene-trigger: scene s1 was still running after 3 s/);
      return true;
    });
    await clock.tickAsync(10_000);
    await failed;
  });

  it('stops waiting at once when the signal aborts, and polls no more', async () => {
    const { client, calls } = clientWith([0]);
    const stop = new AbortController();
    const waiting = sceneService(client).runAndWait('s1', {
      timeoutMs: 60_000,
      signal: stop.signal,
      caller: 't',
    });
    await clock.tickAsync(1_000);
    const polled = calls.length;
    stop.abort();
    await assert.rejects(waiting, SceneWaitCancelled);
    await clock.tickAsync(10_000);
    assert.equal(calls.length, polled);
    assert.equal(clock.countTimers(), 0);
  });
});
