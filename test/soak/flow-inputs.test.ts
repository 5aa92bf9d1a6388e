// The fast subset of the soak's `flow-inputs` part (soak/parts/flow-inputs.ts): hostile messages into
// every node type with an input.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/flow-inputs';
import { repeat, soakOptions } from './options';

describe('soak: flow-inputs (fast subset)', function () {
  this.timeout(120_000);

  it('finishes every hostile message without a crash or a polluted prototype', async () => {
    const result = await run(soakOptions());
    assert.deepEqual(result.failures, [], repeat);
    assert.equal(result.pass, true, repeat);
    assert.equal(result.figures['node types'], 6);
    assert.ok(Number(result.figures['fewest per node type']) >= 500);
    assert.equal(result.figures.unfinished, 0);
    assert.equal(result.figures.crashes, 0);
    assert.equal(result.figures['prototype keys added'], 0);
    assert.equal(
      Number(result.figures['ended with done()']) + Number(result.figures['ended with done(err)']),
      result.figures['messages sent'],
    );
  });
});
