// The frame fuzzer's fast subset (about 1,000 frames) as part of the suite: it must pass, and it must
// have reached the client (frames counted as bad), so that a fuzzer that sends nothing cannot pass.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/frames';

describe('soak part: frames (fast)', function () {
  this.timeout(120_000);

  it('survives ~1,000 random and mutated frames with the devices’ state correct afterwards', async () => {
    const lines: string[] = [];
    const result = await run({ full: false, seed: 20_260_101, log: (line) => lines.push(line) });
    assert.equal(result.name, 'frames');
    assert.deepEqual(result.failures, []);
    assert.equal(result.pass, true, JSON.stringify(result.figures));
    assert.ok((result.figures.framesSent as number) >= 1000, JSON.stringify(result.figures));
    assert.ok((result.figures.framesCountedBad as number) > 100, JSON.stringify(result.figures));
    assert.equal(result.figures.uncaughtExceptions, 0);
    assert.equal(result.figures.unhandledRejections, 0);
    assert.equal(result.figures.stateCorrectAfterwards, true);
    assert.equal(result.figures.prototypeUnpolluted, true);
    assert.ok(lines.length > 0);
  });
});
