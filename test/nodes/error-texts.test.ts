// Every error the nodes report through done(err) carries its text in the shared error catalogue
// (gizwits-account's `errors.text`), so that a Chinese runtime can word it in Chinese. The errors are
// raised for real in Node-RED and taken from the node as it reports them (a Catch node only gets a copy
// without the text). For each: the en-US template, filled in with the error's values (texts within
// texts too), reads exactly as the English message; the zh-CN one exists and leaves no placeholder.
import assert from 'node:assert/strict';
import path from 'node:path';
import { GizwitsError, type ErrorText } from '../../src/client';
import { applyInOrder, textOf, type PlannedChange } from '../../src/client/automation';
import { errorTranslator } from '../../src/nodes/common/error-text';
import { PACKAGE_NAME, type NodeAPI } from '../../src/nodes/common/red';
import { SIM_DEVICES, SIM_GROUPS, SIM_SCENES } from '../../src/simulator';
import {
  accountNode,
  apiNode,
  catchNode,
  helper,
  nextError,
  onTab,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { checkRendered as checkShared, keysOf, render } from '../helpers/error-catalogue';
import { i18n, translateFor } from '../helpers/runtime-i18n';
import { failAfterFirstRule, useSimulator } from '../helpers/simulator';

const NODES = path.resolve(__dirname, '..', '..', 'src', 'nodes');

/**
 * Areas of the catalogue the nodes' own texts live in, and the client's texts the nodes use as theirs
 * (the cloud codes' among them). Client texts inside a node's text (write.*, rule.*...) are checked too.
 */
const NODE_AREAS = ['node', 'api', 'control', 'group', 'scene', 'ruleSync', 'scheduler', 'account'];
const REUSED = ['config.noAppId', 'session.unknownMode', 'request.notList', 'cloud', 'cloudWithHint'];
const isNodeKey = (key: string) => NODE_AREAS.includes(key.split('.')[0]) || REUSED.includes(key);

/** Checks a text of the nodes against its English message (see the shared checkRendered). */
function checkRendered(text: ErrorText, message: string): string {
  assert.ok(isNodeKey(text.key), `${text.key} is not a text of the nodes`);
  return checkShared(text, message);
}

/** Checks an error's text: there is one, and it reads as the message. */
function checkText(error: unknown): string {
  assert.ok(error instanceof GizwitsError, `not a GizwitsError: ${String(error)}`);
  assert.ok(error.text, `no text for: ${error.message}`);
  return checkRendered(error.text, error.message);
}

interface Case {
  what: string;
  type: string;
  config: Record<string, unknown>;
  msg: Record<string, unknown>;
  /** Keys the error's text holds, in order (outermost first), at least these. */
  keys: string[];
  /** A gizwits-account node differing from the simulator's, or none at all. */
  account?: { extra?: Record<string, unknown>; credentials?: Record<string, string> } | null;
}

const nodeModules: Record<string, unknown> = {
  'gizwits-api': apiNode,
  'gizwits-device-control': require('../../src/nodes/gizwits-device-control/gizwits-device-control'),
  'gizwits-group-control': require('../../src/nodes/gizwits-group-control/gizwits-group-control'),
  'gizwits-scene-trigger': require('../../src/nodes/gizwits-scene-trigger/gizwits-scene-trigger'),
  'gizwits-rule-sync': require('../../src/nodes/gizwits-rule-sync/gizwits-rule-sync'),
  'gizwits-scheduler': require('../../src/nodes/gizwits-scheduler/gizwits-scheduler'),
};

const group = (config: Record<string, unknown>, msg: Record<string, unknown>) => ({
  type: 'gizwits-group-control',
  config: { group: '', action: 'control', ...config },
  msg,
});
const scene = (config: Record<string, unknown>, msg: Record<string, unknown>) => ({
  type: 'gizwits-scene-trigger',
  config: { scene: SIM_SCENES.demoEvening, wait: true, timeout: 10, ...config },
  msg,
});
const scheduler = (config: Record<string, unknown>, payload: unknown) => ({
  type: 'gizwits-scheduler',
  config: {
    target: 'device',
    targetId: SIM_DEVICES.demoPlug1,
    action: 'create',
    timezone: 'Asia/Shanghai',
    ...config,
  },
  msg: { payload },
});
const api = (msg: Record<string, unknown>, config: Record<string, unknown> = {}) => ({
  type: 'gizwits-api',
  config: { operation: 'bindings.list', allPages: false, ...config },
  msg,
});
const task = { time: '07:00', date: '2030-01-01', attrs: { switch: true } };
const acOffline = {
  name: '空调离线提醒',
  event: 'offline',
  did: SIM_DEVICES.demoAc,
  output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp2, attrs: { mode: '闪烁' } }]],
};

