import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudBudget,
  GizwitsClient,
  GizwitsError,
  LoginGate,
  growingPause,
  prepareRequest,
  redact,
  toProductSchema,
} from '../../src/client';
import { SIM_APP_ID, SIM_DEVICES } from '../../src/simulator';
import { countCalls, simClient, useSimulator } from '../helpers/simulator';

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 10, 29, 8, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const http503 = () => new GizwitsError({ code: 'HTTP', status: 503, operation: 'devices.latest' });

describe('account budget: pure parts', () => {
  it('grows pauses from the base to the cap, jitter only lengthening them', () => {
    for (const r of [0, 0.5, 0.999]) {
      assert.ok(growingPause(1, 1000, 60_000, () => r) >= 1000);
      assert.ok(growingPause(1, 1000, 60_000, () => r) <= 1200);
      assert.ok(growingPause(4, 1000, 60_000, () => r) >= 8000);
      // At the cap the pause is never shorter than the cap: at most one attempt per cap.
      assert.ok(growingPause(30, 1000, 60_000, () => r) >= 60_000);
      assert.ok(growingPause(30, 1000, 60_000, () => r) <= 72_000);
    }
  });

  it('stops sending after 5 cloud failures in a row, lets one probe through per pause, and closes on success', () => {
    const clock = manualClock();
    const budget = new CloudBudget({ now: clock.now, random: () => 0 });
    for (let i = 0; i < 5; i++) {
      budget.admit('devices.latest');
      budget.failed(http503());
    }
    assert.throws(
      () => budget.admit('devices.latest'),
      (e: GizwitsError) => {
        assert.equal(e.code, 'CLOUD_BACKOFF');
        assert.equal(e.retryable, false);
        assert.match(
          e.message,
          /failed the last 5 attempts \(HTTP\)\. Nothing was sent; next try in 2 s \(08:00:02 UTC\)/,
        );
        return true;
      },
    );
    clock.advance(2000);
    budget.admit('devices.latest'); // the probe
    assert.throws(
      () => budget.admit('devices.latest'),
      /CLOUD_BACKOFF|Nothing was sent/,
      'one probe at a time',
    );
    budget.failed(http503());
    clock.advance(2000);
    assert.throws(() => budget.admit('devices.latest'), /next try in 2 s/, 'the pause doubled to 4 s');
    clock.advance(2000);
    budget.admit('devices.latest');
    budget.succeeded();
    budget.admit('devices.latest');
    budget.admit('devices.latest');
    assert.equal(budget.open, false);
  });

  it('counts only failures of the cloud: a refusal of one call is an answer from a working cloud', () => {
    const budget = new CloudBudget();
    for (let i = 0; i < 4; i++) budget.failed(http503());
    budget.failed(new GizwitsError({ code: 9042, operation: 'devices.control' }));
    for (let i = 0; i < 4; i++) budget.failed(new GizwitsError({ code: 'TIMEOUT' }));
    budget.admit('users.get');
    budget.failed(new GizwitsError({ code: 9041, status: 429 }));
    assert.throws(() => budget.admit('users.get'), /CLOUD_BACKOFF|Nothing was sent/);
  });

  it('spends at most 10 retries at once and earns back 10 a minute', () => {
    const clock = manualClock();
    const budget = new CloudBudget({ now: clock.now });
    let taken = 0;
    while (budget.takeRetry()) taken++;
    assert.equal(taken, 10);
    clock.advance(5_999);
    assert.equal(budget.takeRetry(), false);
    clock.advance(1);
    assert.equal(budget.takeRetry(), true);
    assert.equal(budget.takeRetry(), false);
    clock.advance(10 * 60_000);
    taken = 0;
    while (budget.takeRetry()) taken++;
    assert.equal(taken, 10, 'the bucket never holds more than its capacity');
  });

  it('lets 3 refused sign-ins per user through in 5 minutes, then says how long to wait', () => {
    const clock = manualClock();
    const gate = new LoginGate({ now: clock.now });
    for (let i = 0; i < 3; i++) {
      assert.equal(gate.waitMs('u'), 0);
      gate.refused('u');
      clock.advance(10_000);
    }
    assert.equal(gate.waitMs('u'), 5 * 60_000 - 30_000);
    assert.equal(gate.waitMs('other'), 0, 'another user is not held up');
    clock.advance(5 * 60_000 - 30_000);
    assert.equal(gate.waitMs('u'), 0, 'the oldest refusal left the window');
    gate.refused('u');
    assert.ok(gate.waitMs('u') > 0);
    gate.accepted('u');
    assert.equal(gate.waitMs('u'), 0, 'an accepted sign-in forgets the refusals');
  });
});

