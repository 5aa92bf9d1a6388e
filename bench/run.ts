// `npm run bench`: how fast and how heavy the device nodes are, and what they cost the cloud. A real
// Node-RED 4 runtime is embedded in this process (bench/node-red.ts: this package loaded from the built
// dist/ as a headless deployment loads it) and talks over loopback to the simulated cloud, which runs in
// a worker thread on the other core (bench/sim-worker.ts), so that its work and its heap stay out of the
// figures. One run measures, and prints together:
//
// 1. Events per second from simulator frames to the node after the consumer (bench-sink, a no-op), with
//    1, 100 and 1,000 devices of one account on one socket, onlyChanged off and every report a new
//    `energy` value, so that each frame is one message (bench/throughput.ts). Three consumers: a bare
//    `ws` client (logs in, subscribes, JSON-parses the frames; no Node-RED), bench-floor (the least a
//    Node-RED node can do with them, bench/floor/) and gizwits-device-in, each in a process of its own
//    with a simulator of its own (bench/consumer.ts); node ÷ bare and node ÷ floor of this run. For each
//    burst the consumer's thread is held (Atomics.wait) while its simulator queues every frame of it, then
//    released: from release to the last frame counted is the consumer's time alone. The consumers take
//    turns burst by burst, in an order that turns each round, with no forced GC between; BENCH_ROUNDS
//    rounds in each of BENCH_PROCESSES sets of new processes, after a warm-up burst, since a process
//    often keeps its speed for life and processes differ (bench/README.md). Printed: the best burst of each,
//    node ÷ floor of the best bursts and the median of each round's own, and each consumer's CPU time
//    per event on its Node-RED thread (median of its bursts), which other load on the machine moves far
//    less than the rates. Every burst is in the JSON file. Then the same three consumers' instructions
//    per event, counted by valgrind's callgrind, which the machine's load does not move
//    (bench/instructions.ts; left out, with a line saying so, where valgrind is not installed).
// 2. Memory per subscribed device, and 3. deploy → initial messages (bench/footprint.ts).
// 4. 10,000 devices over SCALE_ACCOUNTS accounts, one gizwits-device-in each (bench/scale.ts); measured
//    first, so that the process's RSS is not that of the bursts before it.
// 5. REST calls of 1,000 quiet devices with a healthy socket, per hour, and those of a socket drop; how
//    often the data point definition is fetched (bench/polling.ts).
// 6. Write latency of gizwits-device-control beside the direct calls it wraps, with and without
//    `confirm` (bench/writes.ts).
// 7. LAN beside the cloud: confirmed write latency, reports per second over each link, failover to the
//    cloud and back (bench/lan.ts).
//
// Needs node --expose-gc and -r tsx/cjs (the npm script gives both). Prints the figures on stdout and
// writes them, every sample included, to test-artifacts/bench/results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { envInt, type SimWorker } from './harness';
import { deployTimes, memory, type DeployRow } from './footprint';
import { runBench, type EmbeddedNodeRed } from './node-red';
import { polling } from './polling';
import { scale } from './scale';
import { throughput, type BurstSettings, type ThroughputRow } from './throughput';
import {
  clearDumps,
  instructionLines,
  instructions,
  valgrindMissing,
  type InstructionRow,
  type InstructionSettings,
} from './instructions';
import { writeLatency } from './writes';
import { mqttBench, mqttLines } from './mqtt';
import { lanBench, lanLines } from './lan';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'test-artifacts', 'bench', 'results.json');
const SIZES = [1, 100, 1000];
const SCALE_ACCOUNTS = 10;
const SCALE_DEVICES = 1000;
const BURSTS: BurstSettings & { processes: number } = {
  events: envInt('BENCH_EVENTS', 50_000),
  rounds: envInt('BENCH_ROUNDS', 3),
  // Until V8 has optimised what it will (about 50,000 reports; seen with --trace-opt).
  warmupEvents: 50_000,
  processes: envInt('BENCH_PROCESSES', 4),
};
const INSTRUCTIONS: InstructionSettings = {
  events: envInt('BENCH_INSTRUCTION_EVENTS', 10_000),
  rounds: envInt('BENCH_INSTRUCTION_ROUNDS', 3),
  warmupEvents: 50_000,
  directory: path.join(ROOT, 'test-artifacts', 'bench', 'callgrind'),
};
const WRITES = { writes: envInt('BENCH_WRITES', 1000), warmupWrites: 50 };
const LAN = {
  writes: envInt('BENCH_LAN_WRITES', 300),
  reports: envInt('BENCH_LAN_REPORTS', 20_000),
  failovers: envInt('BENCH_LAN_FAILOVERS', 5),
};
const DEPLOYS = 3;
const MEMORY_ROUNDS = 3;

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(2);
const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([call, count]) => `${count} × ${call}`)
    .join(', ') || 'none';