const CASES: Case[] = [
  // Shared: the account, the action.
  { what: 'no account', ...api({ payload: {} }), account: null, keys: ['node.noAccount'] },
  {
    what: 'an unset environment variable',
    ...api({ payload: {} }),
    account: { credentials: { password: '${GIZWITS_TEST_NOT_SET_ANYWHERE}' } },
    keys: ['account.envNotSet'],
  },
  {
    what: 'an unknown authentication mode',
    ...api({ payload: {} }),
    account: { extra: { authMode: 'fingerprint' } },
    keys: ['session.unknownMode'],
  },
  {
    what: 'no AppID',
    ...api({ payload: {} }),
    account: { extra: { appId: ' ' } },
    keys: ['config.noAppId'],
  },
  {
    what: 'an unknown action',
    ...group({}, { action: 'explode', groupId: 'x' }),
    keys: ['node.input', 'node.unknownAction'],
  },
  // gizwits-api
  {
    what: 'parameters that are not JSON',
    ...api({ operation: 'devices.get', payload: '{did:' }),
    keys: ['api.paramsNotJson'],
  },
  {
    what: 'parameters that are not an object',
    ...api({ operation: 'devices.get', payload: [1, 2] }),
    keys: ['api.paramsNotObject'],
  },
  // gizwits-device-control
  {
    what: 'raw data that is not bytes',
    type: 'gizwits-device-control',
    config: { device: SIM_DEVICES.demoLamp1, transport: 'rest', confirm: false, timeout: 3 },
    msg: { raw: [1, 300] },
    keys: ['control.rawNotBytes'],
  },
  // gizwits-group-control
  {
    what: 'no group',
    ...group({}, { payload: { switch: true } }),
    keys: ['node.input', 'group.noGroup'],
  },
  {
    what: 'a control payload that is no values',
    ...group({ group: SIM_GROUPS.demoLamps }, { payload: 5 }),
    keys: ['node.input', 'group.noValues'],
  },
  {
    what: 'bad bytes',
    ...group({ group: SIM_GROUPS.demoLamps }, { payload: [1, 999] }),
    keys: ['node.input', 'group.badRaw'],
  },
  {
    what: 'add without dids',
    ...group({ action: 'add', group: SIM_GROUPS.demoLamps }, { payload: [] }),
    keys: ['node.input', 'group.noDids'],
  },
  {
    what: 'create without a name',
    ...group({ action: 'create' }, { payload: {} }),
    keys: ['node.input', 'group.noName'],
  },
  {
    what: 'a product key that is not text',
    ...group({ action: 'create' }, { payload: { group_name: 'x', product_key: 5 } }),
    keys: ['node.input', 'group.productKey'],
  },
  {
    what: 'a group the account does not have',
    ...group({ group: 'NoSuchGroup' }, { payload: { switch: true } }),
    keys: ['node.input', 'group.unknown', 'group.known'],
  },
  {
    what: 'a value out of range for the group',
    ...group({ group: SIM_GROUPS.demoLamps }, { payload: { LED_R: 300 } }),
    keys: ['node.input', 'group.values', 'write.reason.range'],
  },
  {
    what: 'a data point the group does not have',
    ...group({ group: SIM_GROUPS.demoLamps }, { payload: { power: 1 } }),
    keys: ['node.input', 'group.values', 'write.reason.unknown'],
  },
  // gizwits-scene-trigger
  {
    what: 'an unknown scene action',
    ...scene({}, { action: 'stop' }),
    keys: ['node.input', 'scene.unknownAction'],
  },
  { what: 'no scene', ...scene({ scene: '' }, {}), keys: ['node.input', 'scene.noScene'] },
  {
    what: 'an empty scene name',
    ...scene({}, { sceneName: ' ' }),
    keys: ['node.input', 'scene.badName'],
  },
  {
    what: 'a scene name the account does not have',
    ...scene({}, { sceneName: '离家模式' }),
    keys: ['node.input', 'scene.unknown', 'scene.known'],
  },
  {
    what: 'a scene still running at the timeout',
    ...scene({ timeout: 0.3 }, { sceneId: SIM_SCENES.demoEvening }),
    keys: ['scene.stillRunning'],
  },
  // gizwits-scheduler
  {
    what: 'an unknown target',
    ...scheduler({ target: 'house' }, task),
    keys: ['node.input', 'scheduler.unknownTarget'],
  },
  {
    what: 'no target',
    ...scheduler({ targetId: '' }, task),
    keys: ['node.input', 'scheduler.noTarget', 'scheduler.target.device'],
  },
  {
    what: 'a device task without a command',
    ...scheduler({}, { time: '07:00', date: '2030-01-01' }),
    keys: ['node.input', 'scheduler.noCommand'],
  },
  {
    what: 'a command for a scene',
    ...scheduler({ target: 'scene', targetId: SIM_SCENES.demoEvening }, task),
    keys: ['node.input', 'scheduler.sceneCommand'],
  },
  {
    what: 'raw that is not bytes',
    ...scheduler({}, { time: '07:00', date: '2030-01-01', raw: 'xyz' }),
    keys: ['node.input', 'scheduler.badRaw'],
  },
  {
    what: 'update without an id',
    ...scheduler({ action: 'update' }, { enabled: false }),
    keys: ['node.input', 'scheduler.updateNoId'],
  },
  {
    what: 'delete without an id',
    ...scheduler({ action: 'delete' }, 42),
    keys: ['node.input', 'scheduler.deleteNoId'],
  },
  {
    what: 'update of a task the device does not have',
    ...scheduler({ action: 'update' }, { id: 'NoSuchTask', enabled: false }),
    keys: ['node.input', 'scheduler.noSuchTask', 'scheduler.target.device'],
  },
  {
    what: 'a group target the account does not have',
    ...scheduler({ target: 'group', targetId: 'NoSuchGroup' }, task),
    keys: ['node.input', 'scheduler.unknownGroup'],
  },
  {
    what: "a value the device's data point does not allow",
    ...scheduler({}, { time: '07:00', date: '2030-01-01', attrs: { countdown: 5000 } }),
    keys: ['node.wrapped'],
  },
  {
    what: 'an unknown time zone',
    ...scheduler({ timezone: 'Asia/Beijing' }, task),
    keys: ['node.wrapped'],
  },
  {
    what: 'sync without declared tasks',
    ...scheduler({ action: 'sync', schedules: ' ' }, Date.now()),
    keys: ['node.input', 'scheduler.noTasks'],
  },
  {
    what: 'sync of declared tasks that are not JSON',
    ...scheduler({ action: 'sync', schedules: '[{"remark": ' }, Date.now()),
    keys: ['node.input', 'scheduler.badJson'],
  },
  {
    what: 'sync of declared tasks that are no list',
    ...scheduler({ action: 'sync', schedules: '{"remark": "x"}' }, Date.now()),
    keys: ['node.input', 'scheduler.notArray'],
  },
  {
    what: 'sync of a task without a remark',
    ...scheduler({ action: 'sync' }, [task]),
    keys: ['node.input', 'scheduler.noRemark', 'scheduler.where.task'],
  },
  {
    what: 'sync with a repeated remark',
    ...scheduler({ action: 'sync' }, [
      { remark: 'x', ...task },
      { remark: 'x', ...task },
    ]),
    keys: ['node.input', 'scheduler.sameRemark', 'scheduler.where.named'],
  },
  {
    what: 'sync of a bad task',
    ...scheduler({ action: 'sync' }, [{ remark: 'x', time: '25:00', repeat: 'mon' }]),
    keys: ['node.wrapped', 'scheduler.where.named'],
  },
  {
    what: 'sync of a task with a value out of range',
    ...scheduler({ action: 'sync' }, [{ remark: 'x', ...task, attrs: { countdown: 5000 } }]),
    keys: ['node.wrapped', 'scheduler.where.named'],
  },
  // gizwits-rule-sync
  {
    what: 'a rule of bad shape',
    type: 'gizwits-rule-sync',
    config: { rules: JSON.stringify([{ ...acOffline, event: 'boot' }]), mode: 'apply', prune: false },
    msg: { payload: Date.now() },
    keys: ['node.wrapped'],
  },
  {
    what: 'a rule for a device the account does not have',
    type: 'gizwits-rule-sync',
    config: { rules: '[]', mode: 'apply', prune: false },
    msg: { payload: [{ ...acOffline, did: 'NoSuchDevice0000000000' }] },
    keys: ['node.wrapped'],
  },
];

