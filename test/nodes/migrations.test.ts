// Flows saved by earlier releases, loaded into a real Node-RED: one test per step of
// src/nodes/common/migrate.ts, each checking that the node works with the configuration the step gives it.
import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_MANY_PLUG_COUNT } from '../../src/simulator';
import { accountNode, helper, loadNode, useNodeRed } from '../helpers/node-red';
import { simAccount } from '../helpers/flows';
import type { GizwitsAccountNode } from '../../src/nodes/common/account-node';
import { useSimulator } from '../helpers/simulator';

describe('flows saved by earlier releases', () => {
  const ctx = useSimulator();
  useNodeRed();
  afterEach(() => ctx.sim.model.schedulers.clear());

  describe('gizwits-account, saved without a version (step 0 → 1)', () => {
    it('signs in with a password over TLS when the flow names neither', async () => {
      const flow = await loadNode(ctx.sim, {
        type: 'gizwits-api',
        config: { operation: 'bindings.list', allPages: false, configVersion: 1 },
        account: { authMode: undefined, secure: undefined, configVersion: undefined },
      });
      const account = helper.getNode('account') as unknown as { secure: boolean };
      assert.equal(account.secure, true, 'Use TLS is on, as it was before the setting existed');
      const answer = await flow.run<{ payload: { devices: Array<{ did: string }> } }>({ payload: {} });
      const dids = answer.payload.devices.map((d) => d.did);
      assert.ok(dids.includes(SIM_DEVICES.demoPlug1), 'signed in with the username and password');
    });

    it('takes the cn region when the flow names none, and keeps what it does name', async () => {
      const bare = simAccount(ctx.sim, { region: undefined, configVersion: undefined });
      const plain = simAccount(ctx.sim, { id: 'plain', configVersion: undefined });
      await helper.load([accountNode], [bare.node, plain.node]);
      const migrated = helper.getNode('account') as unknown as { region: string; secure: boolean };
      const kept = helper.getNode('plain') as unknown as { region: string; secure: boolean };
      assert.equal(migrated.region, 'cn');
      assert.deepEqual([kept.region, kept.secure], ['custom', false]);
    });
  });

  describe('gizwits-account, saved at version 1, before LAN control (step 1 → 2)', () => {
    it('keeps every device on the cloud (lan off, default targets) and still lists them', async () => {
      const flow = await loadNode(ctx.sim, {
        type: 'gizwits-api',
        config: { operation: 'bindings.list', allPages: false, configVersion: 1 },
        account: { configVersion: 1 },
      });
      const account = helper.getNode('account') as unknown as GizwitsAccountNode;
      const lan = account.lanSettings();
      assert.equal(lan.mode, 'off');
      assert.ok(lan.targets.length > 0 && lan.targets.every((t) => t.port === 12414));
      const answer = await flow.run<{ payload: { devices: Array<{ did: string }> } }>({ payload: {} });
      assert.ok(answer.payload.devices.some((d) => d.did === SIM_DEVICES.demoPlug1));
    });
  });

  describe('gizwits-api, saved without a version (step 0 → 1)', () => {
    it('answers the first page only, as before allPages existed, and msg.allPages still fetches them all', async () => {
      const flow = await loadNode(ctx.sim, {
        type: 'gizwits-api',
        config: { operation: 'bindings.list' },
        account: { user: 'many' },
      });
      assert.equal((await flow.run({ payload: {} })).payload.devices.length, 20);
      const whole = await flow.run<{ payload: unknown[] }>({ payload: {}, allPages: true });
      assert.equal(whole.payload.length, SIM_MANY_PLUG_COUNT);
    });
  });

  describe('gizwits-scheduler', () => {
    /** A weekly task synced in Berlin: a zone whose offset changes within every year. */
    const berlin = (config: Record<string, unknown>) =>
      loadNode(ctx.sim, {
        type: 'gizwits-scheduler',
        config: {
          target: 'device',
          targetId: SIM_DEVICES.demoPlug1,
          action: 'sync',
          timezone: 'Europe/Berlin',
          schedules: JSON.stringify([
            { remark: 'migrated', time: '10:00', repeat: 'sun', attrs: { countdown: 60 } },
          ]),
          ...config,
        },
      });
    type Synced = { payload: { create: unknown[] }; warnings?: string[] };

    // A flow saved with version 1 and no followDst is also loaded in test/nodes/gizwits-scheduler-dst.test.ts,
    // where it corrects its task at start after a change it missed.
    for (const [saved, config] of [
      ['without a version (steps 0 → 1 → 2)', {}],
      ['at version 1, before followDst (step 1 → 2)', { configVersion: 1 }],
    ] as const) {
      it(`saved ${saved}: follows daylight saving, so it warns of no change`, async () => {
        const flow = await berlin(config);
        const synced = await flow.run<Synced>({ payload: null });
        assert.equal(synced.payload.create.length, 1);
        assert.equal(synced.warnings, undefined);
      });
    }

    it('saved at version 1 with followDst off: stays off, and warns of the next change', async () => {
      const flow = await berlin({ configVersion: 1, followDst: false });
      const synced = await flow.run<Synced>({ payload: null });
      assert.equal(synced.payload.create.length, 1);
      assert.equal(synced.warnings?.length, 1);
      assert.match(synced.warnings![0], /Europe\/Berlin changes from UTC\+0[12]:00 to UTC\+0[12]:00/);
    });
  });
});
