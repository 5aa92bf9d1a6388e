// The admin-routes soak part in its fast form, as `npm test` runs it.
import assert from 'node:assert/strict';
import { run } from '../../soak/parts/admin-routes';
import { ATTACK_COUNT } from '../helpers/admin-attacks';

describe('soak part: admin routes (fast subset)', function () {
  this.timeout(120_000);

  it('runs every attack as anonymous, read-only and admin, and none succeeds', async () => {
    const lines: string[] = [];
    const result = await run({ full: false, seed: 1, log: (line) => lines.push(line) });
    assert.equal(result.name, 'admin-routes');
    assert.deepEqual(result.failures, []);
    assert.equal(result.pass, true);
    assert.equal(result.figures.attacksTried, 3 * ATTACK_COUNT);
    assert.equal(result.figures.attacksSucceeded, 0);
    assert.equal(result.figures.adminTypedSignIns, '1/1');
    // Anonymous and read-only callers reach the cloud only through the deployed account the cloud
    // refuses (3 before the cooldown); the admin's 5 typed wrong passwords add 3 more.
    assert.ok(
      Number(result.figures.refusedSignInsReachedCloud) <= 6,
      String(result.figures.refusedSignInsReachedCloud),
    );
    assert.ok(Number(result.figures.refusedSignInsTried) >= 30);
    assert.equal(lines.length, 3);
  });
});
