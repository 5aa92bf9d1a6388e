import assert from 'node:assert/strict';
import { once } from 'node:events';
import { DeviceSocket, GizwitsError, backoff, isPermanentFailure } from '../../src/client';

describe('backoff and permanent failures: one rule each', () => {
  it('picks every pause under the same doubling ceiling, each jitter in its own band', () => {
    const shape = { baseMs: 1000, capMs: 60_000 };
    for (let step = 0; step < 10; step++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** step);
      assert.equal(backoff(step, { ...shape, jitter: 'none' }), ceiling);
      assert.equal(
        backoff(step, { ...shape, jitter: 'full' }, () => 0),
        0,
      );
      assert.ok(backoff(step, { ...shape, jitter: 'full' }, () => 0.999999) < ceiling);
      assert.equal(
        backoff(step, { ...shape, jitter: 'above-base' }, () => 0),
        1000,
      );
      assert.equal(
        backoff(step, { ...shape, jitter: 'above-base' }, () => 1),
        ceiling,
      );
      assert.equal(
        backoff(step, { ...shape, jitter: 'lengthen' }, () => 0),
        ceiling,
      );
      assert.equal(
        backoff(step, { ...shape, jitter: 'lengthen' }, () => 1),
        Math.round(ceiling * 1.2),
      );
    }
  });

  it('counts refused credentials as final everywhere, a refused token only when it was given', () => {
    const error = (code: number | string) => new GizwitsError({ code: code as never });
    for (const code of [9020, 9005, 'LOGIN_COOLDOWN', 'INVALID_CONFIG', 'CLOSED'])
      assert.equal(isPermanentFailure(error(code)), true, String(code));
    for (const code of [9004, 9006]) {
      assert.equal(isPermanentFailure(error(code)), false, `${code}: a login can get a new token`);
      assert.equal(isPermanentFailure(error(code), { tokenGiven: true }), true, `${code}: given token`);
    }
    for (const code of ['NETWORK', 'TIMEOUT', 9041]) assert.equal(isPermanentFailure(error(code)), false);
    assert.equal(isPermanentFailure(new Error('plain')), false);
  });

  it('a socket whose given token has expired fails at once instead of reconnecting to the same refusal', async () => {
    const socket = new DeviceSocket({
      url: 'ws://127.0.0.1:9/ws/app/v1',
      appId: 'app',
      tokenGiven: true,
      credentials: () => Promise.reject(new GizwitsError({ code: 9006 })),
    });
    try {
      const next = once(socket, 'state');
      socket.setWanted(['did1']);
      const [state] = await next;
      assert.equal(state, 'failed', 'not another attempt with the same token');
      assert.equal((socket.error as GizwitsError).code, 9006);
    } finally {
      socket.close();
    }
  });
});
