// The fast subset of the soak's `faults` part (soak/parts/faults.ts): ~15 random faults in a real
// Node-RED against the simulator, then every device's last message must equal the cloud's state.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/faults';
import { repeat, soakOptions } from './options';

describe('soak: faults (fast subset)', function () {
  this.timeout(120_000);

  it('keeps gizwits-device-in in step with every device through random faults', async () => {
    const result = await run(soakOptions());
    assert.deepEqual(result.failures, [], repeat);
    assert.equal(result.pass, true, repeat);
    assert.ok(Number(result.figures['faults injected']) >= 15);
    assert.equal(result.figures['share in step (%)'], 100);
    assert.equal(result.figures.crashes, 0);
    assert.equal(result.figures['open sockets at the end'], 'main 1, sandbox 1');
  });
});
