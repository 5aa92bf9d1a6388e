// Events per second from simulator frames to the next node, for three consumers of the same account's
// device websocket: a bare `ws` client (no Node-RED), bench-floor (the least a Node-RED node can do with
// those frames) and gizwits-device-in. See bench/run.ts for how a burst is timed.
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { onTab } from '../test/helpers/flows';
import { deployCounted, deployDeviceIn } from './device-in';
import { BareClient, Counter, median, restLogin, type SimWorker } from './harness';
import { deploy } from './node-red';
import type { BenchUser } from './sim-worker';

export interface BurstSettings {
  events: number;
  rounds: number;
  warmupEvents: number;
}

export interface ThroughputRow {
  devices: number;
  bareEventsPerSecond: number;
  floorEventsPerSecond: number;
  nodeEventsPerSecond: number;
  /** node ÷ bare and node ÷ floor, of the best bursts. */
  ratio: number;
  floorRatio: number;
  /** Every measured burst, events per second. */
  bareBursts: number[];
  floorBursts: number[];
  nodeBursts: number[];
  /** How fast the simulator queued the frames (outside the figures above), for reference. */
  simFramesPerSecond: number;
}

/** A warm-up burst, then `rounds` measured bursts of reports over `dids`, each counted by `counter`. */
export async function bursts(
  sim: SimWorker,
  dids: string[],
  counter: Counter,
  settings: BurstSettings,
  simRates: number[] = [],
): Promise<number[]> {
  await sim.burst(dids, Math.min(settings.events, settings.warmupEvents), counter);
  const rates: number[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const { perSecond, simPerSecond } = await sim.burst(dids, settings.events, counter);
    rates.push(Math.round(perSecond));
    simRates.push(simPerSecond);
  }
  return rates;
}

/** bench-floor following every device of `user`, into the node `sink`. */
async function deployFloor(sim: SimWorker, user: BenchUser): Promise<Counter> {
  const token = await restLogin(sim, user);
  const floor = {
    id: 'floor',
    type: 'bench-floor',
    url: sim.socketUrl,
    appId: SIM_APP_ID,
    uid: user.uid,
    token,
    productKey: sim.productKey,
    dids: user.dids,
    wires: [['sink']],
  };
  const flows = onTab([floor, { id: 'sink', type: 'bench-sink', wires: [] }], 'bench');
  const { events } = await deployCounted({ flows, credentials: {} }, user.size);
  return events;
}

export async function throughput(
  sim: SimWorker,
  size: number,
  settings: BurstSettings,
): Promise<ThroughputRow> {
  const user = sim.user(size);
  const simRates: number[] = [];

  const bare = await BareClient.connect(sim, user, user.dids);
  const bareBursts = await bursts(sim, user.dids, bare.notis, settings, simRates);
  bare.close();

  const floorBursts = await bursts(sim, user.dids, await deployFloor(sim, user), settings, simRates);
  await deploy([]);

  const { events } = await deployDeviceIn(sim, [user]);
  const nodeBursts = await bursts(sim, user.dids, events, settings, simRates);
  await deploy([]);

  const best = (rates: number[]) => Math.max(...rates);
  return {
    devices: size,
    bareEventsPerSecond: best(bareBursts),
    floorEventsPerSecond: best(floorBursts),
    nodeEventsPerSecond: best(nodeBursts),
    ratio: best(nodeBursts) / best(bareBursts),
    floorRatio: best(nodeBursts) / best(floorBursts),
    bareBursts,
    floorBursts,
    nodeBursts,
    simFramesPerSecond: Math.round(median(simRates)),
  };
}