function table(header: string[], rows: string[][], alignLeft: number[] = []): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        alignLeft.includes(column) ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('   ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const begun = performance.now();
runBench(
  { sizes: SIZES, scale: { accounts: SCALE_ACCOUNTS, devices: SCALE_DEVICES } },
  async (sim: SimWorker, nodeRed: EmbeddedNodeRed): Promise<void> => {
    // First, while the heap has not yet grown for the bursts of the other parts: its RSS is its own.
    const big = await scale(sim, BURSTS);
    const rows: ThroughputRow[] = [];
    for (const size of SIZES) rows.push(await throughput(size, BURSTS));
    const noValgrind = valgrindMissing();
    const counted: InstructionRow[] = [];
    if (!noValgrind) {
      clearDumps(INSTRUCTIONS.directory);
      for (const size of SIZES) counted.push(await instructions(size, INSTRUCTIONS));
    }
    const deploys: DeployRow[] = [];
    for (const size of SIZES) deploys.push(await deployTimes(sim, size, DEPLOYS));
    const mem = await memory(sim, MEMORY_ROUNDS);
    const quiet = await polling(sim);
    const latency = await writeLatency(sim, WRITES);
    const bridge = await mqttBench(sim);
    const lan = await lanBench(LAN);

    const cpus = os.cpus();
    const at1000 = rows.find((row) => row.devices === 1000)!;
    const out = [
      `node-red-gizwits benchmark, ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
        `Node-RED ${nodeRed.version}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
        `load average ${os.loadavg()[0].toFixed(2)} at the end`,
      '',
      `1. Events per second, simulator frames → the next node ` +
        `(best of ${BURSTS.processes * BURSTS.rounds} bursts of ${integer(BURSTS.events)} reports, ` +
        `${BURSTS.rounds} in each of ${BURSTS.processes} processes per consumer; node ÷ floor of the best ` +
        `bursts, and the median of each round's own)`,
      table(
        [
          'devices',
          'bare ws client',
          'bench-floor',
          'gizwits-device-in',
          'node ÷ bare',
          'node ÷ floor',
          'median of rounds',
        ],
        rows.map((row) => [
          integer(row.devices),
          integer(row.bareEventsPerSecond),
          integer(row.floorEventsPerSecond),
          integer(row.nodeEventsPerSecond),
          row.ratio.toFixed(2),
          row.floorRatio.toFixed(2),
          row.floorRatioMedian.toFixed(2),
        ]),
      ),
      `   CPU time per event of the thread that runs Node-RED, µs (median of the bursts; floor ÷ node is ` +
        `the node's speed beside the floor's that this cost allows)`,
      table(
        ['devices', 'bare ws client', 'bench-floor', 'gizwits-device-in', 'floor ÷ node'],
        rows.map((row) => [
          integer(row.devices),
          row.bareCpuUs.toFixed(2),
          row.floorCpuUs.toFixed(2),
          row.nodeCpuUs.toFixed(2),
          row.cpuRatio.toFixed(2),
        ]),
      ),
      ...(noValgrind
        ? [`   Instructions per event: not counted, ${noValgrind}.`]
        : instructionLines(counted, INSTRUCTIONS)),
      '',
      `2. Memory per subscribed device: ${kib(mem.bytesPerDevice)} KiB ` +
        `(heap after GC with 1,000 devices: ${mem.heapWith1000.map(mib).join(' / ')} MiB; ` +
        `with 1: ${mem.heapWith1.map(mib).join(' / ')} MiB)`,
      '',
      `3. Deploy → initial messages after gizwits-device-in, ms (median of ${DEPLOYS} deploys)`,
      table(
        ['devices', 'first initial', 'all initial'],
        deploys.map((row) => [integer(row.devices), integer(row.firstInitialMs), integer(row.allInitialMs)]),
      ),
      '',
      `4. ${integer(big.devices)} devices, ${big.accounts} accounts, one gizwits-device-in each`,
      `   deploy → first / all initial states: ${integer(big.firstInitialMs)} / ${integer(big.allInitialMs)} ms`,
      `   heap per device after GC: ${kib(big.heapPerDeviceBytes)} KiB ` +
        `(${mib(big.heapEmptyBytes)} MiB with nothing deployed, ${mib(big.heapDeployedBytes)} MiB deployed); ` +
        `RSS ${mib(big.rssBytes)} MiB`,
      `   events per second, every account busy: ${integer(big.eventsPerSecond)}; one account of 1,000 ` +
        `busy, in turns with it: ${integer(big.oneAccountEventsPerSecond)} ` +
        `(${(big.eventsPerSecond / big.oneAccountEventsPerSecond).toFixed(2)} × of the best bursts, ` +
        `${big.ratioMedian.toFixed(2)} × the median of each round's own; part 1's 1,000 devices, ` +
        `other processes: ${integer(at1000.nodeEventsPerSecond)})`,
      `   data point definition fetched ${big.datapointFetches} times (1 product, ${big.accounts} accounts)`,
      '',
      `5. REST calls of ${integer(quiet.devices)} devices of one account`,
      `   quiet, healthy websocket (on a clock ${quiet.speed}× as fast, per hour of that clock):`,
      `   ${integer(quiet.restCallsPerHour)} REST calls per hour (${listed(quiet.quietCalls)}); ` +
        `${integer(quiet.socketFramesPerHour)} websocket frames sent per hour`,
      `   one drop of every socket caused ${quiet.dropRestCalls} REST calls (${listed(quiet.dropCalls)})`,
      `   data point definition fetched ${quiet.datapointFetches} times in all (${quiet.products} product, ` +
        `1 account, 2 registries one after the other)`,
      '',
      `6. Write latency, ms (${integer(WRITES.writes)} writes of each kind, interleaved)`,
      table(
        ['write', 'median', 'p95', 'median − the call it wraps'],
        latency.map((row) => [
          row.write,
          row.medianMs.toFixed(2),
          row.p95Ms.toFixed(2),
          row.overDirectMs === undefined ? '' : signed(row.overDirectMs),
        ]),
        [0],
      ),
      '',
      ...mqttLines(bridge),
      '',
      ...lanLines(lan),
      '',
      `Finished in ${((performance.now() - begun) / 1000).toFixed(0)} s; ` +
        `figures in ${path.relative(ROOT, RESULTS_FILE)}.`,
    ];

    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      nodeRed: nodeRed.version,
      cpus: cpus.length,
      cpu: cpus[0]?.model.trim(),
      loadAverage: os.loadavg(),
      settings: {
        bursts: BURSTS,
        instructions: INSTRUCTIONS,
        writes: WRITES,
        lan: LAN,
        deploys: DEPLOYS,
        memoryRounds: MEMORY_ROUNDS,
        scale: { accounts: SCALE_ACCOUNTS, devices: SCALE_DEVICES },
      },
      throughput: rows,
      instructions: counted,
      deploy: deploys,
      memory: mem,
      scale: big,
      polling: quiet,
      writeLatency: latency,
      mqttBridge: bridge,
      lan,
    };
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(out.join('\n'));
  },
);
