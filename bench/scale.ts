// 10,000 devices: SCALE accounts of the simulator with 1,000 plugs each, one gizwits-device-in per
// account, all deployed at once into the same sink. Measures the time from deploy to every device's
// initial state, the heap per device after GC (minus the heap with nothing deployed), the process's RSS,
// the events per second with every account busy (reports round-robin over all 10,000 devices), and how
// often the product's data point definition was fetched. Bursts over all 10,000 devices take turns with
// bursts over one account's 1,000, in this same process: the two figures compared share a process, since
// processes differ in speed by more than the goal's 20 % (bench/README.md).
import { deployDeviceIn } from './device-in';
import { heapAfterGc, median, sleep, type SimWorker } from './harness';
import { deploy } from './node-red';
import type { BurstSettings } from './throughput';

export interface ScaleResult {
  accounts: number;
  devices: number;
  firstInitialMs: number;
  allInitialMs: number;
  heapEmptyBytes: number;
  heapDeployedBytes: number;
  heapPerDeviceBytes: number;
  rssBytes: number;
  eventsPerSecond: number;
  /** The best burst over the first account's 1,000 devices alone, with all 10,000 deployed. */
  oneAccountEventsPerSecond: number;
  /** All busy ÷ one account busy, of each round's two bursts: their median. */
  ratioMedian: number;
  /** Every measured burst, events per second: all busy, and one account busy. */
  bursts: number[];
  oneAccountBursts: number[];
  /** `GET /app/datapoint` calls from deploy until every initial state arrived. */
  datapointFetches: number;
}

export async function scale(
  sim: SimWorker,
  settings: BurstSettings & { processes: number },
): Promise<ScaleResult> {
  const users = sim.scaleUsers;
  const dids = users.flatMap((user) => user.dids);
  await deploy([]);
  const heapEmptyBytes = await heapAfterGc();
  await sim.traffic();

  const { events, firstInitialMs, allInitialMs } = await deployDeviceIn(sim, users);
  const { calls } = await sim.traffic();
  // Anything the deploy still has under way (timers, answers in flight) settles first.
  await sleep(300);
  const heapDeployedBytes = await heapAfterGc();
  const rssBytes = process.memoryUsage().rss;

  const warmup = Math.min(settings.events, settings.warmupEvents);
  await sim.burst(dids, warmup, events);
  await sim.burst(users[0].dids, warmup, events);
  const rates: number[] = [];
  const oneAccount: number[] = [];
  const rounds = settings.rounds * settings.processes;
  for (let round = 0; round < rounds; round++) {
    // In turns, the order changing every round (bench/README.md).
    const turns = round % 2 === 0 ? [dids, users[0].dids] : [users[0].dids, dids];
    for (const burstDids of turns) {
      const { perSecond } = await sim.burst(burstDids, settings.events, events);
      (burstDids === dids ? rates : oneAccount).push(Math.round(perSecond));
    }
  }
  await deploy([]);
  return {
    accounts: users.length,
    devices: dids.length,
    firstInitialMs,
    allInitialMs,
    heapEmptyBytes,
    heapDeployedBytes,
    heapPerDeviceBytes: (heapDeployedBytes - heapEmptyBytes) / dids.length,
    rssBytes,
    eventsPerSecond: Math.max(...rates),
    oneAccountEventsPerSecond: Math.max(...oneAccount),
    ratioMedian: median(rates.map((rate, round) => rate / oneAccount[round])),
    bursts: rates,
    oneAccountBursts: oneAccount,
    datapointFetches: calls.filter((call) => call.path === '/app/datapoint').length,
  };
}
