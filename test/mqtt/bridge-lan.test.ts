// gizwits-mqtt-bridge's status with LAN control on (docs/lan.md), in a real Node-RED against the
// simulator's devices on loopback and a real Mosquitto: it says the bridged devices' LAN links, and
// follows them as they go down and up.
import assert from 'node:assert/strict';
import { SIM_DEVICES } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { useWatchedBroker } from '../helpers/mqtt-watch';
import { bridgeNodes } from '../helpers/flows';
import { accountNode, helper, nodeModule, onTab, simAccount, useNodeRed } from '../helpers/node-red';
import { useLanSimulator } from '../helpers/lan';

const brokerNode = nodeModule('gizwits-mqtt-broker');
const bridgeNode = nodeModule('gizwits-mqtt-bridge');
const LAMP = SIM_DEVICES.demoLamp1;

describe('gizwits-mqtt-bridge with LAN control', function () {
  this.timeout(30_000);
  const env = useLanSimulator({
    mqttBackoff: { baseMs: 50, capMs: 200 },
  });
  useNodeRed();
  const mq = useWatchedBroker();

  it('says the bridged devices’ LAN links in its status, as they go down and up', async () => {
    const account = simAccount(env.sim, {
      lan: 'prefer',
      lanTargets: `127.0.0.1:${env.sim.lan!.udpPort}`,
      configVersion: 2,
    });
    const flow = onTab([
      account.node,
      ...bridgeNodes(
        { url: mq.broker.url, keepalive: 10 },
        { baseTopic: 'gz', discovery: false, commands: true, devices: [LAMP] },
      ),
    ]);
    await helper.load([accountNode, brokerNode, bridgeNode], flow, account.credentials);
    const node = helper.getNode('bridge');
    // The status shown now (helper's spy on node.status), however early the link came up.
    const lastCall = () =>
      (node.status as unknown as { lastCall?: { args: Array<{ fill?: string; text?: string }> } }).lastCall
        ?.args[0];
    const last = () => lastCall()?.text ?? '';
    await waitFor(() => /^bridged 1 · broker ok · cloud ok · LAN 1\/1$/.test(last()), 10_000, last);
    assert.equal(lastCall()?.fill, 'green');
    await env.sim.lan!.device(LAMP).close();
    env.closed = LAMP;
    await waitFor(() => / · LAN 0\/1$/.test(last()), 5000, last);
    await env.sim.lan!.device(LAMP).start();
    env.closed = undefined;
    await waitFor(() => / · LAN 1\/1$/.test(last()), 8000, last);
  });
});
