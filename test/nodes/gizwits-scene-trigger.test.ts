import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_SCENES } from '../../src/simulator';
import { helper, loadNode, useNodeRed } from '../helpers/node-red';
import { waitFor } from '../helpers/live';
import { countCalls, simClient, useSimulator, withoutCalls } from '../helpers/simulator';

type Out = { payload: { sceneId: string; status: string } & unknown[]; sceneId?: string };

describe('gizwits-scene-trigger in Node-RED', () => {
  const ctx = useSimulator();
  useNodeRed();
  afterEach(() => {
    ctx.sim.model.timeScale = 1;
  });

  async function load(config: Record<string, unknown> = {}) {
    const flow = await loadNode(ctx.sim, {
      type: 'gizwits-scene-trigger',
      id: 'scene',
      config: { scene: SIM_SCENES.demoEvening, wait: true, timeout: 10, configVersion: 1, ...config },
    });
    return {
      scene: flow.node,
      run: (msg: Record<string, unknown> = {}) => flow.run<Out>({ payload: Date.now(), ...msg }),
      fail: flow.fail,
    };
  }

  it('runs a scene with a delay to done, polling its status', async () => {
    ctx.sim.model.timeScale = 0.2; // the 2 s delay takes 0.4 s
    const { scene, run } = await load();
    const polls = countCalls(ctx.sim, 'GET', `/app/scene/${SIM_SCENES.demoEvening}/task`);
    const msg = await run();
    assert.deepEqual(msg.payload, { sceneId: SIM_SCENES.demoEvening, status: 'done' });
    const ac = ctx.sim.model.devices.get(SIM_DEVICES.demoAc)!.socketSnapshot();
    assert.deepEqual([ac.switch, ac.mode, ac.set_temp], [true, '制冷', 24]);
    assert.ok(
      countCalls(ctx.sim, 'GET', `/app/scene/${SIM_SCENES.demoEvening}/task`) - polls >= 2,
      'polled until done',
    );
    assert.match(scene.status.lastCall.args[0].text, /^done/);
  });

  it('names a scene by msg.sceneName, and says which names exist when none matches', async () => {
    ctx.sim.model.timeScale = 0.01;
    const { run, fail } = await load({ scene: '' });
    assert.equal((await run({ sceneName: '回家模式' })).payload.sceneId, SIM_SCENES.demoEvening);
    const runs = countCalls(ctx.sim, 'POST', `/app/scene/${SIM_SCENES.demoEvening}/task`);
    assert.match(await fail({ sceneName: '离家模式' }), /no scene named "离家模式" \(scenes: "回家模式"\)/);
    assert.equal(
      countCalls(ctx.sim, 'POST', `/app/scene/${SIM_SCENES.demoEvening}/task`),
      runs,
      'nothing ran',
    );
  });

  it('reports running without wait, and failed for a scene whose device is offline', async () => {
    const { run } = await load({ wait: false });
    assert.equal((await run()).payload.status, 'running');
    const client = simClient(ctx.sim);
    const { id } = await client.call('scenes.create', {
      scene_name: 'offline plug',
      tasks: [{ task_type: 'device', did: SIM_DEVICES.demoPlug2Offline, attrs: { switch: true } }],
    });
    await helper.unload();
    const waiting = await load({ scene: id });
    assert.deepEqual((await waiting.run()).payload, { sceneId: id, status: 'failed' });
    assert.equal(waiting.scene.status.lastCall.args[0].fill, 'red');
  });

  it('lists scenes with msg.action = "list"', async () => {
    const { run } = await load();
    const scenes = (await run({ action: 'list' })).payload as unknown as Array<{
      id: string;
      scene_name: string;
    }>;
    assert.ok(scenes.some((s) => s.id === SIM_SCENES.demoEvening && s.scene_name === '回家模式'));
  });

  it('gives up after the timeout with a clear error', async () => {
    const { fail } = await load({ timeout: 0.3 });
    const message = await fail({ sceneId: SIM_SCENES.demoEvening });
    assert.match(message, /scene .* was still running after 0.3 s: raise the timeout, or turn off "wait"/);
  });

  it('ends a poll in flight at once when the flow stops, quietly', async () => {
    const { scene } = await load();
    let sent = false;
    helper.getNode('out').on('input', () => (sent = true));
    const runs = countCalls(ctx.sim, 'POST', `/app/scene/${SIM_SCENES.demoEvening}/task`);
    scene.receive({ payload: 1 });
    // In flight once the scene has started (a fixed wait may still be signing in on a busy machine).
    await waitFor(() => countCalls(ctx.sim, 'POST', `/app/scene/${SIM_SCENES.demoEvening}/task`) > runs);
    // The helper stops watching nodes on unload; errors the closing node reports are caught here.
    const errors: unknown[] = [];
    (scene as { error: unknown }).error = (error: unknown) => errors.push(error);
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 500, 'close did not wait for the 2 s scene');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(sent, false);
    assert.deepEqual(errors, [], 'the poll ended, rather than failing on the closed account later');
  });

  for (const [name, node, msg, pattern] of [
    ['an unknown action', {}, { action: 'stop' }, /unknown msg.action "stop": use "list", "run"/],
    ['no scene', { scene: '' }, {}, /no scene: choose one in the node, or set msg.sceneId or msg.sceneName/],
    ['an empty scene name', {}, { sceneName: ' ' }, /msg.sceneName must be the name of a scene/],
  ] as const) {
    it(`refuses ${name} with a clear error, calling nothing`, async () => {
      const { fail } = await load(node);
      assert.match(await withoutCalls(ctx.sim, () => fail({ ...msg })), pattern);
    });
  }
});
