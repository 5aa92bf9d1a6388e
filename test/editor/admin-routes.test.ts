// The admin routes behind the editor's pick-lists, called as the editor calls them: a deployed account
// by its id alone, or an account being edited with every value typed in its dialog. Then each attack that
// was reproduced on loopback against the earlier routes, which must all fail now.
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  SIM_APP_ID,
  SIM_DEVICES,
  SIM_GROUPS,
  SIM_PRODUCTS,
  SIM_SCENES,
  SIM_USERS,
} from '../../src/simulator';
import {
  ATTACK_COUNT,
  postRoute,
  recordingCloud,
  runAdminAttacks,
  type Answer,
  type AttackTarget,
  type RecordingCloud,
} from '../helpers/admin-attacks';
import {
  RouteRefusal,
  deployedTarget,
  needsEditRefusal,
  typedTarget,
} from '../../src/nodes/gizwits-account/admin-request';
import { unreachable } from '../../src/nodes/gizwits-account/admin-routes';
import { checkRendered } from '../helpers/error-catalogue';
import { RUNTIME, accountNode, apiNode, helper, simAccount, useNodeRed } from '../helpers/node-red';
import { freePort } from '../helpers/node-red-process';
import { countCalls, useSimulator } from '../helpers/simulator';

const mqttNode = require(
  require.resolve('@node-red/nodes/core/network/10-mqtt', {
    paths: [path.dirname(require.resolve(`${RUNTIME}/package.json`))],
  }),
);

const BROKER_PASSWORD = 'Broker-Secret-4711';
const STORED_TOKEN = 'Stored-Token-Canary-5c1e9a';
const REFUSED_PASSWORD = 'Wrong-Stored-Pass-31';
const CANARY = { name: 'GIZWITS_ADMIN_CANARY', value: 'canary-value-7f3a19e2' };

