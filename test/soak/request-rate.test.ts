// The fast subset of the soak's `request-rate` part (soak/parts/request-rate.ts): a failing cloud under
// 10 messages per second per account. Every message must end in an error and none may hang; the
// requests per minute are judged against the goal only where the part is told to (see the part).
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/request-rate';
import { repeat, soakOptions } from './options';

describe('soak: request-rate (fast subset)', function () {
  this.timeout(120_000);

  it('ends every message to a failing cloud in an error, none hung, and measures each failure kind', async () => {
    const result = await run(soakOptions());
    assert.deepEqual(result.failures, [], repeat);
    assert.equal(result.pass, true, repeat);
    for (const kind of ['9003', '9020', '9041', '5xx']) {
      const [sent, outcome] = String(result.figures[`${kind}: messages → errors / outputs / hung`]).split(
        ' → ',
      );
      assert.equal(outcome, `${sent} / 0 / 0`, kind);
      assert.ok(Number(sent) >= 50, kind);
      assert.ok(Number.isFinite(result.figures[`${kind}: requests/min (REST + websocket)`]), kind);
    }
    // A wrong password is not retried: the login gate refuses locally after the first refusals.
    assert.ok(Number(result.figures['9020: requests/min (REST + websocket)']) <= 60);
  });
});
