// The typed inputs the edit dialogs offer, evaluated at run time: the device from msg/flow/env, one data
// point with its value from wherever the node says, and gizwits-api parameters from fixed JSON.
import assert from 'node:assert/strict';
import { SIM_DEVICES } from '../../src/simulator';
import {
  accountNode,
  apiNode,
  catchNode,
  helper,
  nextMessage,
  onTab,
  simAccount,
  useNodeRed,
} from '../helpers/node-red';
import { simClient, useSimulator } from '../helpers/simulator';

const controlNode = require('../../src/nodes/gizwits-device-control/gizwits-device-control');

describe('typed inputs of the editor, at run time', () => {
  const ctx = useSimulator();
  useNodeRed();

  async function load(nodes: Array<Record<string, unknown>>) {
    const account = simAccount(ctx.sim);
    await helper.load(
      [accountNode, apiNode, controlNode, catchNode],
      onTab([
        account.node,
        ...nodes,
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]),
      account.credentials,
    );
  }

  async function latest(did: string): Promise<Record<string, unknown>> {
    const answer = await simClient(ctx.sim).call('devices.latest', { did });
    return answer.attr as Record<string, unknown>;
  }

  it('writes one chosen data point with its value taken from a msg property', async () => {
    await load([
      {
        id: 'control',
        type: 'gizwits-device-control',
        account: 'account',
        device: SIM_DEVICES.demoLamp1,
        deviceType: 'str',
        attr: 'brightness',
        value: 'level',
        valueType: 'msg',
        transport: 'rest',
        wires: [['out']],
      },
    ]);
    // A level the lamp already has would pass without any write: step away from the current one.
    const current = (await latest(SIM_DEVICES.demoLamp1)).brightness as number;
    const level = current >= 50 ? current - 7 : current + 7;
    const out = nextMessage<{ payload: Record<string, unknown>; did: string }>(helper.getNode('out'));
    helper.getNode('control').receive({ level, payload: 'ignored' });
    const msg = await out;
    assert.equal(msg.did, SIM_DEVICES.demoLamp1);
    assert.equal((await latest(SIM_DEVICES.demoLamp1)).brightness, level);
  });

  it('takes the device from flow context and still lets msg.did override it', async () => {
    await load([
      {
        id: 'control',
        type: 'gizwits-device-control',
        account: 'account',
        device: 'lamp',
        deviceType: 'flow',
        transport: 'rest',
        wires: [['out']],
      },
    ]);
    const control = helper.getNode('control') as unknown as {
      context(): { flow: { set(key: string, value: unknown): void } };
      receive(msg: Record<string, unknown>): void;
    };
    control.context().flow.set('lamp', SIM_DEVICES.demoLamp1);
    const first = nextMessage<{ did: string }>(helper.getNode('out'));
    control.receive({ payload: { LED_G: 33 } });
    assert.equal((await first).did, SIM_DEVICES.demoLamp1);
    assert.equal((await latest(SIM_DEVICES.demoLamp1)).LED_G, 33);
    const second = nextMessage<{ did: string }>(helper.getNode('out'));
    control.receive({ payload: { switch: true }, did: SIM_DEVICES.demoPlug1 });
    assert.equal((await second).did, SIM_DEVICES.demoPlug1);
  });

  it('refuses a value the data point cannot take, naming it, and sends nothing', async () => {
    await load([
      {
        id: 'control',
        type: 'gizwits-device-control',
        account: 'account',
        device: SIM_DEVICES.demoLamp1,
        attr: 'brightness',
        value: '250',
        valueType: 'num',
        transport: 'rest',
        wires: [['out']],
      },
    ]);
    const caught = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('control').receive({ payload: 1 });
    assert.match((await caught).error.message, /brightness/);
  });

  it('gives gizwits-api its parameters from fixed JSON instead of msg.payload', async () => {
    await load([
      {
        id: 'api',
        type: 'gizwits-api',
        account: 'account',
        operation: 'devices.latest',
        params: JSON.stringify({ did: SIM_DEVICES.demoAc }),
        paramsType: 'json',
        wires: [['out']],
      },
    ]);
    const out = nextMessage<{ payload: { did: string } }>(helper.getNode('out'));
    helper.getNode('api').receive({ payload: Date.now() });
    assert.equal((await out).payload.did, SIM_DEVICES.demoAc);
  });
});