describe('texts of the errors the nodes report', () => {
  const ctx = useSimulator();
  useNodeRed();

  /** Loads the case's node with an account (unless none) and a Catch node; returns the error reported. */
  async function raise(c: Pick<Case, 'type' | 'config' | 'msg' | 'account'>): Promise<unknown> {
    const account = simAccount(ctx.sim, c.account?.extra);
    if (c.account?.credentials) Object.assign(account.credentials.account, c.account.credentials);
    await helper.load(
      [accountNode, nodeModules[c.type], catchNode],
      onTab([
        ...(c.account === null ? [] : [account.node]),
        {
          id: 'node',
          type: c.type,
          account: c.account === null ? '' : 'account',
          configVersion: 1,
          wires: [[]],
          ...c.config,
        },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [[]] },
      ]),
      c.account === null ? {} : account.credentials,
    );
    const node = helper.getNode('node');
    const reported = nextError(node);
    node.receive({ ...c.msg });
    return (await reported)[0];
  }

  for (const c of CASES) {
    it(`${c.type}: ${c.what}`, async function () {
      const error = await raise(c);
      checkText(error);
      const keys = keysOf((error as GizwitsError).text);
      assert.deepEqual(
        keys.filter((key) => c.keys.includes(key)),
        c.keys,
        `keys of the text: ${keys.join(' > ')}`,
      );
    });
  }

  it('gizwits-rule-sync: a change that fails part-way, with the report of what was applied', async () => {
    const restore = failAfterFirstRule(ctx.sim);
    try {
      const error = await raise({
        type: 'gizwits-rule-sync',
        config: {
          rules: JSON.stringify([
            acOffline,
            { ...acOffline, name: 'second' },
            { ...acOffline, name: 'third' },
          ]),
          mode: 'apply',
          prune: false,
        },
        msg: { payload: Date.now() },
      });
      checkText(error);
      const keys = keysOf((error as GizwitsError).text);
      for (const key of ['node.applyFailed', 'node.change.create', 'node.list.more', 'node.checked'])
        assert.ok(keys.includes(key), `${key} is not in ${keys.join(' > ')}`);
    } finally {
      restore();
      ctx.sim.model.rules.clear();
    }
  });
});

