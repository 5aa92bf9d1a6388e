// The fast subset of the soak's `writes` part (soak/parts/writes.ts): writes through
// gizwits-device-control during the fault soak must each end in an output or at a Catch node.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/writes';
import { repeat, soakOptions } from './options';

describe('soak: writes (fast subset)', function () {
  this.timeout(120_000);

  it('ends every write during the faults in an output or a Catch, none hung', async () => {
    const result = await run(soakOptions());
    assert.deepEqual(result.failures, [], repeat);
    assert.equal(result.pass, true, repeat);
    const sent = Number(result.figures['writes sent']);
    assert.ok(sent > 0);
    assert.equal(result.figures.hung, 0);
    assert.equal(Number(result.figures.outputs) + Number(result.figures['caught errors']), sent);
  });
});
