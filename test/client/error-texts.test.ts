// Every error the client raises with a local code carries a key of the nodes' error catalogue
// (gizwits-account's locales, `errors.text`), so that a Chinese runtime can word it in Chinese. Each error
// here is raised for real; its English catalogue text, given the error's values, must be the error's own
// message exactly, and its Chinese text must exist and leave no placeholder unfilled.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AxiosError } from 'axios';
import {
  DeviceRegistry,
  DeviceSocket,
  GizwitsClient,
  GizwitsError,
  RequestPipeline,
  Session,
  encodeValue,
  encodeWrite,
  prepareRequest,
  rawFrame,
  resolveApiUrl,
  toGizwitsError,
  validateCredentials,
  type ClientOptions,
  type DeviceSocketOptions,
  type ErrorText,
  type SessionCredentials,
  type TokenAnswer,
} from '../../src/client';
import { SIM_APP_ID, SIM_DEVICES } from '../../src/simulator';
import { record } from '../helpers/events';
import { waitFor } from '../helpers/live';
import { freePort } from '../helpers/node-red-process';
import { assertInBothLanguages, checkErrorText, keysNamedIn, render } from '../helpers/error-catalogue';
import { clientSchema, GAUGE, GAUGE_DID } from '../helpers/products';
import { simClient, useSimulator } from '../helpers/simulator';

const { demoAc, demoPlug1, demoPlug2Offline, demoLamp1 } = SIM_DEVICES;

/** Checks the error's text (see checkErrorText), with `key` its outermost key when given. */
function check(error: unknown, key?: string): GizwitsError {
  checkErrorText(error);
  const checked = error as GizwitsError;
  if (key) assert.equal(checked.text!.key, key, checked.message);
  return checked;
}

/** The error `run` throws or rejects with. */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail('no error was thrown');
}

const CLIENT = path.join(__dirname, '../../src/client');
const SOURCES = [
  ...[
    'datapoints',
    'raw-frames',
    'device-socket',
    'pipeline',
    'prepared-request',
    'session',
    'client',
    'regions',
  ].map((name) => `${name}.ts`),
  ...fs.readdirSync(CLIENT).filter((file) => file.startsWith('socket-')),
  ...fs.readdirSync(path.join(CLIENT, 'registry')).map((file) => path.join('registry', file)),
].map((file) => path.join(CLIENT, file));

