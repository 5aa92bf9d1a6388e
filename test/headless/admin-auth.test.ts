// The editor's admin routes behind Node-RED's documented adminAuth, in a real headless process: an
// admin, a read-only user, and anonymous read access. Every attack reproduced on the earlier routes is
// run as each caller; none may succeed, and the admin can still try typed settings.
import assert from 'node:assert/strict';
import { SIM_APP_ID, SIM_USERS } from '../../src/simulator';
import { ATTACK_COUNT, postRoute, runAdminAttacks, type AttackResult } from '../helpers/admin-attacks';
import { startGuardedNodeRed, type GuardedNodeRed } from '../helpers/guarded-node-red';
import { useSimulator } from '../helpers/simulator';

describe('admin routes under adminAuth (real Node-RED process)', function () {
  this.timeout(120_000);
  const ctx = useSimulator();
  let guarded: GuardedNodeRed;
  const refusedLogins = () =>
    ctx.sim.calls.filter((c) => c.method === 'POST' && c.path === '/app/login' && c.errorCode === 9020)
      .length;
  const typed = () => ({
    config: { region: 'custom', apiUrl: ctx.sim.url, appId: SIM_APP_ID, authMode: 'password', secure: false },
    credentials: { username: SIM_USERS.demo.username, password: SIM_USERS.demo.password },
  });

  before(async () => {
    guarded = await startGuardedNodeRed(ctx.sim, { refusedLogins });
  });
  after(async () => {
    await guarded?.stop();
  });

  function assertNoneSucceeded(results: AttackResult[]): void {
    assert.equal(results.length, ATTACK_COUNT);
    const succeeded = results.filter((r) => r.succeeded);
    assert.deepEqual(succeeded, [], JSON.stringify(succeeded, null, 2));
  }

  it('is guarded as documented: anonymous callers read flows but cannot deploy', async () => {
    const flows = await fetch(`${guarded.red.url}/flows`);
    assert.equal(flows.status, 200);
    const deploy = await fetch(`${guarded.red.url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '[]',
    });
    assert.equal(deploy.status, 401);
  });

  for (const caller of ['anonymous', 'reader'] as const) {
    describe(`as ${caller === 'reader' ? 'the read-only user' : 'an anonymous caller'}`, () => {
      const target = () => guarded.target(guarded.callers[caller]);

      it('gets the pick-lists of a deployed account by its id', async () => {
        const answer = await postRoute(target(), 'devices', { id: 'acct' });
        assert.equal(answer.status, 200, answer.text);
        assert.ok(Array.isArray(answer.body) && (answer.body as unknown[]).length > 0);
      });

      it('may not try settings of its own (403 naming the permission) nor test a sign-in', async () => {
        const edited = await postRoute(target(), 'devices', typed());
        assert.equal(edited.status, 403);
        assert.equal(edited.body.failure, 'permission');
        assert.match(String(edited.body.message), /gizwits-account\.write/);
        const login = await postRoute(target(), 'login-test', { id: 'acct' });
        assert.equal(login.status, 401);
        // Discovery at addresses of the caller's choosing is an edit too: refused before any datagram.
        const lan = await postRoute(target(), 'lan-discover', { config: { lanTargets: '127.0.0.1:9' } });
        assert.equal(lan.status, 403);
        assert.match(String(lan.body.message), /gizwits-account\.write/);
      });

      it('fails every attack', async () => {
        assertNoneSucceeded(await runAdminAttacks(target()));
      });
    });
  }

  describe('as the admin', () => {
    const target = () => guarded.target(guarded.callers.admin);

    it('tests a sign-in and fills the pick-lists with typed settings', async () => {
      const login = await postRoute(target(), 'login-test', typed());
      assert.equal(login.status, 200, login.text);
      assert.equal(login.body.uid, SIM_USERS.demo.uid);
      const scenes = await postRoute(target(), 'scenes', typed());
      assert.equal(scenes.status, 200, scenes.text);
      const stored = await postRoute(target(), 'login-test', { id: 'acct' });
      assert.equal(stored.status, 200, stored.text);
      const lan = await postRoute(target(), 'lan-discover', { config: { lanTargets: '127.0.0.1:9' } });
      assert.equal(lan.status, 200, lan.text);
      assert.deepEqual(lan.body, []);
    });

    it('fails every attack', async () => {
      assertNoneSucceeded(await runAdminAttacks(target()));
    });
  });

  describe('afterwards', () => {
    it('kept every stored secret and the canary out of the log', () => {
      const { secrets, canary } = guarded.target({});
      const log = guarded.red.output();
      assert.match(log, /Started flows/);
      for (const secret of [...secrets, canary.value])
        assert.ok(!log.includes(secret), 'a secret is in the log');
    });
  });
});
