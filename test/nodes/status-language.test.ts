// Node status texts in the runtime's language. Each node set's real message catalogue is registered with
// the runtime's own i18n, under the namespace Node-RED's registry gives it when it loads the package, and
// each node module gets the `RED._` the registry builds for that namespace (the test helper alone gives
// nodes no catalogue). With the runtime in zh-CN the nodes must show Chinese statuses; in en-US, the
// catalogue's English must read exactly as the English the code falls back to.
import path from 'node:path';
import { PACKAGE_NAME } from '../../src/nodes/common/red';
import { SIM_DEVICES, SIM_GROUPS, SIM_SCENES } from '../../src/simulator';
import { FAST_SOCKET, waitFor } from '../helpers/live';
import { helper, onTab, simAccount, useNodeRed } from '../helpers/node-red';
import { i18n, translateFor } from '../helpers/runtime-i18n';
import { useSimulator } from '../helpers/simulator';

const NODES = path.resolve(__dirname, '..', '..', 'src', 'nodes');
type NodeModule = (RED: object) => unknown;
const TYPES = [
  'gizwits-account',
  'gizwits-api',
  'gizwits-device-in',
  'gizwits-device-control',
  'gizwits-group-control',
  'gizwits-scene-trigger',
  'gizwits-rule-sync',
  'gizwits-scheduler',
] as const;
type NodeType = (typeof TYPES)[number];

const namespaceOf = (type: NodeType) => `${PACKAGE_NAME}/${type}`;

/** The node set's module, given the RED of the helper with the `_` Node-RED gives that set. */
function withCatalogue(type: NodeType): NodeModule {
  const module: NodeModule = require(path.join(NODES, type, type));
  return (red) => {
    return module(Object.assign(Object.create(red), { _: translateFor(namespaceOf(type)) }));
  };
}

const TIME = String.raw`\d\d:\d\d:\d\d`;
const exactly = (pattern: string) => new RegExp(`^${pattern}$`);

interface Case {
  type: Exclude<NodeType, 'gizwits-account'>;
  /** What the case checks, for the test's title. */
  what: string;
  config: Record<string, unknown>;
  /** The message sent to the node; none for nodes whose status comes without input. */
  input?: Record<string, unknown>;
  'en-US': RegExp;
  'zh-CN': RegExp;
}

const CONTROL = { transport: 'auto', confirm: false, timeout: 5 };

/**
 * gizwits-device-control writing a payload to the demo lamp. Each row: what it checks, the payload, and the
 * status in English and in Chinese (the same as the English unless given).
 */
function lampWrites(rows: Array<[what: string, payload: unknown, en: string, zh?: string]>): Case[] {
  return rows.map(([what, payload, en, zh = en]) => ({
    type: 'gizwits-device-control',
    what,
    config: { ...CONTROL, device: SIM_DEVICES.demoLamp1 },
    input: { payload },
    'en-US': exactly(en),
    'zh-CN': exactly(zh),
  }));
}

