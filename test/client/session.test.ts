import assert from 'node:assert/strict';
import { GizwitsError } from '../../src/client';
import { SIM_DEVICES, SIM_MANY_PLUG_COUNT, SIM_USERS, simManyPlugDid } from '../../src/simulator';
import { countCalls, simClient, useSimulator } from '../helpers/simulator';

describe('client against the simulated cloud', () => {
  const ctx = useSimulator();

  describe('session', () => {
    it('logs in on first use, once for many concurrent calls, and reuses the token', async () => {
      const client = simClient(ctx.sim);
      const before = countCalls(ctx.sim, 'POST', '/app/login');
      const answers = await Promise.all([
        client.call('users.get'),
        client.call('bindings.list'),
        client.call('groups.list'),
      ]);
      assert.equal(answers[0].uid, SIM_USERS.demo.uid);
      await client.call('users.get');
      assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - before, 1);
      assert.equal(client.state, 'ready');
    });

    it('logs in again once when every token expires mid-run, and repeats the call', async () => {
      const client = simClient(ctx.sim);
      await client.call('users.get');
      const logins = countCalls(ctx.sim, 'POST', '/app/login');
      ctx.sim.faults.expireAllTokens(9006);
      const answer = await client.call('bindings.list');
      assert.equal(answer.devices.length, 5);
      assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - logins, 1);
    });

    it('repeats even a device command after a refused token, since the refusal came first', async () => {
      const client = simClient(ctx.sim);
      await client.call('users.get');
      ctx.sim.faults.expireAllTokens(9004);
      await client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: true } });
      const latest = await client.call('devices.latest', { did: SIM_DEVICES.demoPlug1 });
      assert.equal(Number(latest.attr.switch), 1, 'the document gives booleans as 0/1 here');
    });

    it('logs in before the token expires rather than waiting for a refusal', async () => {
      let now = Date.now();
      const client = simClient(ctx.sim, 'demo', { now: () => now, refreshMarginSec: 3600 });
      await client.call('users.get');
      const logins = countCalls(ctx.sim, 'POST', '/app/login');
      now += 7 * 24 * 3600 * 1000 - 1800 * 1000; // half an hour before the 7-day expiry
      await client.call('users.get');
      assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - logins, 1);
    });

    it('signs in anonymously by phone id, to the same user each time', async () => {
      const phoneId = `phone-${Date.now()}`;
      const a = simClient(ctx.sim, 'demo', { credentials: { mode: 'anonymous', phoneId } });
      const b = simClient(ctx.sim, 'demo', { credentials: { mode: 'anonymous', phoneId } });
      const [ua, ub] = [await a.call('users.get'), await b.call('users.get')];
      assert.equal(ua.uid, ub.uid);
      assert.equal(ua.is_anonymous, true);
    });

    it('uses a given uid + token, and says clearly when the cloud refuses it', async () => {
      const login = await simClient(ctx.sim).call('users.login', {
        username: 'demo',
        password: SIM_USERS.demo.password,
      });
      const client = simClient(ctx.sim, 'demo', {
        credentials: { mode: 'token', uid: login.uid, token: login.token },
      });
      assert.equal((await client.call('users.get')).uid, SIM_USERS.demo.uid);
      ctx.sim.faults.expireAllTokens(9006);
      await assert.rejects(client.call('users.get'), (e: GizwitsError) => {
        assert.equal(e.code, 9006);
        assert.match(e.message, /token given in the gizwits-account node was refused/);
        assert.ok(!e.message.includes(login.token));
        return true;
      });
    });

    it('does not storm the cloud with logins after bad credentials, and says why', async () => {
      const client = simClient(ctx.sim, 'demo', {
        credentials: { mode: 'password', username: 'demo', password: 'wrong-password-1' },
      });
      const before = countCalls(ctx.sim, 'POST', '/app/login');
      await assert.rejects(
        client.call('users.get'),
        (e: GizwitsError) => e.code === 9020 && /check the username and password/.test(e.message),
      );
      for (let i = 0; i < 20; i++) {
        await assert.rejects(client.call('bindings.list'), (e: GizwitsError) => {
          assert.equal(e.code, 'LOGIN_COOLDOWN');
          assert.match(
            e.message,
            /Not trying again until \d\d:\d\d:\d\d UTC so that the account is not locked/,
          );
          return true;
        });
      }
      assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - before, 1);
      assert.equal(client.state, 'failed');
      assert.ok(!JSON.stringify(client.error).includes('wrong-password-1'));
    });
  });

  describe('retries', () => {
    it('rides out a burst of 9041 on reads, with backoff', async () => {
      const client = simClient(ctx.sim);
      await client.call('users.get');
      const before = countCalls(ctx.sim, 'GET', '/app/group');
      ctx.sim.faults.throttle(3, 429);
      const groups = await client.call('groups.list');
      assert.ok(Array.isArray(groups));
      assert.equal(countCalls(ctx.sim, 'GET', '/app/group') - before, 4);
    });

    it('gives up after the retry limit with the throttling error', async () => {
      const client = simClient(ctx.sim, 'demo', { retry: { retries: 2, baseMs: 1, capMs: 2 } });
      await client.call('users.get');
      ctx.sim.faults.throttle(10, 400);
      await assert.rejects(
        client.call('groups.list'),
        (e: GizwitsError) => e.code === 9041 && e.errorName === 'GIZ_OPENAPI_REQUEST_THROTTLED',
      );
    });

    it('rides out 502/503/504 on reads', async () => {
      const client = simClient(ctx.sim);
      await client.call('users.get');
      ctx.sim.faults.failNext(1, 502);
      ctx.sim.faults.failNext(1, 503);
      assert.equal((await client.call('users.get')).uid, SIM_USERS.demo.uid);
    });

    it('never repeats a device command on its own, even when throttled', async () => {
      const client = simClient(ctx.sim);
      await client.call('users.get');
      const path = `/app/control/${SIM_DEVICES.demoPlug1}`;
      const before = countCalls(ctx.sim, 'POST', path);
      ctx.sim.faults.throttle(1, 429);
      await assert.rejects(
        client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: false } }),
        (e: GizwitsError) => {
          assert.equal(e.code, 9041);
          assert.equal(e.retryable, true, 'the error says a later retry could help');
          return true;
        },
      );
      assert.equal(countCalls(ctx.sim, 'POST', path) - before, 1);
    });

    it('times out a slow answer with a clear error', async () => {
      const client = simClient(ctx.sim, 'demo', { timeoutMs: 100, retry: { retries: 0 } });
      await client.call('users.get');
      ctx.sim.faults.setLatency(400);
      await assert.rejects(
        client.call('users.get'),
        (e: GizwitsError) => e.code === 'TIMEOUT' && /did not answer in time/.test(e.message),
      );
    });
    it('close() ends a request in flight at once and refuses new ones', async () => {
      const client = simClient(ctx.sim, 'demo', { timeoutMs: 10_000 });
      await client.call('users.get');
      ctx.sim.faults.setLatency(2000);
      const started = Date.now();
      const inFlight = client.call('bindings.list');
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.close();
      await assert.rejects(inFlight, (e: GizwitsError) => {
        assert.equal(e.code, 'CLOSED');
        assert.match(e.message, /bindings\.list: the client is closed/);
        return true;
      });
      assert.ok(Date.now() - started < 1000, 'not left to the latency or the timeout');
      await assert.rejects(client.call('users.get'), (e: GizwitsError) => e.code === 'CLOSED');
    });
  });

  describe('listings', () => {
    it('fetches all 45 devices past the first page of 20, though the answer has no total', async () => {
      const client = simClient(ctx.sim, 'many');
      const first = await client.call('bindings.list');
      assert.equal(first.devices.length, 20, 'one call gives one page');
      const all = (await client.listAll('bindings.list')) as Array<{ did: string }>;
      assert.equal(all.length, SIM_MANY_PLUG_COUNT);
      assert.equal(new Set(all.map((d) => d.did)).size, SIM_MANY_PLUG_COUNT);
      assert.ok(all.some((d) => d.did === simManyPlugDid(45)));
    });

    it('honours a smaller page size', async () => {
      const client = simClient(ctx.sim, 'many');
      const before = countCalls(ctx.sim, 'GET', '/app/bindings');
      const all = await client.listAll('bindings.list', {}, { pageSize: 10 });
      assert.equal(all.length, SIM_MANY_PLUG_COUNT);
      assert.equal(countCalls(ctx.sim, 'GET', '/app/bindings') - before, 5);
    });
  });
});
