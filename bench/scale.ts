// 10,000 devices: SCALE accounts of the simulator with 1,000 plugs each, one gizwits-device-in per
// account, all deployed at once into the same sink. Measures the time from deploy to every device's
// initial state, the heap per device after GC (minus the heap with nothing deployed), the process's RSS,
// the events per second with every account busy (reports round-robin over all 10,000 devices), and how
// often the product's data point definition was fetched.
import { deployDeviceIn } from './device-in';
import { heapAfterGc, sleep, type SimWorker } from './harness';
import { deploy } from './node-red';
import { bursts, type BurstSettings } from './throughput';

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
  /** Every measured burst, events per second. */
  bursts: number[];
  /** `GET /app/datapoint` calls from deploy until every initial state arrived. */
  datapointFetches: number;
}

export async function scale(sim: SimWorker, settings: BurstSettings): Promise<ScaleResult> {
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

  const rates = await bursts(sim, dids, events, settings);
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
    bursts: rates,
    datapointFetches: calls.filter((call) => call.path === '/app/datapoint').length,
  };
}
