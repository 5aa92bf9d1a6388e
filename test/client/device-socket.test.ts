import assert from 'node:assert/strict';
import { cleanDid, reconnectDelay } from '../../src/client';

describe('device socket: pure parts', () => {
  it('cuts the suffix some devices add to the did of s2c_raw', () => {
    assert.equal(cleanDid('DemoLampOne5Gs2Jx7Pk4F/usr/abc'), 'DemoLampOne5Gs2Jx7Pk4F');
    assert.equal(cleanDid('DemoLampOne5Gs2Jx7Pk4F'), 'DemoLampOne5Gs2Jx7Pk4F');
    assert.equal(cleanDid('short/usr'), 'short/usr');
  });

  it('reconnects no sooner than the base delay and no later than the cap, growing with attempts', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      assert.equal(
        reconnectDelay(attempt, 1000, 60_000, () => 0),
        1000,
        'never faster than the base',
      );
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
      assert.equal(
        reconnectDelay(attempt, 1000, 60_000, () => 1),
        ceiling,
      );
    }
    assert.equal(
      reconnectDelay(30, 1000, 60_000, () => 1),
      60_000,
    );
  });

  it('spreads reconnects of many clients (jitter)', () => {
    const delays = new Set(Array.from({ length: 100 }, () => reconnectDelay(5, 1000, 60_000)));
    assert.ok(delays.size > 50, `only ${delays.size} distinct delays`);
  });
});
