// Scale-out, proven: two real headless Node-RED processes, each with its own simulated account, bridge
// into one Mosquitto. One subscriber sees both discovery sets; a command reaches only the instance that
// bridges the device; killing one process marks only its devices unavailable, through its last will;
// starting it again brings them back.
import assert from 'node:assert/strict';
import { SIM_DEVICES, simManyPlugDid } from '../../src/simulator';
import { simAccount } from '../helpers/flows';
import { FAST_SOCKET, deviceState, waitFor } from '../helpers/live';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { watchBroker, type Watcher } from '../helpers/mqtt-watch';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { useSimulator } from '../helpers/simulator';

const DEMO = Object.values(SIM_DEVICES);
const MANY = [1, 2, 3].map(simManyPlugDid);

describe('two Node-RED instances with different accounts, one Mosquitto', function () {
  this.timeout(90_000);
  const ctx = useSimulator({ driftIntervalMs: 0 });
  let broker: Mosquitto;
  let watch: Watcher;
  let a: NodeRedProcess | undefined;
  let b: NodeRedProcess | undefined;

  /** One instance's flow: its account, its broker node (its own client id), its bridge. */
  function instance(name: 'a' | 'b', user: 'demo' | 'many', devices: string[]) {
    const account = simAccount(ctx.sim, { id: `acct-${name}`, user });
    return startNodeRed({
      flows: [
        { id: `tab-${name}`, type: 'tab', label: name },
        account.node,
        {
          id: `broker-${name}`,
          type: 'gizwits-mqtt-broker',
          url: broker.url,
          clientId: `instance-${name}`,
          configVersion: 1,
        },
        {
          id: `bridge-${name}`,
          type: 'gizwits-mqtt-bridge',
          z: `tab-${name}`,
          x: 100,
          y: 100,
          account: account.node.id,
          broker: `broker-${name}`,
          baseTopic: 'gizwits',
          devices,
          configVersion: 1,
          wires: [],
        },
      ],
      credentials: account.credentials,
      settings: { gizwits: { ...FAST_SOCKET, mqttBackoff: { baseMs: 50, capMs: 200 } } },
    });
  }

  const config = (did: string) => `homeassistant/device/gizwits_${did}/config`;
  const status = (name: string) => `gizwits/bridge/bridge-${name}/status`;

  before(async () => {
    broker = await startMosquitto();
    watch = await watchBroker(broker.url);
    [a, b] = await Promise.all([instance('a', 'demo', []), instance('b', 'many', MANY)]);
  });
  after(async () => {
    await watch?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await broker?.stop();
  });

  it('one subscriber sees both discovery sets', async () => {
    for (const did of [...DEMO, ...MANY])
      await watch.next((m) => m.topic === config(did) && m.payload !== '', 0, 20_000);
    for (const did of [...DEMO, ...MANY])
      await watch.next((m) => m.topic === `gizwits/${did}/availability`, 0, 20_000);
    const configs = new Set(watch.all.filter((m) => m.topic.endsWith('/config')).map((m) => m.topic));
    assert.equal(configs.size, DEMO.length + MANY.length);
    assert.equal(watch.last(status('a')), 'online');
    assert.equal(watch.last(status('b')), 'online');
  });

  it('a command reaches only the instance that bridges the device', async () => {
    const writes = (did: string) =>
      ctx.sim.ws.received.filter((f) => f.cmd === 'c2s_write' && f.did === did).length;
    const before = [writes(SIM_DEVICES.demoPlug1), writes(MANY[0])];
    await watch.publish(`gizwits/${SIM_DEVICES.demoPlug1}/countdown/set`, '88');
    await watch.publish(`gizwits/${MANY[0]}/countdown/set`, '99');
    await waitFor(async () => (await deviceState(ctx.sim, SIM_DEVICES.demoPlug1)).attrs.countdown === 88);
    await waitFor(async () => (await deviceState(ctx.sim, MANY[0])).attrs.countdown === 99);
    assert.deepEqual([writes(SIM_DEVICES.demoPlug1), writes(MANY[0])], [before[0] + 1, before[1] + 1]);
    // Neither instance heard of the other's device: no refusal anywhere.
    assert.equal(watch.all.filter((m) => m.topic.endsWith('/result')).length, 0);
    assert.doesNotMatch(b!.output(), new RegExp(SIM_DEVICES.demoPlug1));
    assert.doesNotMatch(a!.output(), new RegExp(MANY[0]));
  });

  it('killing one process marks only its devices unavailable, through its last will; a restart brings them back', async () => {
    const mark = watch.all.length;
    await a!.kill();
    a = undefined;
    await watch.next((m) => m.topic === status('a') && m.payload === 'offline', mark);
    assert.equal(watch.last(status('b')), 'online');
    // Home Assistant's view (avty_mode all): a device is available while its bridge and it are online.
    const available = (did: string) => {
      const cfg = JSON.parse(watch.last(config(did))!) as { avty: Array<{ topic: string }> };
      return cfg.avty.every((t) => watch.last(t.topic) === 'online');
    };
    assert.deepEqual(DEMO.filter(available), []);
    assert.deepEqual(MANY.filter(available), MANY);

    const back = watch.all.length;
    a = await instance('a', 'demo', []);
    await watch.next((m) => m.topic === status('a') && m.payload === 'online', back, 20_000);
    await waitFor(() => DEMO.filter((did) => did !== SIM_DEVICES.demoPlug2Offline).every(available), 20_000);
    assert.deepEqual(MANY.filter(available), MANY);
  });
});
