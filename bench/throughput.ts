// Events per second from simulator frames to the next node, for three consumers of the device websocket:
// a bare `ws` client (no Node-RED), bench-floor (the least a Node-RED node can do with those frames) and
// gizwits-device-in, each in a process of its own (bench/consumer.ts). See bench/run.ts for how a burst
// is timed.
import path from 'node:path';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { onTab, type FlowNode } from '../test/helpers/flows';
import { BenchChild, type Launcher } from './child';
import type { ConsumerKind, ConsumerOrder, ConsumerReply } from './consumer';
import { deployCounted, deviceInFlow } from './device-in';
import { type Counter, median, restLogin, type SimWorker } from './harness';
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
  /**
   * node ÷ floor of each round (the two bursts of a round ran within a second of each other, in turns),
   * and their median: a figure that one lucky or unlucky burst of either cannot move.
   */
  floorRatios: number[];
  floorRatioMedian: number;
  /**
   * CPU time of the thread that runs Node-RED, per event, median over the bursts (µs): what each
   * consumer costs, which other load on the machine moves far less than events per second. `cpuRatio` is
   * floor ÷ node, the share of the floor's speed the node's work allows. V8's helper threads (parts of
   * each scavenge) are not counted. Every burst's figure is in the `*CpuBursts`.
   */
  bareCpuUs: number;
  floorCpuUs: number;
  nodeCpuUs: number;
  cpuRatio: number;
  bareCpuBursts: number[];
  floorCpuBursts: number[];
  nodeCpuBursts: number[];
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
export async function floorNodes(sim: SimWorker, user: BenchUser): Promise<FlowNode[]> {
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
 * Deploys gizwits-device-in (`node`) or bench-floor (`floor`) following every device of `user`, into a
 * bench-sink; answers the counter of the events (not the initial states) that reach it.
 */
export async function deployConsumer(
  kind: 'floor' | 'node',
  sim: SimWorker,
  user: BenchUser,
): Promise<Counter> {
  const flow =
    kind === 'node'
      ? deviceInFlow(sim, [user])
      : { flows: onTab(await floorNodes(sim, user), 'bench'), credentials: {} };
  const sink = kind === 'node' ? 'sink' : 'sink-floor';
  return (await deployCounted(flow, { [sink]: user.size }))[sink].events;
}

/** A consumer's process (bench/consumer.ts), ready for bursts. */
export class ConsumerProcess {
  private constructor(private readonly child: BenchChild<ConsumerOrder, ConsumerReply>) {}

  get pid(): number {
    return this.child.pid;
  }

  static async start(
    kind: ConsumerKind,
    size: number,
    warmupEvents: number,
    launcher: Launcher = {},
  ): Promise<ConsumerProcess> {
    const env = { BENCH_CONSUMER: kind, BENCH_SIZE: String(size), BENCH_WARMUP: String(warmupEvents) };
    const child = await BenchChild.start<ConsumerOrder, ConsumerReply>(
      path.join(__dirname, 'consumer.ts'),
      env,
      launcher,
      `the ${kind} consumer (${size} devices)`,
    );
    return new ConsumerProcess(child);
  }

  /** A burst of `events` reports, after a full GC unless `collect` is false. */
  async burst(
    events: number,
    collect = true,
  ): Promise<{ perSecond: number; cpuUsPerEvent: number; simPerSecond: number }> {
    const reply = await this.child.ask({ type: 'burst', events, collect });
    if (reply.type !== 'burst') throw new Error(`the consumer answered a burst with ${reply.type}`);
    return reply;
  }

  close(): Promise<void> {
    return this.child.end({ type: 'close' });
  }
}

/**
 * The three consumers, each in a process of its own (bench/consumer.ts) with its own account of `size`
 * devices; each round bursts to each of them in turn, so that a busy moment of the machine falls on all
 * three alike. `processes` times over, with new processes each time: a process often keeps the speed it
 * started with (its memory layout, what V8 chose to optimise) for its whole life, and that differs from
 * one process to the next by more than the figures compared here.
 */
export async function throughput(
  size: number,
  settings: BurstSettings & { processes: number },
): Promise<ThroughputRow> {
  const kinds: ConsumerKind[] = ['bare', 'floor', 'node'];
  const consumers = kinds.map(() => ({ rates: [] as number[], cpu: [] as number[] }));
  const simRates: number[] = [];
  for (let group = 0; group < settings.processes; group++) {
    const processes = await Promise.all(
      kinds.map((kind) =>
        ConsumerProcess.start(kind, size, Math.min(settings.events, settings.warmupEvents)),
      ),
    );
    for (let round = 0; round < settings.rounds; round++) {
      // The order turns each round: the burst right after another consumer's runs faster or slower than
      // the others, for no reason of its own (seen on the 2-core machine), so each takes every place alike.
      for (let turn = 0; turn < kinds.length; turn++) {
        const index = (turn + round + group) % kinds.length;
        // No full GC before it: the garbage left is this process's own, of its burst before, as in a
        // process that runs for years. A forced full GC also threw away optimised code of Node's timers
        // and Node-RED's delivery ("weak objects" in --trace-deopt), which V8 then built again during the
        // burst, a different amount each time (bench/README.md, "The floor").
        const { perSecond, cpuUsPerEvent, simPerSecond } = await processes[index].burst(
          settings.events,
          false,
        );
        consumers[index].rates.push(Math.round(perSecond));
        consumers[index].cpu.push(cpuUsPerEvent);
        simRates.push(simPerSecond);
      }
    }
    await Promise.all(processes.map((consumer) => consumer.close()));
  }

  const [bareBursts, floorBursts, nodeBursts] = consumers.map((consumer) => consumer.rates);
  const [bareCpuBursts, floorCpuBursts, nodeCpuBursts] = consumers.map((consumer) => consumer.cpu);
  const best = (rates: number[]) => Math.max(...rates);
  const floorRatios = nodeBursts.map((rate, round) => rate / floorBursts[round]);
  return {
    devices: size,
    bareEventsPerSecond: best(bareBursts),
    floorEventsPerSecond: best(floorBursts),
    nodeEventsPerSecond: best(nodeBursts),
    ratio: best(nodeBursts) / best(bareBursts),
    floorRatio: best(nodeBursts) / best(floorBursts),
    floorRatios,
    floorRatioMedian: median(floorRatios),
    bareCpuUs: median(bareCpuBursts),
    floorCpuUs: median(floorCpuBursts),
    nodeCpuUs: median(nodeCpuBursts),
    cpuRatio: median(floorCpuBursts) / median(nodeCpuBursts),
    bareCpuBursts,
    floorCpuBursts,
    nodeCpuBursts,
    bareBursts,
    floorBursts,
    nodeBursts,
    simFramesPerSecond: Math.round(median(simRates)),
  };
}
