import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_MANY_PLUG_COUNT, SIM_USERS } from '../../src/simulator';
import type { AccountOptions } from '../helpers/flows';
import {
  accountNode,
  apiNode,
  helper,
  loadNode,
  nextMessage,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { countCalls, useSimulator, withoutCalls } from '../helpers/simulator';

describe('gizwits-api in Node-RED', () => {
  const ctx = useSimulator();
  useNodeRed();

  async function load(config: Record<string, unknown> = {}, user: AccountOptions['user'] = 'demo') {
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-api',
      config: { operation: 'bindings.list', allPages: false, ...config },
      account: { user },
    });
    return { api: flow.node, out: flow.outNode, caught: flow.caughtNode };
  }

  it('calls the configured operation and outputs the answer', async () => {
    const { api, out } = await load();
    const received = nextMessage<{
      payload: { devices: Array<{ did: string }> };
      operation: string;
      topic: string;
    }>(out);
    api.receive({ payload: Date.now(), topic: 'kept' });
    const msg = await received;
    assert.equal(msg.operation, 'bindings.list');
    assert.equal(msg.topic, 'kept');
    assert.deepEqual(msg.payload.devices.map((d) => d.did).sort(), Object.values(SIM_DEVICES).sort());
  });

  it('takes the operation from msg.operation and parameters from msg.payload', async () => {
    const { api, out } = await load();
    const first = nextMessage(out);
    api.receive({
      operation: 'devices.control',
      payload: { did: SIM_DEVICES.demoLamp1, attrs: { LED_R: 200 } },
    });
    await first;
    const second = nextMessage<{ payload: { attr: Record<string, unknown> } }>(out);
    api.receive({ operation: 'devices.latest', payload: JSON.stringify({ did: SIM_DEVICES.demoLamp1 }) });
    assert.equal((await second).payload.attr.LED_R, 200);
  });

  it('fetches every page when asked, in the node or in msg.allPages', async () => {
    const { api, out } = await load({ allPages: true }, 'many');
    const whole = nextMessage<{ payload: unknown[] }>(out);
    api.receive({ payload: {} });
    assert.equal((await whole).payload.length, SIM_MANY_PLUG_COUNT);
    const one = nextMessage<{ payload: { devices: unknown[] } }>(out);
    api.receive({ payload: {}, allPages: false });
    assert.equal((await one).payload.devices.length, 20);
  });

  it('reports a cloud error to a Catch node with the code and name, and a red status', async () => {
    const { api } = await load();
    const caught = nextMessage<{ error: { message: string; source: { id: string } } }>(
      helper.getNode('caught'),
    );
    const before = countCalls(ctx.sim, 'POST', `/app/control/${SIM_DEVICES.demoPlug2Offline}`);
    api.receive({
      operation: 'devices.control',
      payload: { did: SIM_DEVICES.demoPlug2Offline, attrs: { switch: true } },
    });
    const msg = await caught;
    assert.match(msg.error.message, /devices.control failed: 9042 GIZ_OPENAPI_DEVICE_OFFLINE/);
    assert.equal(msg.error.source.id, 'api');
    assert.equal(
      countCalls(ctx.sim, 'POST', `/app/control/${SIM_DEVICES.demoPlug2Offline}`) - before,
      1,
      'sent once, not repeated',
    );
    const status = api.status.lastCall.args[0];
    assert.deepEqual({ fill: status.fill, shape: status.shape }, { fill: 'red', shape: 'ring' });
    assert.match(status.text, /9042 device offline/);
  });

  for (const [name, msg, pattern] of [
    [
      'an unknown operation',
      { operation: 'devices.explode', payload: {} },
      /unknown operation "devices.explode"/,
    ],
    [
      'a payload that is not an object',
      { operation: 'devices.get', payload: [1, 2] },
      /msg.payload must be an object/,
    ],
    ['text that is not JSON', { operation: 'devices.get', payload: '{did:' }, /not JSON/],
    ['a missing path parameter', { operation: 'devices.get', payload: {} }, /needs the parameter "did"/],
  ] as const) {
    it(`refuses ${name} with a clear error, sending nothing`, async () => {
      const { api } = await load();
      const caught = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
      const refused = await withoutCalls(ctx.sim, async () => {
        api.receive({ ...msg });
        return caught;
      });
      assert.match(refused.error.message, pattern);
    });
  }

  it('says so when no account is configured', async () => {
    const { api, caught } = await load({ account: '', wires: [[]] });
    const failed = nextMessage<{ error: { message: string } }>(caught);
    api.receive({ payload: {} });
    assert.match((await failed).error.message, /no gizwits-account is configured/);
  });

  it('keeps secrets out of messages, errors, status and the log', async () => {
    const { api, caught } = await load(
      { operation: 'users.get' },
      { username: SIM_USERS.demo.username, password: 'Wrong-Secret-Pass-9' },
    );
    const failed = nextMessage<Record<string, unknown>>(caught);
    api.receive({ payload: {} });
    const msg = await failed;
    const seen = JSON.stringify(msg) + JSON.stringify(helper.log().args) + JSON.stringify(api.status.args);
    assert.match(JSON.stringify(msg), /9020/);
    assert.ok(!seen.includes('Wrong-Secret-Pass-9'), 'the password leaked');
  });

  it('reads ${ENV} references in credentials, for headless deployments', async () => {
    process.env.GIZWITS_TEST_PASSWORD = SIM_USERS.demo.password;
    try {
      const { api, out } = await load(
        { operation: 'users.get' },
        { username: SIM_USERS.demo.username, password: '${GIZWITS_TEST_PASSWORD}' },
      );
      const answered = nextMessage<{ payload: { uid: string } }>(out);
      api.receive({ payload: {} });
      assert.equal((await answered).payload.uid, SIM_USERS.demo.uid);
    } finally {
      delete process.env.GIZWITS_TEST_PASSWORD;
    }
  });
});

