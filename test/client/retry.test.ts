import assert from 'node:assert/strict';
import { GizwitsError, backoffDelay, delayBeforeRetry, retryAfterMs, shouldRetry } from '../../src/client';

const policy = { retries: 3, baseMs: 100, capMs: 1000 };

describe('retry decisions', () => {
  const throttled = new GizwitsError({ code: 9041, status: 429 });
  const offline = new GizwitsError({ code: 9042, status: 400 });

  it('repeats a retryable failure of a call that is safe to repeat, up to the limit', () => {
    assert.equal(shouldRetry(throttled, 1, true, policy), true);
    assert.equal(shouldRetry(throttled, 3, true, policy), true);
    assert.equal(shouldRetry(throttled, 4, true, policy), false);
  });

  it('never repeats a call that is not safe to repeat, whatever the failure', () => {
    assert.equal(shouldRetry(throttled, 1, false, policy), false);
    assert.equal(shouldRetry(new GizwitsError({ code: 'NETWORK' }), 1, false, policy), false);
  });

  it('does not repeat failures a repeat cannot cure', () => {
    assert.equal(shouldRetry(offline, 1, true, policy), false);
    assert.equal(shouldRetry(new Error('boom'), 1, true, policy), false);
  });
});

describe('full-jitter backoff', () => {
  it('stays within [0, min(cap, base * 2^(n-1))]', () => {
    assert.equal(
      backoffDelay(1, policy, () => 0.999999),
      99,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0.999999),
      199,
    );
    assert.equal(
      backoffDelay(3, policy, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(10, policy, () => 0.999999),
      999,
    );
    assert.equal(
      backoffDelay(5, policy, () => 0),
      0,
    );
  });

  it('spreads delays (jitter) rather than repeating one value', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    assert.ok(delays.size > 10, `only ${delays.size} distinct delays`);
  });

  it('prefers the server Retry-After, capped', () => {
    assert.equal(retryAfterMs('2', 1000), 1000);
    assert.equal(retryAfterMs('0.5', 1000), 500);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 60_000, 9_000), 1000);
    assert.equal(retryAfterMs('soon', 1000), undefined);
    assert.equal(
      delayBeforeRetry(new GizwitsError({ code: 9041, retryAfter: '0.25' }), 1, policy, () => 0),
      250,
    );
    assert.equal(
      delayBeforeRetry(new GizwitsError({ code: 9041 }), 2, policy, () => 0.5),
      100,
    );
  });
});
