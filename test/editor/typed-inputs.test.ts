// The typed inputs the edit dialogs offer, evaluated at run time: the device from msg/flow/env, one data
// point with its value from wherever the node says, and gizwits-api parameters from fixed JSON.
import assert from 'node:assert/strict';
import { SIM_DEVICES } from '../../src/simulator';
import { loadNode, useNodeRed } from '../helpers/node-red';
import { simClient, useSimulator } from '../helpers/simulator';

describe('typed inputs of the editor, at run time', () => {
  const ctx = useSimulator();
  useNodeRed();

  /** A gizwits-device-control node (id `control`) that writes over REST, with `config` besides. */
  function loadControl(config: Record<string, unknown>) {
    return loadNode(ctx.sim, {
      type: 'gizwits-device-control',
      id: 'control',
      config: { transport: 'rest', ...config },
    });
  }

  async function latest(did: string): Promise<Record<string, unknown>> {
    const answer = await simClient(ctx.sim).call('devices.latest', { did });
    return answer.attr as Record<string, unknown>;
  }

  it('writes one chosen data point with its value taken from a msg property', async () => {
    const { run } = await loadControl({
      device: SIM_DEVICES.demoLamp1,
      deviceType: 'str',
      attr: 'brightness',
      value: 'level',
      valueType: 'msg',
    });
    // A level the lamp already has would pass without any write: step away from the current one.
    const current = (await latest(SIM_DEVICES.demoLamp1)).brightness as number;
    const level = current >= 50 ? current - 7 : current + 7;
    const msg = await run<{ payload: Record<string, unknown>; did: string }>({ level, payload: 'ignored' });
    assert.equal(msg.did, SIM_DEVICES.demoLamp1);
    assert.equal((await latest(SIM_DEVICES.demoLamp1)).brightness, level);
  });

  it('takes the device from flow context and still lets msg.did override it', async () => {
    const { node, run } = await loadControl({ device: 'lamp', deviceType: 'flow' });
    const control = node as unknown as { context(): { flow: { set(key: string, value: unknown): void } } };
    control.context().flow.set('lamp', SIM_DEVICES.demoLamp1);
    assert.equal((await run<{ did: string }>({ payload: { LED_G: 33 } })).did, SIM_DEVICES.demoLamp1);
    assert.equal((await latest(SIM_DEVICES.demoLamp1)).LED_G, 33);
    const second = await run<{ did: string }>({ payload: { switch: true }, did: SIM_DEVICES.demoPlug1 });
    assert.equal(second.did, SIM_DEVICES.demoPlug1);
  });

  it('refuses a value the data point cannot take, naming it, and sends nothing', async () => {
    const { fail } = await loadControl({
      device: SIM_DEVICES.demoLamp1,
      attr: 'brightness',
      value: '250',
      valueType: 'num',
    });
    assert.match(await fail({ payload: 1 }), /brightness/);
  });

  it('gives gizwits-api its parameters from fixed JSON instead of msg.payload', async () => {
    const { run } = await loadNode(ctx.sim, {
      type: 'gizwits-api',
      id: 'api',
      config: {
        operation: 'devices.latest',
        params: JSON.stringify({ did: SIM_DEVICES.demoAc }),
        paramsType: 'json',
      },
    });
    const msg = await run<{ payload: { did: string } }>({ payload: Date.now() });
    assert.equal(msg.payload.did, SIM_DEVICES.demoAc);
  });
});