describe('texts of errors the nodes wrap', () => {
  const change = (name: string, run: () => Promise<void>): PlannedChange<string[]> => ({
    label: `create "${name}"`,
    text: { key: 'node.change.create', params: { name } },
    run,
    inEffect: (names) => names.includes(name),
  });
  const throttled = () =>
    new GizwitsError({ code: 9041, operation: 'rules.create', serverMessage: 'request was throttled' });

  it('words a code of the cloud the way the client does, with its hint or without', () => {
    const error = throttled();
    assert.equal(textOf(error)?.key, 'cloudWithHint');
    checkRendered(textOf(error)!, error.message);
    const noHint = new GizwitsError({ code: 9045, operation: 'devices.get' });
    assert.equal(textOf(noHint)?.key, 'cloud');
    checkRendered(textOf(noHint)!, noHint.message);
    // A hint of the client's own making is a catalogue text too, in the same frame.
    const hinted = new GizwitsError({ code: 9041, operation: 'x', hint: { key: 'request.hint.timeout' } });
    assert.equal(textOf(hinted)?.key, 'cloudWithHint');
    checkRendered(textOf(hinted)!, hinted.message);
    // A message of its own (a translation, a redaction) is not the catalogue's wording: no text.
    assert.equal(textOf(new GizwitsError({ code: 9041, operation: 'x', message: 'slow down' })), undefined);
    assert.equal(textOf(new Error('plain')), undefined);
  });

  it('reports a change that failed on a cloud code, when reading the cloud again failed too', async () => {
    const error = await applyInOrder(
      'gizwits-rule-sync',
      [
        change('one', async () => {}),
        change('two', async () => Promise.reject(throttled())),
        change('three', async () => {}),
      ],
      async () => Promise.reject(throttled()),
    ).then(
      () => assert.fail('applied'),
      (e: unknown) => e,
    );
    assert.equal(
      (error as Error).message,
      'gizwits-rule-sync: create "two" failed: Gizwits rules.create failed: 9041 GIZ_OPENAPI_REQUEST_THROTTLED ' +
        '(request was throttled): the Gizwits cloud is throttling this app: send fewer requests. ' +
        'Applied: create "one". Not applied: create "three". Unknown: create "two". (reading the cloud ' +
        'again failed too: Gizwits rules.create failed: 9041 GIZ_OPENAPI_REQUEST_THROTTLED (request was ' +
        'throttled): the Gizwits cloud is throttling this app: send fewer requests; run again to see its state)',
    );
    checkText(error);
    const keys = keysOf((error as GizwitsError).text);
    for (const key of ['node.applyFailed', 'cloudWithHint', 'node.unconfirmed', 'node.recheckFailed'])
      assert.ok(keys.includes(key), `${key} is not in ${keys.join(' > ')}`);
  });

  it('keeps the words of what failed when it has no text', async () => {
    const error = await applyInOrder(
      'gizwits-rule-sync',
      [change('one', async () => Promise.reject(new Error('socket hang up')))],
      async () => [],
    ).then(
      () => assert.fail('applied'),
      (e: unknown) => e,
    );
    assert.match((error as Error).message, /create "one" failed: socket hang up\. Applied: none\./);
    assert.equal((error as GizwitsError).text?.key, 'node.applyFailed');
    assert.equal((error as GizwitsError).text?.params?.reason, 'socket hang up');
  });
});