describe('gizwits-account admin routes', () => {
  const ctx = useSimulator();
  useNodeRed();

  beforeEach(async () => {
    const account = simAccount(ctx.sim);
    await helper.load([accountNode, apiNode], [account.node], account.credentials);
  });

  it('tests a sign-in with the values typed in the dialog, or the deployed account by its id alone', async () => {
    const base = {
      config: {
        region: 'custom',
        apiUrl: ctx.sim.url,
        appId: simAccount(ctx.sim).node.appId,
        authMode: 'password',
      },
    };
    const typed = await helper
      .request()
      .post('/gizwits/account/login-test')
      .send({ ...base, credentials: { username: 'demo', password: SIM_USERS.demo.password } });
    assert.equal(typed.status, 200);
    assert.equal(typed.body.uid, SIM_USERS.demo.uid);
    const stored = await helper.request().post('/gizwits/account/login-test').send({ id: 'account' });
    assert.equal(stored.body.ok, true);
    // A stored password is never lent to settings of the request's own.
    const placeholder = await helper
      .request()
      .post('/gizwits/account/login-test')
      .send({ ...base, id: 'account', credentials: { username: 'demo', password: '__PWRD__' } });
    assert.equal(placeholder.status, 400);
    assert.match(placeholder.body.message, /type the password again/);
    const wrong = await helper
      .request()
      .post('/gizwits/account/login-test')
      .send({ ...base, credentials: { username: 'demo', password: 'Not-The-Pass-1' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 9020);
    assert.ok(!JSON.stringify(wrong.body).includes('Not-The-Pass-1'));
  });

  it('explains a configuration that cannot work', async () => {
    const answer = await helper
      .request()
      .post('/gizwits/account/login-test')
      .send({ config: { region: 'custom', apiUrl: 'nope', appId: 'x' }, credentials: {} });
    assert.equal(answer.status, 400);
    assert.match(answer.body.message, /"nope" is not a URL/);
  });

  it('lists all 62 operations for the editor', async () => {
    const answer = await helper.request().get('/gizwits/operations');
    assert.equal(answer.body.length, 62);
    assert.ok(
      answer.body.some(
        (op: { id: string; route: string }) =>
          op.id === 'rules.delete' && op.route === 'DELETE /app/rules/{rule_id}',
      ),
    );
  });
});
