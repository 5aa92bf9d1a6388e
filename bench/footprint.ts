// What a deploy of gizwits-device-in costs: the time from deploy (the runtime's setFlows, as the editor's
// Deploy button calls it) to the first and the last `initial` message at the next node, onto an empty
// runtime; and the heap per subscribed device after GC (1,000 devices minus 1 device, divided by 999).
import { deployDeviceIn } from './device-in';
import { heapAfterGc, median, sleep, type SimWorker } from './harness';
import { deploy } from './node-red';
import type { BenchUser } from './sim-worker';

export interface DeployRow {
  devices: number;
  firstInitialMs: number;
  allInitialMs: number;
  /** Every deploy's times, ms. */
  firstInitial: number[];
  allInitial: number[];
}

export async function deployTimes(sim: SimWorker, size: number, deploys: number): Promise<DeployRow> {
  const first: number[] = [];
  const all: number[] = [];
  for (let round = 0; round < deploys; round++) {
    await deploy([]);
    await sleep(100);
    const { firstInitialMs, allInitialMs } = await deployDeviceIn(sim, [sim.user(size)]);
    first.push(firstInitialMs);
    all.push(allInitialMs);
  }
  await deploy([]);
  return {
    devices: size,
    firstInitialMs: median(first),
    allInitialMs: median(all),
    firstInitial: first,
    allInitial: all,
  };
}

export interface MemoryResult {
  heapWith1: number[];
  heapWith1000: number[];
  bytesPerDevice: number;
}

export async function memory(sim: SimWorker, rounds: number): Promise<MemoryResult> {
  const small = sim.user(1);
  const large = sim.user(1000);
  const heapWith1: number[] = [];
  const heapWith1000: number[] = [];
  const perDevice: number[] = [];
  const heapWith = async (user: BenchUser): Promise<number> => {
    await deploy([]);
    await deployDeviceIn(sim, [user]);
    await sleep(300);
    return heapAfterGc();
  };
  for (let round = 0; round < rounds; round++) {
    heapWith1.push(await heapWith(small));
    heapWith1000.push(await heapWith(large));
    perDevice.push((heapWith1000[round] - heapWith1[round]) / (large.size - small.size));
  }
  await deploy([]);
  return { heapWith1, heapWith1000, bytesPerDevice: median(perDevice) };
}
