// Events per second from simulator frames to the next node, for three consumers of the same account's
// device websocket: a bare `ws` client (no Node-RED), bench-floor (the least a Node-RED node can do with
// those frames) and gizwits-device-in. See bench/run.ts for how a burst is timed.
import { SIM_APP_ID } from '../src/simulator/fixtures';
import type { FlowNode } from '../test/helpers/flows';
import { deployCounted, deviceInFlow } from './device-in';
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

/** bench-floor following every device of `user`, into the bench-sink `sink-floor`. */
async function floorNodes(sim: SimWorker, user: BenchUser): Promise<FlowNode[]> {
  const floor = {
    id: 'floor',
    type: 'bench-floor',
    url: sim.socketUrl,
    appId: SIM_APP_ID,
    uid: user.uid,
    token: await restLogin(sim, user),
    productKey: sim.productKey,
    dids: user.dids,
    wires: [['sink-floor']],
  };
  return [floor, { id: 'sink-floor', type: 'bench-sink', wires: [] }];
}

/**
 * The three consumers follow their own account of `size` devices at once; each round bursts to each of
 * them in turn, so that a busy moment of the machine falls on all three alike.
 */
export async function throughput(
  sim: SimWorker,
  size: number,
  settings: BurstSettings,
): Promise<ThroughputRow> {
  const users = { node: sim.user(size), floor: sim.user(size, 'floor'), bare: sim.user(size, 'bare') };
  const bare = await BareClient.connect(sim, users.bare, users.bare.dids);
  const flow = deviceInFlow(sim, [users.node], await floorNodes(sim, users.floor));
  const sinks = await deployCounted(flow, { sink: size, 'sink-floor': size });
  const consumers = [
    { dids: users.bare.dids, counter: bare.notis, rates: [] as number[] },
    { dids: users.floor.dids, counter: sinks['sink-floor'].events, rates: [] as number[] },
    { dids: users.node.dids, counter: sinks.sink.events, rates: [] as number[] },
  ];
  const simRates: number[] = [];
  for (const { dids, counter } of consumers)
    await sim.burst(dids, Math.min(settings.events, settings.warmupEvents), counter);
  for (let round = 0; round < settings.rounds; round++) {
    // The order turns each round: the burst right after another consumer's runs faster or slower than
    // the others, for no reason of its own (seen on the 2-core machine), so each takes every place alike.
    for (let turn = 0; turn < consumers.length; turn++) {
      const { dids, counter, rates } = consumers[(turn + round) % consumers.length];
      const { perSecond, simPerSecond } = await sim.burst(dids, settings.events, counter);
      rates.push(Math.round(perSecond));
      simRates.push(simPerSecond);
    }
  }
  bare.close();
  await deploy([]);

  const [bareBursts, floorBursts, nodeBursts] = consumers.map((consumer) => consumer.rates);
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