describe('error texts of the client (catalogue keys)', function () {
  it('has an English and a Chinese text, with the same placeholders, for every key the client names', () => {
    const keys = keysNamedIn(SOURCES, ['write', 'raw', 'device', 'request', 'session', 'config']);
    for (const field of ['username', 'password', 'phoneId', 'uid', 'token'])
      keys.add(`session.field.${field}`);
    assert.ok(keys.size > 50, `only ${keys.size} keys found`);
    assertInBothLanguages(keys);
  });

  describe('data points (write.*, raw.*)', () => {
    const schema = clientSchema(GAUGE);
    const point = (name: string) => schema.datapoints.get(name)!;
    const DID = GAUGE_DID;

    it('keys refused values, with the device named or not', async () => {
      const cases: Array<[string, () => unknown, RegExp]> = [
        [
          'write.reason.bool',
          () => encodeValue(point('power'), 'yes', DID),
          /^Cannot write to TestGauge.*"yes"$/,
        ],
        ['write.reason.bool', () => encodeValue(point('power'), 'yes'), /^Cannot write: "power" takes/],
        ['write.reason.bool', () => encodeValue(point('power'), undefined), /not undefined$/],
        [
          'write.reason.enum',
          () => encodeValue(point('level'), 7, DID),
          /one of 0 "low", 1 "mid", 2 "high"; not 7/,
        ],
        ['write.reason.binary', () => encodeValue(point('blob'), { a: 1 }, DID), /hex text/],
        [
          'write.reason.binaryLength',
          () => encodeValue(point('blob'), [1, 2, 3, 4, 5]),
          /holds 4 bytes; 5 given/,
        ],
        ['write.reason.number', () => encodeValue(point('small'), 'abc', DID), /takes a number, not "abc"/],
        ['write.reason.range', () => encodeValue(point('small'), 500), /between 10 and 110; 500 is out/],
        ['write.reason.step', () => encodeValue(point('small'), 10.2, DID), /steps of 0.5 from 10; 10.2/],
        ['write.reason.notObject', () => encodeWrite(schema, 'x', DID), /give an object/],
        ['write.reason.empty', () => encodeWrite(schema, {}), /no data point values given/],
        [
          'write.reason.unknown',
          () => encodeWrite(schema, { nope: 1 }, DID),
          /writable ones are power, level/,
        ],
        ['write.reason.readonly', () => encodeWrite(schema, { reading: 1 }), /read-only/],
        ['write.reason.alert', () => encodeWrite(schema, { alarm: true }, DID), /an alert point/],
        ['write.reason.fault', () => encodeWrite(schema, { broken: true }), /a fault point/],
        ['raw.notBytes', () => rawFrame([256], DID), /integers 0-255/],
        ['raw.empty', () => rawFrame([]), /raw data is empty/],
        ['raw.badLength', () => rawFrame([0, 0, 0, 3, 0x80, 0x80, 0x80, 0x80], DID), /broken length/],
        ['raw.lengthMismatch', () => rawFrame([0, 0, 0, 3, 5, 0, 0, 0x90]), /says 5 bytes .*; 3 do/],
        ['raw.badCommand', () => rawFrame([0, 0, 0, 3, 3, 0, 0, 0x91], DID), /command 0x0090/],
      ];
      for (const [key, run, message] of cases) {
        // One frame (write.refused) and one reason.
        const error = check(await caught(run), 'write.refused');
        assert.equal((error.text!.params!.reason as ErrorText).key, key, error.message);
        assert.equal(error.code, 'INVALID_PARAMS');
        assert.match(error.message, message);
      }
    });
  });

  it('keys bad regions and custom URLs (config.*)', async () => {
    check(await caught(() => resolveApiUrl('mars')), 'config.unknownRegion');
    check(await caught(() => resolveApiUrl('custom', 'not a url')), 'config.badUrl');
    check(await caught(() => resolveApiUrl('custom', 'ftp://example.com')), 'config.urlProtocol');
    check(await caught(() => resolveApiUrl('custom', 'http://u:p@example.com')), 'config.urlCredentials');
  });

  it('keys missing credentials, an expired given token, a login without token and the cooldown (session.*)', async () => {
    const missing: Array<[Partial<SessionCredentials>, string]> = [
      [{ mode: 'password' }, 'has no username'],
      [{ mode: 'password', username: 'u' }, 'has no password'],
      [{ mode: 'anonymous' }, 'has no phone id'],
      [{ mode: 'token' }, 'has no uid'],
      [{ mode: 'token', uid: 'u' }, 'has no token'],
    ];
    for (const [credentials, words] of missing) {
      const error = check(
        await caught(() => validateCredentials(credentials as SessionCredentials)),
        'session.missing',
      );
      assert.ok(error.message.endsWith(words), error.message);
    }
    check(
      await caught(() => validateCredentials({ mode: 'magic' } as unknown as SessionCredentials)),
      'session.unknownMode',
    );

    const noLogin = async (): Promise<TokenAnswer> => assert.fail('no login expected');
    const expired = new Session({ mode: 'token', uid: 'u', token: 't', expireAt: 1000 }, noLogin, undefined, {
      now: () => 2_000_000,
    });
    assert.equal(check(await caught(() => expired.token()), 'session.tokenExpired').code, 9006);

    const credentials: SessionCredentials = { mode: 'password', username: 'u', password: 'p4ssw0rd' };
    const empty = new Session(credentials, async () => ({}) as TokenAnswer);
    assert.equal(check(await caught(() => empty.login()), 'session.noToken').code, 'BAD_RESPONSE');

    for (const serverMessage of ['username or password error', undefined]) {
      const refused = new Session(credentials, async () => {
        throw new GizwitsError({ code: 9020, operation: 'users.login', serverMessage });
      });
      await caught(() => refused.login());
      const error = check(await caught(() => refused.login()), 'session.cooldown');
      assert.equal(error.code, 'LOGIN_COOLDOWN');
      assert.match(error.message, serverMessage ? /\(username or password error\)/ : /\(bad credentials\)/);
    }
  });

  describe('requests (request.*, config.*)', () => {
    const ctx = useSimulator();

    /** A local server answering every request with what `answer` says; the client uses a given token. */
    let server: http.Server;
    let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
    let base = '';
    before(async () => {
      server = http.createServer((req, res) => answer(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const clients: GizwitsClient[] = [];
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    function local(extra: Partial<ClientOptions> = {}): GizwitsClient {
      const client = new GizwitsClient({
        appId: 'app',
        region: 'custom',
        apiUrl: base,
        credentials: { mode: 'token', uid: 'u', token: 'tok-secret-1234' },
        retry: { retries: 0 },
        ...extra,
      });
      clients.push(client);
      return client;
    }
    const json =
      (body: unknown, status = 200) =>
      (_req: http.IncomingMessage, res: http.ServerResponse) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };

    it('keys bad parameters, unknown operations and a closed client or pipeline', async () => {
      check(await caught(() => prepareRequest('bindings.list', [] as never)), 'request.paramsNotObject');
      const missing = check(await caught(() => prepareRequest('devices.control', { attrs: {} })));
      assert.equal(missing.text?.key, 'request.missingParam');
      check(
        await caught(() => prepareRequest('devices.get', { did: { x: 1 } } as never)),
        'request.paramType',
      );
      const client = local();
      check(await caught(() => client.call('no.such' as never)), 'request.unknownOperation');
      client.close();
      check(await caught(() => client.call('users.get', {})), 'request.closed');
      const pipeline = new RequestPipeline({ baseUrl: base });
      pipeline.close();
      check(await caught(() => pipeline.send(prepareRequest('users.get', {}), () => ({}))), 'request.closed');
    });

    it('keys a missing AppID, app secret or product secret', async () => {
      check(
        await caught(
          () => new GizwitsClient({ appId: '', credentials: { mode: 'token', uid: 'u', token: 't' } }),
        ),
        'config.noAppId',
      );
      check(await caught(() => local().call('app.requestToken', {})), 'config.noAppSecret');
      check(
        await caught(() =>
          local().call('bindings.bindMac', { product_key: 'nope', mac: 'aabbccddeeff' } as never),
        ),
        'config.noProductSecret',
      );
    });

    it('keys a timeout, an unreachable cloud and an HTTP failure, against the simulator', async () => {
      const sim = ctx.sim;
      sim.faults.setLatency(300);
      const slow = simClient(sim, 'demo', { timeoutMs: 50, retry: { retries: 0 } });
      const timeout = check(await caught(() => slow.call('bindings.list', {})), 'request.timeout');
      assert.equal(timeout.code, 'TIMEOUT');
      sim.faults.setLatency(0);

      const port = await freePort();
      const nowhere = simClient(sim, 'demo', { apiUrl: `http://127.0.0.1:${port}`, retry: { retries: 0 } });
      const unreachable = check(await caught(() => nowhere.call('bindings.list', {})), 'request.unreachable');
      assert.match(unreachable.message, /NETWORK \(ECONNREFUSED\): the Gizwits cloud could not be reached/);

      const client = simClient(sim, 'demo', { retry: { retries: 0 } });
      await client.session.login();
      sim.faults.failNext(1, 502);
      const failed = check(await caught(() => client.call('bindings.list', {})), 'request.http');
      assert.equal(failed.code, 'HTTP');
      assert.match(failed.message, /HTTP 502/);
    });

    it('keys transport failures with and without words from elsewhere', () => {
      const response = (statusText: string) => ({ status: 502, statusText, data: '<html>', headers: {} });
      assert.match(
        check(toGizwitsError('users.get', response('Bad Gateway')), 'request.http').message,
        /\(Bad Gateway\)$/,
      );
      assert.match(check(toGizwitsError('users.get', response('')), 'request.http').message, /HTTP 502$/);
      check(
        toGizwitsError('users.get', new AxiosError('timeout of 5ms exceeded', 'ECONNABORTED')),
        'request.timeout',
      );
      check(toGizwitsError('users.get', new AxiosError('')), 'request.unreachable');
      check(toGizwitsError('users.get', new Error('boom')), 'request.network');
      check(toGizwitsError('users.get', new Error('')), 'request.network');
    });

    it('keys answers that are not what was asked, and a refused given token', async () => {
      answer = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('hello');
      };
      check(await caught(() => local().call('users.get', {})), 'request.notJson');
      answer = json({});
      check(await caught(() => local().listAll('groups.list')), 'request.notList');
      check(await caught(() => local().listAll('bindings.list')), 'request.noList');
      answer = json({ devices: Array.from({ length: 20 }, () => ({ did: 'same' })) });
      check(await caught(() => local().listAll('bindings.list')), 'request.samePage');
      answer = json({ devices: Array.from({ length: 20 }, (_, i) => ({ did: `d${i}` })) });
      check(await caught(() => local().listAll('bindings.list', {}, { maxItems: 5 })), 'request.tooMany');
      answer = json({ error_code: 9004, error_message: 'token invalid' }, 400);
      const refused = check(await caught(() => local().call('users.get', {})), 'cloudWithHint');
      assert.equal(refused.code, 9004);
      answer = json({ error_code: 9006 }, 400);
      check(await caught(() => local().call('users.get', {})), 'cloudWithHint');
    });

    it('takes secrets out of the values of a text as out of the message', async () => {
      answer = (_req, res) => {
        res.statusMessage = 'broken tok-secret-1234';
        res.writeHead(500);
        res.end();
      };
      const error = check(await caught(() => local().call('users.get', {})), 'request.http');
      assert.doesNotMatch(error.message, /tok-secret-1234/);
      assert.doesNotMatch(render('zh-CN', error.text!), /tok-secret-1234/);
    });
  });

  describe('devices (device.*)', function () {
    const ctx = useSimulator();
    const FAST = {
      pingIntervalMs: 1000,
      loginTimeoutMs: 1000,
      backoffBaseMs: 20,
      backoffCapMs: 200,
      stableMs: 300,
    };
    const closers: Array<{ close(): void }> = [];
    afterEach(() => {
      for (const each of closers.splice(0)) each.close();
    });

    function registry() {
      const made = new DeviceRegistry(simClient(ctx.sim), { secure: false, socket: FAST });
      closers.push(made);
      return { registry: made, events: record(made, ['status', 'online', 'state']) };
    }

    function socket(wanted: string[], options: Partial<DeviceSocketOptions> = {}) {
      const client = simClient(ctx.sim);
      const made = new DeviceSocket({
        url: `ws://127.0.0.1:${ctx.sim.port}/ws/app/v1`,
        appId: SIM_APP_ID,
        credentials: async (fresh) => {
          if (fresh && client.session.known) client.session.invalidate(client.session.known.token);
          const token = await client.session.token();
          return { uid: token.uid, token: token.token };
        },
        ...FAST,
        ...options,
      });
      closers.push(made);
      const events = record(made, ['state', 'noti']);
      made.setWanted(wanted);
      return { socket: made, events };
    }

    it('keys a device not bound, not followed, a refused value and an unconfirmed write (registry)', async () => {
      const sim = ctx.sim;
      const { registry: devices, events } = registry();
      check(await caught(() => devices.write('NoSuchDevice0000000000', { switch: true })), 'device.notBound');
      const bad = check(await caught(() => devices.write(demoPlug1, { switch: 'yes' })), 'write.refused');
      assert.match(
        bad.message,
        // The device by its alias, with the did (issue: errors you can read).
        new RegExp(`^Cannot write to 台灯插座 \\(${demoPlug1}\\): "switch" takes true or false, not "yes"$`),
      );
      check(
        await caught(() => devices.write(demoAc, { on_timing: 5 }, { transport: 'websocket' })),
        'device.notFollowed',
      );

      devices.follow('a', [demoLamp1]);
      await events.next('status', (e) => e.did === demoLamp1 && e.initial, 3000, 0);
      sim.faults.ignoreWrites(demoLamp1, true);
      const value = ((devices.stateOf(demoLamp1)!.attrs.LED_R as number) + 7) % 250;
      const unconfirmed = check(
        await caught(() => devices.write(demoLamp1, { LED_R: value }, { confirm: true, timeoutMs: 300 })),
        'device.notConfirmed',
      );
      assert.match(unconfirmed.message, /did not report LED_R as written within 0.3 s/);
      sim.faults.ignoreWrites(demoLamp1, false);

      sim.faults.setOnline(demoLamp1, false);
      await events.next('online', (e) => e.did === demoLamp1 && !e.online, 2000, 0);
      const offline = check(
        await caught(() => devices.write(demoLamp1, { LED_R: 1 }, { transport: 'websocket' })),
        'device.offline',
      );
      assert.equal(offline.code, 9042);
    });

    it('keys a websocket that does not come up in time, and writes ended by close (registry)', async () => {
      const sim = ctx.sim;
      const { registry: devices } = registry();
      sim.faults.stopAnsweringPings(true);
      devices.follow('a', [demoPlug1]);
      const down = check(
        await caught(() =>
          devices.write(demoPlug1, { switch: true }, { transport: 'websocket', timeoutMs: 300 }),
        ),
        'device.notConnected',
      );
      assert.match(
        down.message,
        /the websocket is not connected \((connecting|authenticating|reconnecting|not started)\)/,
      );
      sim.faults.stopAnsweringPings(false);

      // A write the device never reports: still waiting for its confirmation when the account closes.
      sim.faults.ignoreWrites(demoPlug1, true);
      const plug = sim.model.devices.get(demoPlug1)!;
      const now = plug.socketSnapshot().switch === true;
      const lastBefore = plug.log.at(-1);
      const writing = caught(() =>
        devices.write(demoPlug1, { switch: !now }, { transport: 'rest', confirm: true, timeoutMs: 5000 }),
      );
      // The command in the device's log means the confirmation wait is registered (it is set up before
      // the REST call goes out), so the close below ends that wait and nothing earlier.
      await waitFor(() => plug.log.at(-1) !== lastBefore && plug.log.at(-1)!.type === 'app2dev', 3000);
      devices.close();
      const closed = check(await writing, 'device.closed');
      assert.equal(closed.code, 'CLOSED');
    });

    it('keys a socket not online, an unanswered request and requests ended by the session or close (socket)', async () => {
      const idle = new DeviceSocket({
        url: 'ws://127.0.0.1:9/ws/app/v1',
        appId: SIM_APP_ID,
        credentials: async () => ({ uid: 'u', token: 't' }),
      });
      closers.push(idle);
      check(await caught(() => idle.write(demoAc, { on_timing: 1 }, 100)), 'device.socketNotOnline');
      check(
        await caught(() => idle.writeRaw(demoAc, [0, 0, 0, 3, 3, 0, 0, 0x90], 100)),
        'device.socketNotOnline',
      );

      const sim = ctx.sim;
      const { socket: live, events } = socket([demoAc, demoPlug2Offline]);
      await events.next('noti', (e) => e.did === demoAc && e.initial, 3000, 0);
      // The offline device never acknowledges a write.
      const unanswered = check(
        await caught(() => live.write(demoPlug2Offline, { switch: true }, 200)),
        'device.noAnswer',
      );
      assert.equal(unanswered.code, 'TIMEOUT');

      const mark = events.mark();
      const ended = caught(() => live.write(demoPlug2Offline, { switch: true }, 5000));
      sim.faults.sendInvalid(1009);
      const session = check(await ended, 'device.requestEnded');
      assert.equal((session.text!.params!.reason as ErrorText).key, 'device.sessionEnded');
      await events.next('noti', (e) => e.did === demoAc && e.initial, 3000, mark);
      await waitFor(() => live.state === 'online', 2000);

      const dropped = caught(() => live.write(demoPlug2Offline, { switch: true }, 5000));
      live.close();
      const closed = check(await dropped, 'device.requestEnded');
      assert.match(closed.message, /: closed before the answer$/);
    });

    it('keys a websocket login refused even with a fresh token (socket)', async () => {
      const { socket: refused, events } = socket([demoAc], { appId: 'not-the-app-id' });
      await events.next('state', (s) => s === 'failed', 3000, 0);
      check(refused.error, 'device.loginRefused');
    });
  });
});