describe('a node error in a Chinese runtime', () => {
  const ctx = useSimulator();
  useNodeRed();
  let previous: string | undefined;
  let RED: NodeAPI;
  before(async () => {
    previous = i18n.i.language;
    await i18n.registerMessageCatalog(
      `${PACKAGE_NAME}/gizwits-account`,
      path.join(NODES, 'gizwits-account', 'locales'),
      'gizwits-account.json',
    );
    RED = { _: translateFor(`${PACKAGE_NAME}/gizwits-scheduler`) } as unknown as NodeAPI;
  });
  after(() => i18n.i.changeLanguage(previous));

  it('is worded in Chinese from its texts, and stays as it is in English', async () => {
    const account = simAccount(ctx.sim);
    await helper.load(
      [accountNode, nodeModules['gizwits-scheduler']],
      onTab([
        account.node,
        {
          id: 'node',
          type: 'gizwits-scheduler',
          account: 'account',
          target: 'device',
          targetId: SIM_DEVICES.demoPlug1,
          action: 'sync',
          timezone: 'Asia/Shanghai',
          configVersion: 1,
          wires: [[]],
        },
      ]),
      account.credentials,
    );
    const node = helper.getNode('node');
    const reported = nextError(node);
    node.receive({
      payload: [
        { remark: '开灯', ...task },
        { remark: '开灯', ...task },
      ],
    });
    const error = (await reported)[0] as GizwitsError;
    await i18n.i.changeLanguage('en-US');
    assert.equal(errorTranslator(RED)(error).message, error.message);
    await i18n.i.changeLanguage('zh-CN');
    const translated = errorTranslator(RED)(error) as GizwitsError;
    assert.equal(
      translated.message,
      render('zh-CN', error.text!),
      'the runtime words it as the catalogue says',
    );
    assert.match(translated.message, /^gizwits-scheduler:任务 #2 "开灯":/);
    assert.equal(translated.code, 'INVALID_PARAMS');
  });
});