describe('account budget against the simulated cloud', () => {
  const ctx = useSimulator();

  it('refuses the path parameters ".", ".." and blank before any call', async () => {
    const client = simClient(ctx.sim);
    await client.call('users.get');
    const before = ctx.sim.calls.length;
    for (const did of ['.', '..', '', '  ']) {
      await assert.rejects(client.call('devices.latest', { did }), (e: GizwitsError) => {
        assert.equal(e.code, 'INVALID_PARAMS');
        assert.match(e.message, /"did" cannot be "\.", "\.\." or blank|needs the parameter "did"/);
        return true;
      });
    }
    assert.throws(() => prepareRequest('devices.latest', { did: NaN }), /must be a string or a number/);
    assert.equal(ctx.sim.calls.length, before, 'nothing reached the cloud');
    // A dot inside a did is only a character of it, encoded into one path segment.
    assert.equal(prepareRequest('devices.latest', { did: 'a..b' }).path, '/app/devdata/a..b/latest');
  });

  it('after a throttled login, waits before the next one and fails calls at once, saying when', async () => {
    const client = simClient(ctx.sim, 'demo', { loginBackoffBaseMs: 60_000, loginBackoffCapMs: 60_000 });
    const before = countCalls(ctx.sim, 'POST', '/app/login');
    ctx.sim.faults.throttle(100, 429);
    await assert.rejects(client.call('users.get'), (e: GizwitsError) => e.code === 9041);
    for (let i = 0; i < 30; i++) {
      await assert.rejects(client.call('bindings.list'), (e: GizwitsError) => {
        assert.equal(e.code, 'LOGIN_BACKOFF');
        assert.match(
          e.message,
          /login failed \(9041 GIZ_OPENAPI_REQUEST_THROTTLED\), 1 time\(s\) in a row\. Next try in (59|60|6\d|7[0-2]) s/,
        );
        return true;
      });
    }
    assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - before, 1, 'one login, not retried');
  });

  it('logs in at most once per pause with a wrong AppID (9003), whatever the call rate', async () => {
    const client = simClient(ctx.sim, 'demo', {
      appId: 'ffffffffffffffffffffffffffffffff',
      loginBackoffBaseMs: 200,
      loginBackoffCapMs: 400,
    });
    const before = countCalls(ctx.sim, 'POST', '/app/login');
    const started = Date.now();
    const codes = new Set<string | number>();
    while (Date.now() - started < 1500) {
      await client.call('bindings.list').catch((e: GizwitsError) => codes.add(e.code));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const logins = countCalls(ctx.sim, 'POST', '/app/login') - before;
    assert.deepEqual([...codes].sort(), [9003, 'LOGIN_BACKOFF'].sort());
    // Pauses of 200-240, then 400-480 ms: at most 5 logins in 1.5 s, against ~100 calls.
    assert.ok(logins >= 2 && logins <= 5, `${logins} logins`);
  });

  it('bounds what a failing cloud sees: 150 reads during 503s reach it a bounded number of times', async () => {
    const client = simClient(ctx.sim);
    await client.call('users.get');
    const path = `/app/devdata/${SIM_DEVICES.demoPlug1}/latest`;
    const before = countCalls(ctx.sim, 'GET', path);
    ctx.sim.faults.failNext(10_000, 503);
    const codes = new Map<string | number, number>();
    for (let i = 0; i < 150; i++) {
      await client
        .call('devices.latest', { did: SIM_DEVICES.demoPlug1 })
        .catch((e: GizwitsError) => codes.set(e.code, (codes.get(e.code) ?? 0) + 1));
    }
    const sent = countCalls(ctx.sim, 'GET', path) - before;
    // 5 attempts open the breaker; within the same second no pause has ended, so nothing more goes.
    assert.equal(sent, 5, `${sent} requests reached the cloud`);
    assert.ok((codes.get('CLOUD_BACKOFF') ?? 0) >= 145, JSON.stringify([...codes]));
    ctx.sim.faults.reset();
  });

  it('never repeats a device command, and sends none while the cloud keeps failing', async () => {
    const client = simClient(ctx.sim);
    await client.call('users.get');
    const path = `/app/control/${SIM_DEVICES.demoPlug1}`;
    const before = countCalls(ctx.sim, 'POST', path);
    ctx.sim.faults.failNext(10_000, 502);
    for (let i = 0; i < 8; i++) {
      await assert.rejects(
        client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: true } }),
      );
    }
    assert.equal(countCalls(ctx.sim, 'POST', path) - before, 5, 'one attempt each, until the breaker opened');
    await assert.rejects(
      client.call('devices.control', { did: SIM_DEVICES.demoPlug1, attrs: { switch: true } }),
      (e: GizwitsError) => e.code === 'CLOUD_BACKOFF' && /Nothing was sent/.test(e.message),
    );
    ctx.sim.faults.reset();
  });

  it('shares refused sign-ins of a user across every client of the process: 3 reach the cloud, then a wait', async () => {
    const gate = new LoginGate();
    const before = countCalls(ctx.sim, 'POST', '/app/login');
    const errors: GizwitsError[] = [];
    for (let i = 0; i < 6; i++) {
      const client = simClient(ctx.sim, 'demo', {
        credentials: { mode: 'password', username: 'demo', password: `wrong-${i}` },
        loginGate: gate,
      });
      await client.call('users.get').catch((e: GizwitsError) => errors.push(e));
    }
    assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - before, 3);
    assert.deepEqual(
      errors.map((e) => e.code),
      [9020, 9020, 9020, 'LOGIN_COOLDOWN', 'LOGIN_COOLDOWN', 'LOGIN_COOLDOWN'],
    );
    assert.match(
      errors[3].message,
      /refused 3 times in 5 minutes\. Not trying again for (299|300) s \(until \d\d:\d\d:\d\d UTC\)/,
    );
    // Another user of the same cloud is not held up by this one.
    const other = simClient(ctx.sim, 'guest', { loginGate: gate });
    assert.ok((await other.call('users.get')).uid);
  });

  it('uses the process-wide gate by default, keyed by cloud and user', async () => {
    const before = countCalls(ctx.sim, 'POST', '/app/login');
    const user = `gate-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      const client = simClient(ctx.sim, 'demo', {
        credentials: { mode: 'password', username: user, password: 'x' },
      });
      await client.call('users.get').catch(() => undefined);
    }
    assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - before, 3);
  });
});

describe('account budget: what comes back is bounded and scrubbed', () => {
  let server: http.Server;
  let url: string;
  let answer: (res: http.ServerResponse) => void = () => undefined;
  before(async () => {
    server = http.createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function tokenClient(token: string): GizwitsClient {
    return new GizwitsClient({
      appId: SIM_APP_ID,
      region: 'custom',
      apiUrl: url,
      credentials: { mode: 'token', uid: 'u1', token },
      retry: { retries: 0 },
    });
  }

  it('refuses an answer larger than 4 MiB instead of reading it all', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end('{}');
    };
    const client = tokenClient('t0ken-value');
    await assert.rejects(client.call('users.get'), (e: GizwitsError) => {
      assert.equal(e.code, 'BAD_RESPONSE');
      assert.equal(e.retryable, false);
      assert.match(e.message, /users\.get failed: BAD_RESPONSE \(the answer was larger than 4194304 bytes\)/);
      return true;
    });
    client.close();
  });

  it('refuses to send a request body larger than 1 MiB', async () => {
    let reached = 0;
    answer = (res) => {
      reached++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const client = tokenClient('t0ken-value');
    const huge = 'x'.repeat(1024 * 1024);
    await assert.rejects(client.call('rules.create', { rule_name: huge } as never), (e: GizwitsError) => {
      assert.equal(e.code, 'INVALID_PARAMS');
      assert.match(e.message, /rules\.create: the request was larger than 1048576 bytes, so it was not sent/);
      return true;
    });
    assert.equal(reached, 0);
    client.close();
  });

  it('takes every secret out of messages and details, however short', async () => {
    answer = (res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error_code: 9015,
          error_message: 'form invalid for Xq',
          detail_message: { token: 'Xq', nested: ['Xq was here', { deep: 'aXqb' }] },
        }),
      );
    };
    const client = tokenClient('Xq');
    await assert.rejects(client.call('users.get'), (e: GizwitsError) => {
      assert.equal(e.code, 9015);
      const everything = JSON.stringify({ message: e.message, detail: e.detail, server: e.serverMessage });
      assert.ok(!everything.includes('Xq'), everything);
      assert.deepEqual(e.detail, { token: '***', nested: ['*** was here', { deep: 'a***b' }] });
      return true;
    });
    client.close();
    assert.equal(redact('a-b-c', ['b']), 'a-***-c');
    assert.equal(redact('password12', ['password1', 'password12']), '***', 'the longest secret first');
  });
});

describe('data point definitions read off the wire', () => {
  const product = (attrs: unknown[]) =>
    ({ product_key: 'pk1', name: 'P', entities: [{ attrs }] }) as unknown as Parameters<
      typeof toProductSchema
    >[0];

  it('refuses a binary point longer than a device frame, or one with an unreadable length', () => {
    for (const position of [
      { len: 2e9, unit: 'byte' },
      { len: 1025, unit: 'byte' },
      { len: 'x' },
      { len: -1 },
      null,
    ]) {
      assert.throws(
        () =>
          toProductSchema(
            product([{ name: 'blob', type: 'status_writable', data_type: 'binary', position }]),
          ),
        (e: GizwitsError) => {
          assert.equal(e.code, 'BAD_RESPONSE');
          assert.match(
            e.message,
            /The data point definition of product pk1 is unusable \("blob" is a binary of .* outside 1…1024 bytes\)/,
          );
          return true;
        },
      );
    }
    const ok = toProductSchema(
      product([
        { name: 'blob', type: 'status_writable', data_type: 'binary', position: { len: 8192, unit: 'bit' } },
      ]),
    );
    assert.equal(ok.datapoints.get('blob')?.bytes, 1024);
  });

  it('refuses shapes that are not lists or names, and tolerates odd enum items', () => {
    assert.throws(
      () => toProductSchema({ product_key: 'pk1', entities: 'x' } as never),
      /entities is not a list/,
    );
    assert.throws(() => toProductSchema(product([null])), /a data point is not an object/);
    assert.throws(() => toProductSchema(product([{ name: { x: 1 }, data_type: 'bool' }])), /no usable name/);
    assert.throws(
      () => toProductSchema(product([{ name: 'n', data_type: 'uint8', uint_spec: { min: 0, max: 'x' } }])),
      /unusable max/,
    );
    const many = Array.from({ length: 1025 }, (_, i) => ({
      name: `p${i}`,
      type: 'status_readonly',
      data_type: 'bool',
    }));
    assert.throws(() => toProductSchema(product(many)), /more than 1024 data points/);
    const schema = toProductSchema(
      product([
        { name: 'mode', type: 'status_writable', data_type: 'enum', enum: ['a', null, 3, { name: 'd' }] },
      ]),
    );
    assert.deepEqual(schema.datapoints.get('mode')?.labels, ['a', '1', '3', 'd']);
  });
});