describe('gizwits-account pick-list routes', () => {
  const ctx = useSimulator();
  // Silent listeners time out quickly, so that a time-out can be compared with a closed port.
  before(() => helper.settings({ gizwits: { editorTimeoutMs: 800 } }));
  after(() => helper.settings({ gizwits: undefined }));
  useNodeRed();

  const config = () => ({
    name: 'sim',
    region: 'custom',
    apiUrl: ctx.sim.url,
    appId: SIM_APP_ID,
    authMode: 'password',
    secure: false,
  });
  const typed = (password = SIM_USERS.demo.password) => ({
    config: config(),
    credentials: { username: 'demo', password },
  });
  const refusedLogins = () =>
    ctx.sim.calls.filter((c) => c.method === 'POST' && c.path === '/app/login' && c.errorCode === 9020)
      .length;

  beforeEach(async () => {
    process.env[CANARY.name] = CANARY.value;
    const account = simAccount(ctx.sim);
    const tokenAccount = simAccount(ctx.sim, { id: 'tokenAccount', authMode: 'token' });
    const refused = simAccount(ctx.sim, { id: 'refusedAccount', user: 'guest' });
    const env = simAccount(ctx.sim, { id: 'envAccount' });
    const unset = simAccount(ctx.sim, { id: 'unsetAccount' });
    await helper.load(
      [accountNode, apiNode, mqttNode],
      [
        account.node,
        tokenAccount.node,
        refused.node,
        env.node,
        unset.node,
        {
          id: 'broker',
          type: 'mqtt-broker',
          name: 'local mqtt',
          broker: '127.0.0.1',
          port: '1',
          clientid: '',
        },
      ],
      {
        ...account.credentials,
        tokenAccount: { uid: SIM_USERS.demo.uid, token: STORED_TOKEN },
        refusedAccount: { username: 'guest', password: REFUSED_PASSWORD },
        broker: { user: 'broker-user', password: BROKER_PASSWORD },
        envAccount: { username: 'demo', password: '${GIZWITS_ADMIN_PW}' },
        unsetAccount: { username: 'demo', password: '${GIZWITS_ADMIN_NOT_SET}' },
      },
    );
  });
  afterEach(() => delete process.env[CANARY.name]);

  const send = async (route: string, body: unknown): Promise<Answer> => {
    const answer = await helper
      .request()
      .post(`/gizwits/account/${route}`)
      .send(body as object);
    return {
      status: answer.status,
      text: answer.text,
      body: answer.body,
      retryAfter: (answer.headers['retry-after'] as string | undefined) ?? null,
    };
  };
  const post = (route: string, body: unknown) => postRoute({ send }, route, body);

  /** Every message of an answer, checked to carry no stored secret nor the canary's value. */
  function assertClean(answer: Answer): void {
    for (const secret of [SIM_USERS.demo.password, STORED_TOKEN, BROKER_PASSWORD, CANARY.value])
      assert.ok(!answer.text.includes(secret), `an answer carries a secret: HTTP ${answer.status}`);
  }

  describe('the editor’s two kinds of request', () => {
    it('lists the devices of a deployed account asked for by its id alone', async () => {
      const answer = await post('devices', { id: 'account' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        (answer.body as unknown as Array<{ did: string }>).map((d) => d.did).sort(),
        Object.values(SIM_DEVICES).sort(),
      );
      const ac = (answer.body as unknown as Array<Record<string, unknown>>).find(
        (d) => d.did === SIM_DEVICES.demoAc,
      );
      assert.deepEqual(ac, {
        did: SIM_DEVICES.demoAc,
        alias: '客厅空调',
        productKey: SIM_PRODUCTS.airConditioner.product_key,
        productName: SIM_PRODUCTS.airConditioner.name,
        online: true,
        mac: 'accf23a10001',
      });
      assertClean(answer);
    });

    it('lists the data points of a deployed account’s device by did', async () => {
      const answer = await post('datapoints', { id: 'account', did: SIM_DEVICES.demoLamp1 });
      assert.equal(answer.status, 200, answer.text);
      const names = (answer.body as unknown as Array<{ name: string }>).map((p) => p.name);
      assert.ok(names.includes('brightness'), names.join(','));
    });

    it('works with values typed in the dialog of an account never deployed, signing in once', async () => {
      const logins = countCalls(ctx.sim, 'POST', '/app/login');
      const devices = await post('devices', typed());
      assert.equal(devices.status, 200, devices.text);
      assert.equal((devices.body as unknown as unknown[]).length, Object.keys(SIM_DEVICES).length);
      const groups = await post('groups', typed());
      assert.equal(groups.status, 200);
      assert.equal(countCalls(ctx.sim, 'POST', '/app/login') - logins, 1, 'one sign-in for both lists');
    });

    it("lists a device's data points with type, range, labels and read/write, by did or product key", async () => {
      const byDid = await post('datapoints', { ...typed(), did: SIM_DEVICES.demoLamp1 });
      assert.equal(byDid.status, 200, byDid.text);
      const points = byDid.body as unknown as Array<Record<string, unknown>>;
      assert.deepEqual(
        points.find((p) => p.name === 'brightness'),
        {
          name: 'brightness',
          displayName: '亮度',
          kind: 'writable',
          dataType: 'uint8',
          min: 0,
          max: 100,
          step: 1,
        },
      );
      assert.deepEqual(points.find((p) => p.name === 'mode')?.labels, ['常亮', '呼吸', '闪烁', '渐变']);
      const byKey = await post('datapoints', {
        ...typed(),
        productKey: SIM_PRODUCTS.airConditioner.product_key,
      });
      const keyed = byKey.body as unknown as Array<Record<string, unknown>>;
      const room = keyed.find((p) => p.name === 'room_temp');
      assert.equal(room?.kind, 'readonly');
      assert.equal(room?.min, -10);
      assert.ok(keyed.some((p) => p.kind === 'alert'));
    });

    it('refuses a did the account does not have, and a request naming neither did nor product', async () => {
      const unknown = await post('datapoints', { ...typed(), did: 'NotMyDevice0000000000' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.code, 'INVALID_PARAMS');
      assert.match(String(unknown.body.message), /NotMyDevice0000000000 is not bound to this account/);
      const neither = await post('datapoints', typed());
      assert.equal(neither.status, 400);
      assert.match(String(neither.body.message), /Give a device/);
    });

    it('lists groups and scenes in the shapes the group and scene nodes expect', async () => {
      const groups = await post('groups', { id: 'account' });
      assert.deepEqual(
        (groups.body as unknown as Array<{ id: string }>).find((g) => g.id === SIM_GROUPS.demoLamps),
        { id: SIM_GROUPS.demoLamps, group_name: '卧室灯组', product_key: SIM_PRODUCTS.rgbLamp.product_key },
      );
      const scenes = await post('scenes', typed());
      assert.deepEqual(
        (scenes.body as unknown as Array<{ id: string }>).find((s) => s.id === SIM_SCENES.demoEvening),
        { id: SIM_SCENES.demoEvening, scene_name: '回家模式' },
      );
    });

    it('answers a refused sign-in with 400 {message, code, failure}, never the password, and lets a fixed one work', async () => {
      const wrong = await post('devices', typed('Not-The-Pass-77'));
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.code, 9020);
      assert.equal(wrong.body.failure, 'refused');
      assert.ok(!wrong.text.includes('Not-The-Pass-77'));
      const right = await post('devices', typed());
      assert.equal(right.status, 200);
    });

    it('explains a configuration that cannot work, quoting only what it was sent', async () => {
      const answer = await post('devices', {
        config: { ...config(), apiUrl: 'nope' },
        credentials: { username: 'demo', password: 'x-typed-pass' },
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.failure, 'invalid');
      assert.match(String(answer.body.message), /"nope" is not a URL/);
    });

    it('resolves a deployed node’s own ${VAR} settings as the node does, and names no saved value when one is unset', async () => {
      process.env.GIZWITS_ADMIN_PW = SIM_USERS.demo.password;
      try {
        const fine = await post('scenes', { id: 'envAccount' });
        assert.equal(fine.status, 200, fine.text);
        const broken = await post('scenes', { id: 'unsetAccount' });
        assert.equal(broken.status, 400);
        assert.equal(broken.body.code, 'INVALID_CONFIG');
        assert.match(String(broken.body.message), /"unsetAccount" cannot work with its saved settings/);
        assert.doesNotMatch(broken.text, /GIZWITS_ADMIN_NOT_SET/);
      } finally {
        delete process.env.GIZWITS_ADMIN_PW;
      }
    });

    it('tests a sign-in of the deployed account by its id alone, and of typed values', async () => {
      const stored = await post('login-test', { id: 'account' });
      assert.equal(stored.status, 200, stored.text);
      assert.equal(stored.body.uid, SIM_USERS.demo.uid);
      const own = await post('login-test', typed());
      assert.equal(own.body.ok, true);
    });
  });

  describe('the attacks reproduced on the earlier routes', () => {
    let cloud: RecordingCloud;
    beforeEach(async () => {
      cloud = await recordingCloud();
    });
    afterEach(() => cloud.close());

    it('the listener notices a request that does reach it (typed credentials, as an editor may send)', async () => {
      const answer = await post('login-test', {
        config: { ...config(), apiUrl: cloud.url },
        credentials: { username: 'probe', password: 'Typed-Probe-Pass' },
      });
      assert.equal(cloud.requests.length, 1, 'the typed sign-in reached the listener');
      assert.match(cloud.requests[0].raw, /Typed-Probe-Pass/);
      assert.equal(answer.status, 502);
    });

    for (const route of ['devices', 'datapoints', 'groups', 'scenes', 'login-test']) {
      it(`never sends stored credentials to an address a request names (${route})`, async () => {
        const answer = await post(route, {
          id: 'account',
          config: { ...config(), apiUrl: cloud.url },
          did: SIM_DEVICES.demoLamp1,
        });
        assert.equal(cloud.requests.length, 0, 'a request reached the listener');
        assert.equal(answer.status, 400);
        assert.equal(answer.body.code, 'INVALID_CONFIG');
        assertClean(answer);
      });
    }

    it('refuses the stored password’s placeholder next to settings of the request’s own', async () => {
      const answer = await post('devices', {
        id: 'account',
        config: { ...config(), apiUrl: cloud.url },
        credentials: { username: 'demo', password: '__PWRD__' },
      });
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.message), /placeholder of a stored value.*type the password again/);
      assert.equal(cloud.requests.length, 0);
    });

    it('never sends a stored token to an address a request names', async () => {
      const answer = await post('scenes', {
        id: 'tokenAccount',
        config: { ...config(), apiUrl: cloud.url, authMode: 'token' },
      });
      assert.equal(answer.status, 400);
      assert.equal(cloud.requests.length, 0);
      assertClean(answer);
    });

    it('serves gizwits-account nodes only: an mqtt-broker id lends nothing', async () => {
      const alone = await post('devices', { id: 'broker' });
      assert.equal(alone.status, 404);
      assert.equal(alone.body.failure, 'not-found');
      assert.match(String(alone.body.message), /No deployed gizwits-account node has the id "broker"/);
      const redirected = await post('devices', {
        id: 'broker',
        config: { ...config(), apiUrl: cloud.url },
        credentials: { username: 'broker-user' },
      });
      assert.equal(redirected.status, 400);
      assert.equal(cloud.requests.length, 0);
      for (const answer of [alone, redirected]) assertClean(answer);
    });

    it('resolves no ${VAR} of a request body, and does not echo its value', async () => {
      const inUrl = await post('devices', {
        config: { ...config(), apiUrl: `\${${CANARY.name}}` },
        credentials: { username: 'demo', password: 'x-typed-pass' },
      });
      assert.equal(inUrl.status, 400);
      assert.match(
        String(inUrl.body.message),
        new RegExp(`API URL refers to the environment variable ${CANARY.name}: values typed`),
      );
      const inPassword = await post('login-test', {
        config: { ...config(), apiUrl: cloud.url },
        credentials: { username: 'demo', password: `\${${CANARY.name}}` },
      });
      assert.equal(inPassword.status, 400);
      assert.equal(cloud.requests.length, 0);
      for (const answer of [inUrl, inPassword]) assertClean(answer);
    });

    it('answers alike for a closed port, a web page, a reset and silence', async () => {
      const reset = await recordingCloud('reset');
      const silent = await recordingCloud('silent');
      try {
        const closed = `http://127.0.0.1:${await freePort()}`;
        const warnings = () =>
          (helper.log().args as Array<[{ level: number; msg: unknown }]>)
            .map(([entry]) => entry)
            .filter(
              (entry) => entry.level === 30 && String(entry.msg).startsWith('[gizwits] an editor request'),
            )
            .map((entry) => String(entry.msg));
        for (const route of ['devices', 'login-test']) {
          const answers: Answer[] = [];
          const logged = warnings().length;
          for (const url of [closed, cloud.url, reset.url, silent.url])
            answers.push(
              await post(route, {
                config: { ...config(), apiUrl: url },
                credentials: { username: 'probe', password: 'Typed-Probe-Pass' },
              }),
            );
          const shapes = answers.map((a) =>
            JSON.stringify([a.status, a.body.code, a.body.failure, a.body.message]),
          );
          assert.equal(new Set(shapes).size, 1, shapes.join('\n'));
          assert.equal(answers[0].status, 502);
          assert.equal(answers[0].body.failure, 'network');
          assert.match(String(answers[0].body.message), /^Could not reach the Open API/);
          // The runtime's log, unlike the answer, says which way each failed (and nothing typed).
          const lines = warnings().slice(logged);
          assert.equal(lines.length, 4, lines.join('\n'));
          assert.match(lines[0], /: NETWORK ECONNREFUSED in /);
          assert.match(lines[1], /: (HTTP|BAD_RESPONSE) in /);
          assert.match(lines[2], /: NETWORK (ECONNRESET|EPIPE) in /);
          assert.match(lines[3], /: TIMEOUT( E[A-Z]+)? in /);
          for (const line of lines)
            assert.ok(!line.includes('Typed-Probe-Pass') && !line.includes('probe'), line);
        }
        assert.ok(cloud.requests.length > 0 && reset.requests.length > 0 && silent.requests.length > 0);
      } finally {
        await reset.close();
        await silent.close();
      }
    });

    it('lets 3 of 5 wrong typed passwords reach the cloud and tells the 4th and 5th how long to wait', async () => {
      const user = `cooldown-${Date.now()}`;
      const before = refusedLogins();
      const answers: Answer[] = [];
      for (let i = 0; i < 5; i += 1)
        answers.push(
          await post('login-test', {
            config: config(),
            credentials: { username: user, password: `Wrong-Pass-${i}-x` },
          }),
        );
      assert.equal(refusedLogins() - before, 3);
      assert.deepEqual(
        answers.map((a) => a.status),
        [400, 400, 400, 429, 429],
      );
      for (const late of answers.slice(3)) {
        assert.equal(late.body.code, 'LOGIN_COOLDOWN');
        assert.equal(late.body.failure, 'cooldown');
        assert.match(String(late.body.message), /Not trying again for \d+ s \(until \d\d:\d\d:\d\d UTC\)/);
        assert.ok(Number(late.retryAfter) > 0 && Number(late.retryAfter) <= 300, String(late.retryAfter));
      }
    });

    it('lets at most 3 refused sign-ins of a deployed account through the read routes', async () => {
      const before = refusedLogins();
      const answers: Answer[] = [];
      for (let i = 0; i < 5; i += 1) answers.push(await post('devices', { id: 'refusedAccount' }));
      assert.ok(refusedLogins() - before <= 3, `${refusedLogins() - before} reached the cloud`);
      assert.equal(answers[4].status, 429);
      assert.ok(!answers.some((a) => a.text.includes(REFUSED_PASSWORD)));
    });

    it('fails every attack of the shared list (no adminAuth: the caller may edit)', async () => {
      const target: AttackTarget = {
        send,
        accountId: 'account',
        tokenAccountId: 'tokenAccount',
        mqttBrokerId: 'broker',
        refusedAccountId: 'refusedAccount',
        appId: SIM_APP_ID,
        canary: CANARY,
        secrets: [SIM_USERS.demo.password, STORED_TOKEN, BROKER_PASSWORD, REFUSED_PASSWORD],
        cloud: { url: ctx.sim.url, refusedLogins },
      };
      const results = await runAdminAttacks(target);
      assert.equal(results.length, ATTACK_COUNT);
      const succeeded = results.filter((r) => r.succeeded);
      assert.deepEqual(succeeded, [], JSON.stringify(succeeded, null, 2));
    });
  });

  describe('texts', () => {
    it('words every refusal of the routes from the catalogue, in English and Chinese', () => {
      const refusals = [needsEditRefusal()];
      for (const body of [
        { config: config(), credentials: { username: 'demo', password: '__PWRD__' } },
        { config: config(), credentials: { username: 'demo', productSecret: '__PWRD__' } },
        { config: { ...config(), appId: '${SOME_VAR}' }, credentials: { username: 'demo' } },
      ]) {
        try {
          typedTarget(body);
        } catch (error) {
          refusals.push(error as InstanceType<typeof RouteRefusal>);
        }
      }
      const broken = {
        type: 'gizwits-account',
        clientOptions: () => {
          throw new Error('saved settings that cannot work');
        },
      };
      const RED = {
        nodes: { getNode: (id: string) => (id === 'broken' ? broken : null) },
      } as unknown as Parameters<typeof deployedTarget>[0];
      for (const body of [{}, { id: 'x' }, { id: 'broken' }]) {
        try {
          deployedTarget(RED, body);
        } catch (error) {
          refusals.push(error as InstanceType<typeof RouteRefusal>);
        }
      }
      assert.equal(refusals.length, 7);
      for (const refusal of refusals) {
        assert.ok(refusal instanceof RouteRefusal);
        checkRendered(refusal.error.text!, refusal.error.message);
      }
      checkRendered(unreachable().text!, unreachable().message);
    });
  });
});
