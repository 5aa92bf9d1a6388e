// The MQTT bridge's figures for `npm run bench` (called from bench/run.ts, in its embedded Node-RED and
// against its simulator worker):
//
// 1. Events per second from simulator frames to a message delivered to an MQTT subscriber through a
//    real Mosquitto (test/helpers/mosquitto.ts, a process of its own): gizwits-mqtt-bridge following
//    every device of an account (1 and 1,000 devices), each report a new `energy` value, so that each
//    frame is one `<base>/<did>/state` message; the subscriber is an MQTT.js client in this process,
//    subscribed at QoS 1. The burst method is bench/run.ts's (the thread held while the simulator queues
//    the frames): from release to the last state message received. Best of BENCH_ROUNDS bursts.
// 2. Heap per bridged device: the heap after GC with the bridge over 1,000 devices minus with 1 device,
//    divided by 999 (the account's registry included, as in the device-in figure); median of 3 pairs.
import mqtt from 'mqtt';
import { startMosquitto, type Mosquitto } from '../test/helpers/mosquitto';
import { Counter, median, sleep, type Json, type SimWorker } from './harness';
import { accountFlow, deploy } from './node-red';
import type { BenchUser } from './sim-worker';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MEMORY_ROUNDS = 3;

export interface MqttBenchResult {
  throughput: Array<{ devices: number; eventsPerSecond: number; bursts: number[] }>;
  heapWith1: number[];
  heapWith1000: number[];
  bytesPerDevice: number;
}

function bridgeFlow(
  sim: SimWorker,
  user: BenchUser,
  broker: Mosquitto,
): { flows: Json[]; credentials: Json } {
  return accountFlow(sim, user, [
    {
      id: 'mqtt-broker',
      type: 'gizwits-mqtt-broker',
      url: broker.url,
      clientId: 'bench-bridge',
      configVersion: 1,
    },
    {
      id: 'bridge',
      type: 'gizwits-mqtt-bridge',
      account: 'account',
      broker: 'mqtt-broker',
      baseTopic: 'bench',
      devices: [],
      discovery: true,
      commands: true,
      configVersion: 1,
      wires: [],
    },
  ]);
}

/** Deploys the bridge for `user`; resolves once the subscriber has every device's state. */
async function deployBridge(
  sim: SimWorker,
  user: BenchUser,
  broker: Mosquitto,
  states: Counter,
): Promise<void> {
  const { flows, credentials } = bridgeFlow(sim, user, broker);
  const all = states.reach(states.value + user.size, 120_000, 'states of every device');
  await deploy(flows, credentials);
  await all;
}

async function subscriber(broker: Mosquitto): Promise<{ states: Counter; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(broker.url, { clientId: 'bench-subscriber', reconnectPeriod: 0 });
  const states = new Counter();
  client.on('message', () => states.inc());
  await client.subscribeAsync('bench/+/state', { qos: 1 });
  return { states, close: () => client.endAsync(true) };
}

async function heapAfterGc(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    global.gc!();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

export async function mqttBench(sim: SimWorker): Promise<MqttBenchResult> {
  // No queue limit: a subscriber behind by a burst must get every message, not the broker's first 1,000.
  const broker = await startMosquitto({ config: ['max_queued_messages 0', 'max_inflight_messages 0'] });
  try {
    const throughput: MqttBenchResult['throughput'] = [];
    for (const size of [1, 1000]) {
      const user = sim.user(size);
      const sub = await subscriber(broker);
      await deployBridge(sim, user, broker, sub.states);
      await sim.burst(user.dids, Math.min(EVENTS, 5_000), sub.states);
      const bursts: number[] = [];
      for (let round = 0; round < ROUNDS; round++)
        bursts.push(Math.round((await sim.burst(user.dids, EVENTS, sub.states)).perSecond));
      throughput.push({ devices: size, eventsPerSecond: Math.max(...bursts), bursts });
      await deploy([]);
      await sub.close();
    }

    const heapWith1: number[] = [];
    const heapWith1000: number[] = [];
    const perDevice: number[] = [];
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      for (const [size, list] of [
        [1, heapWith1],
        [1000, heapWith1000],
      ] as const) {
        await deploy([]);
        const sub = await subscriber(broker);
        await deployBridge(sim, sim.user(size), broker, sub.states);
        await sub.close();
        await sleep(300);
        list.push(await heapAfterGc());
      }
      perDevice.push((heapWith1000[round] - heapWith1[round]) / 999);
    }
    await deploy([]);
    return { throughput, heapWith1, heapWith1000, bytesPerDevice: median(perDevice) };
  } finally {
    await broker.stop();
  }
}

/** The lines bench/run.ts prints. */
export function mqttLines(result: MqttBenchResult): string[] {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return [
    `7. gizwits-mqtt-bridge: simulator frames → state message at an MQTT subscriber through Mosquitto ` +
      `(best of ${ROUNDS} bursts of ${EVENTS.toLocaleString('en-US')} reports)`,
    ...result.throughput.map(
      (row) =>
        `   ${row.devices.toLocaleString('en-US').padStart(5)} devices: ` +
        `${row.eventsPerSecond.toLocaleString('en-US')} events/s`,
    ),
    `   Heap per bridged device: ${(result.bytesPerDevice / 1024).toFixed(2)} KiB ` +
      `(after GC with 1,000 devices: ${result.heapWith1000.map(mib).join(' / ')} MiB; ` +
      `with 1: ${result.heapWith1.map(mib).join(' / ')} MiB)`,
  ];
}
