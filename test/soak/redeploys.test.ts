// The fast subset of the soak's `redeploys` part (soak/parts/redeploys.ts): full redeploys leave nothing
// behind.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/redeploys';
import { repeat, soakOptions } from './options';

describe('soak: redeploys (fast subset)', function () {
  this.timeout(120_000);

  it('is back to its baseline of sockets, timers, handles and listeners after 30 full redeploys', async () => {
    const result = await run(soakOptions());
    assert.deepEqual(result.failures, [], repeat);
    assert.equal(result.pass, true, repeat);
    assert.equal(result.figures['full deploys'], 30);
    for (const figure of [
      'open websockets at the simulator (before → after)',
      'timers (before → after)',
      'TCP handles (before → after)',
      'process listeners (before → after)',
    ]) {
      const [before, after] = String(result.figures[figure]).split(' → ').map(Number);
      assert.ok(after <= before, `${figure}: ${result.figures[figure]}`);
    }
    assert.ok(Number(result.figures['REST logins']) <= 30 + 5);
  });
});
