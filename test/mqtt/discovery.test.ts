// Every Home Assistant discovery config the bridge publishes, checked against a schema written from
// Home Assistant's documentation (ha-discovery-schema.ts): its value templates evaluated on the state
// JSON the bridge publishes, and its command payloads and templates sent back through the broker,
// where the bridge must accept them and the device take the value. No Home Assistant runs here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SIM_DEVICES } from '../../src/simulator';
import { FAST_SOCKET, deviceState, waitFor, type Msg } from '../helpers/live';
import { renderTemplate } from '../helpers/ha-template';
import { useWatchedBroker } from '../helpers/mqtt-watch';
import { bridgeNodes } from '../helpers/flows';
import { accountNode, helper, nodeModule, onTab, simAccount, useNodeRed } from '../helpers/node-red';
import { useSimulator } from '../helpers/simulator';
import { discoveryProblems } from './ha-discovery-schema';

const VERSION = (
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const ALIASES: Record<string, string> = {};

type Component = Msg & { p: string };

describe('Home Assistant discovery, checked against the documentation', function () {
  this.timeout(40_000);
  const ctx = useSimulator({ driftIntervalMs: 0 });
  useNodeRed();
  const mq = useWatchedBroker();
  before(() => helper.settings({ gizwits: FAST_SOCKET }));
  after(() => helper.settings({}));

  async function start() {
    const account = simAccount(ctx.sim);
    await helper.load(
      [accountNode, nodeModule('gizwits-mqtt-broker'), nodeModule('gizwits-mqtt-bridge')],
      onTab([account.node, ...bridgeNodes({ url: mq.broker.url })]),
      account.credentials,
    );
    const configs = new Map<string, Msg>();
    for (const did of Object.values(SIM_DEVICES)) {
      const m = await mq.watch.next((x) => x.topic === `homeassistant/device/gizwits_${did}/config`);
      configs.set(did, JSON.parse(m.payload) as Msg);
      if (did !== SIM_DEVICES.demoPlug2Offline)
        await mq.watch.next((x) => x.topic === `gizwits/${did}/state`);
      ALIASES[did] = ctx.sim.model.bindings.find((b) => b.did === did)?.dev_alias ?? '';
    }
    return configs;
  }

  it('publishes for each device a config that meets the documented schema, with device, origin and availability', async () => {
    const configs = await start();
    for (const [did, config] of configs) {
      assert.deepEqual(discoveryProblems(config), [], did);
      assert.deepEqual(config.dev.ids, [`gizwits_${did}`]);
      if (ALIASES[did]) assert.equal(config.dev.name, ALIASES[did]);
      assert.equal(config.dev.mf, 'Gizwits');
      assert.equal(config.o.name, '@gizwits-community/node-red-gizwits');
      assert.equal(config.o.sw, VERSION);
      assert.equal(config.avty_mode, 'all');
      assert.deepEqual(
        config.avty.map((a: Msg) => a.topic),
        ['gizwits/bridge/bridge/status', `gizwits/${did}/availability`],
      );
    }
    // The mapping of the issue, on the air conditioner's data points.
    const ac = configs.get(SIM_DEVICES.demoAc)!.cmps as Record<string, Component>;
    assert.equal(ac.switch.p, 'switch');
    assert.equal(ac.mode.p, 'select');
    assert.deepEqual(ac.mode.options, ['自动', '制冷', '制热', '送风', '除湿']);
    assert.equal(ac.set_temp.p, 'number');
    assert.deepEqual([ac.set_temp.min, ac.set_temp.max, ac.set_temp.step], [16, 30, 1]);
    assert.equal(ac.room_temp.p, 'sensor');
    assert.equal(ac.alert_full.p, 'binary_sensor');
    assert.equal(ac.alert_full.device_class, 'problem');
    assert.equal(ac.fault_roomtemp.device_class, 'problem');
    const lamp = configs.get(SIM_DEVICES.demoLamp1)!.cmps as Record<string, Component>;
    assert.equal(lamp.scene_data.p, 'sensor');
    assert.equal(lamp.scene_data.entity_category, 'diagnostic');
  });

  it('has value templates that read the published state JSON into values each entity accepts', async () => {
    const configs = await start();
    for (const [did, config] of configs) {
      const state = JSON.parse(mq.watch.last(`gizwits/${did}/state`) ?? 'null') as Record<
        string,
        unknown
      > | null;
      if (!state) continue; // the offline plug has no state yet
      for (const [id, c] of Object.entries(config.cmps as Record<string, Component>)) {
        const shown = renderTemplate(c.value_template, { value_json: state });
        const where = `${did} ${id}: ${shown}`;
        if (c.p === 'switch') assert.ok([c.state_on, c.state_off].includes(shown), where);
        if (c.p === 'switch') assert.equal(shown === c.state_on, state[id] === true, where);
        if (c.p === 'binary_sensor') assert.ok(['ON', 'OFF'].includes(shown), where);
        if (c.p === 'select' || c.options) assert.ok(c.options.includes(shown), where);
        if (c.p === 'number') {
          const n = Number(shown);
          assert.ok(Number.isFinite(n) && n >= c.min && n <= c.max, where);
        }
        if (c.p === 'sensor' && !c.options && c.entity_category !== 'diagnostic')
          assert.ok(Number.isFinite(Number(shown)), where);
        if (c.entity_category === 'diagnostic') assert.match(shown, /^([0-9a-f]{2})*$/, where);
      }
    }
  });

  it('has command payloads and templates whose output the bridge accepts and the device takes', async () => {
    const configs = await start();
    for (const [did, config] of configs) {
      if (did === SIM_DEVICES.demoPlug2Offline) continue;
      for (const [id, c] of Object.entries(config.cmps as Record<string, Component>)) {
        if (!c.command_topic) continue;
        const cases: Array<[string, unknown]> =
          c.p === 'switch'
            ? [
                [c.payload_on, true],
                [c.payload_off, false],
              ]
            : c.p === 'select'
              ? [[renderTemplate(c.command_template, { value: c.options.at(-1) }), c.options.at(-1)]]
              : [
                  [renderTemplate(c.command_template, { value: c.max }), c.max],
                  [renderTemplate(c.command_template, { value: c.min + c.step }), c.min + c.step],
                ];
        for (const [payload, expected] of cases) {
          const mark = mq.watch.all.length;
          await mq.watch.publish(c.command_topic, payload);
          await waitFor(
            async () => {
              const now = (await deviceState(ctx.sim, did)).attrs[id];
              return now === expected || (c.p === 'select' && now === c.options.indexOf(expected));
            },
            5_000,
            () =>
              `${did} ${id} ${payload}: ${JSON.stringify(mq.watch.all.slice(mark).filter((m) => m.topic.endsWith('/result')))}`,
          );
        }
      }
    }
    assert.deepEqual(
      mq.watch.all.filter((m) => m.topic.endsWith('/result')),
      [],
      'no command was refused',
    );
  });

  it('publishes the configs again, then the states, when Home Assistant says it is online', async () => {
    await start();
    const mark = mq.watch.all.length;
    await mq.watch.publish('homeassistant/status', 'online');
    const lastConfig = async (did: string) =>
      mq.watch.next((m) => m.topic === `homeassistant/device/gizwits_${did}/config`, mark);
    const configs = await Promise.all(Object.values(SIM_DEVICES).map(lastConfig));
    const firstState = await mq.watch.next((m) => /^gizwits\/\w+\/state$/.test(m.topic), mark);
    const index = (m: { at: number }) => mq.watch.all.indexOf(m as never);
    for (const config of configs) assert.ok(index(config) < index(firstState), 'configs come before states');
  });

  it('has a schema check and a template evaluator that can fail', () => {
    const broken = {
      dev: { ids: ['x'], name: 'x' },
      o: { name: 'o' },
      cmps: { a: { p: 'switch', name: 'a' } },
    };
    assert.deepEqual(discoveryProblems(broken), [
      'a: unique_id is required',
      'a: command_topic is required for switch',
    ]);
    assert.ok(discoveryProblems({ cmps: {} }).includes('dev (device) is required'));
    assert.throws(
      () => renderTemplate("{{ value_json['a'] | float }}", { value_json: { a: 1 } }),
      /outside the tested subset/,
    );
    assert.equal(
      renderTemplate("{{ 'ON' if value_json['a'] else 'OFF' }}", { value_json: { a: false } }),
      'OFF',
    );
  });
});