const CASES: Case[] = [
  {
    type: 'gizwits-device-in',
    what: 'devices online',
    config: { devices: [SIM_DEVICES.demoPlug1], attrs: [], events: ['status'], initial: true },
    'en-US': exactly(`1/1 online( · ${TIME})?`),
    'zh-CN': exactly(`1/1 在线( · ${TIME})?`),
  },
  {
    type: 'gizwits-device-control',
    what: 'a read',
    config: { ...CONTROL, device: SIM_DEVICES.demoPlug1 },
    input: { action: 'read' },
    'en-US': exactly(`read ${TIME}`),
    'zh-CN': exactly(`已读取 ${TIME}`),
  },
  ...lampWrites([
    [
      'a refused value, named by its data point, value and bound',
      { brightness: 150 },
      'brightness 150 > 100',
    ],
    [
      'a value between steps',
      { brightness: 12.5 },
      'brightness 12.5 off step 1',
      'brightness 12.5 不在步长 1 上',
    ],
    ['bad input without a data point', 'on', 'bad input', '输入有误'],
  ]),
  {
    type: 'gizwits-api',
    what: 'an operation done (its id untranslated)',
    config: { operation: 'bindings.list', allPages: false },
    input: { payload: {} },
    'en-US': exactly(`bindings\\.list ${TIME}`),
    'zh-CN': exactly(`bindings\\.list 完成 ${TIME}`),
  },
  {
    type: 'gizwits-group-control',
    what: 'an action done',
    config: { action: 'list' },
    input: { payload: '' },
    'en-US': exactly(`list ${TIME}`),
    'zh-CN': exactly(`查询分组完成 ${TIME}`),
  },
  {
    type: 'gizwits-group-control',
    what: 'a group controlled',
    config: { action: 'control', group: SIM_GROUPS.demoLamps },
    input: { payload: [1, 2, 3] },
    'en-US': exactly(`\\d of 2 ok · ${TIME}`),
    'zh-CN': exactly(`2 台中 \\d 台成功 · ${TIME}`),
  },
  {
    type: 'gizwits-scene-trigger',
    what: 'scenes listed',
    config: { scene: SIM_SCENES.demoEvening, wait: false, timeout: 10 },
    input: { action: 'list' },
    'en-US': exactly(`listed ${TIME}`),
    'zh-CN': exactly(`已查询 ${TIME}`),
  },
  {
    type: 'gizwits-rule-sync',
    what: 'a plan',
    config: { rules: '[]', mode: 'plan', prune: false },
    input: { payload: '' },
    'en-US': exactly(`plan \\+0 ~0 -0 =0 · ${TIME}`),
    'zh-CN': exactly(`计划 \\+0 ~0 -0 =0 · ${TIME}`),
  },
  {
    type: 'gizwits-scheduler',
    what: 'tasks listed',
    config: {
      target: 'device',
      targetId: SIM_DEVICES.demoPlug1,
      action: 'list',
      timezone: 'Asia/Shanghai',
    },
    input: { payload: '' },
    'en-US': exactly(`\\d+ tasks · ${TIME}`),
    'zh-CN': exactly(`\\d+ 个任务 · ${TIME}`),
  },
  ...TYPES.filter((type) => type !== 'gizwits-account').map((type): Case => ({
    type,
    what: 'no account',
    config: { account: 'no-such-account' },
    'en-US': /^no account$/,
    'zh-CN': /^未选择账号$/,
  })),
];

describe('node status texts in the runtime language', function () {
  this.timeout(15_000);
  const ctx = useSimulator();
  useNodeRed();
  let previous: string | undefined;
  before(async () => {
    helper.settings({ gizwits: FAST_SOCKET });
    previous = i18n.i.language;
    for (const type of TYPES)
      await i18n.registerMessageCatalog(namespaceOf(type), path.join(NODES, type, 'locales'), `${type}.json`);
  });
  after(async () => {
    helper.settings({});
    await i18n.i.changeLanguage(previous);
  });

  /** The texts of every status the node has shown so far. */
  function statusTexts(id: string): string[] {
    const spy = helper.getNode(id).status;
    return spy
      .getCalls()
      .filter((call) => (call.thisValue as { id?: string }).id === id)
      .map((call) => String((call.args[0] as { text?: unknown }).text ?? ''));
  }

  for (const lang of ['zh-CN', 'en-US'] as const) {
    describe(lang, () => {
      before(() => i18n.i.changeLanguage(lang));

      for (const c of CASES) {
        it(`${c.type}: ${c.what}`, async () => {
          const account = simAccount(ctx.sim);
          await helper.load(
            [withCatalogue('gizwits-account'), withCatalogue(c.type)],
            onTab([
              account.node,
              {
                id: 'node',
                type: c.type,
                account: 'account',
                configVersion: 1,
                wires: [[]],
                ...c.config,
              },
            ]),
            account.credentials,
          );
          if (c.input) helper.getNode('node').receive(structuredClone(c.input));
          await waitFor(
            () => statusTexts('node').some((text) => c[lang].test(text)),
            5000,
            () => `no status like ${c[lang]}; shown: ${JSON.stringify(statusTexts('node'))}`,
          );
        });
      }
    });
  }
});
