// `npm run bench`: how fast and how heavy the device nodes are. A real Node-RED 4 runtime is embedded in
// this process (bench/node-red.ts: this package loaded from the built dist/ as a headless deployment
// loads it) and talks over loopback to the simulated cloud, which runs in a worker thread on the other
// core (bench/sim-worker.ts), so that its work and its heap stay out of the figures. One run measures,
// and prints together:
//
// 1. Events per second from simulator frames to the node after gizwits-device-in (bench-sink, a no-op),
//    with 1, 100 and 1,000 devices of one account on one socket, onlyChanged off and every report a new
//    `energy` value, so that each frame is one message. Beside it, a bare `ws` client that only logs in,
//    subscribes and JSON-parses the same frames, and the ratio node path ÷ bare client of this run. For
//    each burst this thread is held (Atomics.wait) while the simulator queues every frame of it, then
//    released: from release to the last frame counted is the consumer's time alone (the simulator
//    queues only about 150,000 frames/s, far fewer than the bare client reads). Best of BENCH_ROUNDS
//    bursts of BENCH_EVENTS reports, after a warm-up burst: on 2 cores single bursts of the bare client
//    come out up to 40 % slower than its best, for no reason of its own; every burst is in the JSON file.
// 2. Memory per subscribed device: the heap this thread uses after GC with a gizwits-device-in following
//    an account of 1,000 devices, minus with an account of 1 device (both deployed fresh, every initial
//    state received), divided by 999; median of MEMORY_ROUNDS pairs.
// 3. Time from deploy (the runtime's setFlows, as the editor's Deploy button calls it) to the first
//    `initial` message at the node after gizwits-device-in, and to the last one (every device's state),
//    onto an empty runtime; median of DEPLOYS deploys per account size.
// 4. Write latency, median and p95 over BENCH_WRITES writes of each kind, interleaved: a direct REST
//    `POST /app/control/{did}` (node:http, keep-alive), gizwits-device-control with transport rest, a
//    direct websocket `c2s_write` until its `s2c_ack`, and gizwits-device-control with transport
//    websocket. For a node: from the message entering it to the message arriving at the next node. The
//    overhead is each median minus the direct REST median.
//
// Needs node --expose-gc and -r tsx/cjs (the npm script gives both). Prints the figures on stdout and
// writes them to test-artifacts/bench/results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BareClient,
  Counter,
  SimWorker,
  closeRestAgent,
  median,
  percentile,
  rest,
  restLogin,
  sleep,
  type Json,
} from './harness';
import { accountFlow, deploy, onSink, runtimeNode, startNodeRed } from './node-red';
import type { BenchUser } from './sim-worker';
import { mqttBench, mqttLines } from './mqtt';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'test-artifacts', 'bench', 'results.json');
const SIZES = [1, 100, 1000];
const EVENTS = envInt('BENCH_EVENTS', 50_000);
const ROUNDS = envInt('BENCH_ROUNDS', 5);
const WRITES = envInt('BENCH_WRITES', 1000);
const WARMUP_EVENTS = 5_000;
const WARMUP_WRITES = 50;
const DEPLOYS = 3;
const MEMORY_ROUNDS = 3;

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// gizwits-device-in

/** Deploys gizwits-device-in for all of `user`'s devices; resolves once every initial state arrived. */
async function deployDeviceIn(
  sim: SimWorker,
  user: BenchUser,
): Promise<{ events: Counter; firstInitialMs: number; allInitialMs: number }> {
  const initial = new Counter();
  const events = new Counter();
  onSink((nodeId, msg) => {
    if (nodeId !== 'sink') return;
    if (msg.initial === true) initial.inc();
    else events.inc();
  });
  const first = initial.reach(1, 60_000, 'first initial message');
  const all = initial.reach(user.size, 120_000, 'initial messages');
  const { flows, credentials } = accountFlow(sim, user, [
    {
      id: 'in',
      type: 'gizwits-device-in',
      account: 'account',
      devices: [],
      attrs: [],
      events: ['status'],
      onlyChanged: false,
      initial: true,
      configVersion: 1,
      wires: [['sink']],
    },
    { id: 'sink', type: 'bench-sink', wires: [] },
  ]);
  const started = performance.now();
  await deploy(flows, credentials);
  const [firstAt, allAt] = await Promise.all([first, all]);
  return { events, firstInitialMs: firstAt - started, allInitialMs: allAt - started };
}

interface ThroughputRow {
  devices: number;
  bareEventsPerSecond: number;
  nodeEventsPerSecond: number;
  ratio: number;
  /** Every measured burst, events per second. */
  bareBursts: number[];
  nodeBursts: number[];
  /** How fast the simulator queued the frames (outside the figures above), for reference. */
  simFramesPerSecond: number;
}

async function throughput(sim: SimWorker, size: number): Promise<ThroughputRow> {
  const user = sim.user(size);
  const simRates: number[] = [];
  const bursts = async (counter: Counter): Promise<number[]> => {
    await sim.burst(user.dids, Math.min(EVENTS, WARMUP_EVENTS), counter);
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { perSecond, simPerSecond } = await sim.burst(user.dids, EVENTS, counter);
      rates.push(Math.round(perSecond));
      simRates.push(simPerSecond);
    }
    return rates;
  };

  const bare = await BareClient.connect(sim, user, user.dids);
  const bareBursts = await bursts(bare.notis);
  bare.close();

  const { events } = await deployDeviceIn(sim, user);
  const nodeBursts = await bursts(events);
  await deploy([]);

  return {
    devices: size,
    bareEventsPerSecond: Math.max(...bareBursts),
    nodeEventsPerSecond: Math.max(...nodeBursts),
    ratio: Math.max(...nodeBursts) / Math.max(...bareBursts),
    bareBursts,
    nodeBursts,
    simFramesPerSecond: Math.round(median(simRates)),
  };
}

interface DeployRow {
  devices: number;
  firstInitialMs: number;
  allInitialMs: number;
}

async function deployTimes(sim: SimWorker, size: number): Promise<DeployRow> {
  const first: number[] = [];
  const all: number[] = [];
  for (let round = 0; round < DEPLOYS; round++) {
    await deploy([]);
    await sleep(100);
    const { firstInitialMs, allInitialMs } = await deployDeviceIn(sim, sim.user(size));
    first.push(firstInitialMs);
    all.push(allInitialMs);
  }
  await deploy([]);
  return { devices: size, firstInitialMs: median(first), allInitialMs: median(all) };
}

async function heapAfterGc(): Promise<number> {
  if (!global.gc) throw new Error('run node with --expose-gc (npm run bench does)');
  let least = Infinity;
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    global.gc();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

interface MemoryResult {
  heapWith1: number[];
  heapWith1000: number[];
  bytesPerDevice: number;
}

async function memory(sim: SimWorker): Promise<MemoryResult> {
  const small = sim.user(1);
  const large = sim.user(1000);
  const heapWith1: number[] = [];
  const heapWith1000: number[] = [];
  const perDevice: number[] = [];
  const heapWith = async (user: BenchUser): Promise<number> => {
    await deploy([]);
    await deployDeviceIn(sim, user);
    await sleep(300);
    return heapAfterGc();
  };
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    heapWith1.push(await heapWith(small));
    heapWith1000.push(await heapWith(large));
    perDevice.push((heapWith1000[round] - heapWith1[round]) / (large.size - small.size));
  }
  await deploy([]);
  return { heapWith1, heapWith1000, bytesPerDevice: median(perDevice) };
}

// ---------------------------------------------------------------------------------------------------------
// gizwits-device-control

interface LatencyRow {
  write: string;
  medianMs: number;
  p95Ms: number;
  /** Median minus the direct REST call's median. */
  overDirectRestMs: number;
}

async function writeLatency(sim: SimWorker): Promise<LatencyRow[]> {
  const user = sim.user(1);
  const did = user.dids[0];
  let pending: { sink: string; resolve: () => void; reject: (error: Error) => void } | undefined;
  onSink((nodeId, msg) => {
    if (!pending) return;
    if (nodeId === pending.sink) pending.resolve();
    else if (nodeId === 'sink-error')
      pending.reject(new Error((msg.error as { message?: string } | undefined)?.message ?? 'error'));
  });
  const control = (id: string, transport: string, sink: string): Json => ({
    id,
    type: 'gizwits-device-control',
    account: 'account',
    device: did,
    deviceType: 'str',
    attr: '',
    value: 'payload',
    valueType: 'msg',
    transport,
    confirm: false,
    timeout: 10,
    configVersion: 1,
    wires: [[sink]],
  });
  const { flows, credentials } = accountFlow(sim, user, [
    control('control-rest', 'rest', 'sink-rest'),
    control('control-ws', 'websocket', 'sink-ws'),
    { id: 'sink-rest', type: 'bench-sink', wires: [] },
    { id: 'sink-ws', type: 'bench-sink', wires: [] },
    // A failed write reaches sink-error, which fails the run with the node's message.
    { id: 'catch-all', type: 'catch', scope: null, uncaught: false, wires: [['sink-error']] },
    { id: 'sink-error', type: 'bench-sink', wires: [] },
  ]);
  await deploy(flows, credentials);
  const token = await restLogin(sim, user);
  const bare = await BareClient.connect(sim, user, []);

  // Every write sets a new value, so that the device reports a change each time.
  let countdown = 0;
  const nextValue = () => ({ countdown: (countdown = (countdown % 1440) + 1) });
  const throughNode = (nodeId: string, sink: string) => (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${nodeId}: no message out within 15 s`)), 15_000);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        pending = undefined;
        if (error) reject(error);
        else resolve();
      };
      pending = { sink, resolve: () => settle(), reject: settle };
      runtimeNode(nodeId).receive({ payload: nextValue() });
    });
  const kinds: Array<{ write: string; run: () => Promise<unknown>; times: number[] }> = [
    {
      write: 'direct REST POST /app/control/{did}',
      run: () => rest(sim, 'POST', `/app/control/${did}`, { attrs: nextValue() }, token),
      times: [],
    },
    {
      write: 'gizwits-device-control, transport rest',
      run: throughNode('control-rest', 'sink-rest'),
      times: [],
    },
    { write: 'direct websocket c2s_write → s2c_ack', run: () => bare.write(did, nextValue()), times: [] },
    {
      write: 'gizwits-device-control, transport websocket',
      run: throughNode('control-ws', 'sink-ws'),
      times: [],
    },
  ];

  // The websocket node can write once its account's socket has subscribed the device.
  for (let attempt = 1; ; attempt++) {
    await sleep(100);
    try {
      await kinds[3].run();
      break;
    } catch (error) {
      if (attempt === 100) throw error;
    }
  }
  for (let i = 0; i < WARMUP_WRITES + WRITES; i++) {
    for (const kind of kinds) {
      const started = performance.now();
      await kind.run();
      if (i >= WARMUP_WRITES) kind.times.push(performance.now() - started);
    }
  }
  bare.close();
  await deploy([]);

  const direct = median(kinds[0].times);
  return kinds.map((kind) => ({
    write: kind.write,
    medianMs: median(kind.times),
    p95Ms: percentile(kind.times, 95),
    overDirectRestMs: median(kind.times) - direct,
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Printing

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

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

async function main(): Promise<void> {
  const begun = performance.now();
  const sim = await SimWorker.start(SIZES);
  const nodeRed = await startNodeRed();
  try {
    const rows: ThroughputRow[] = [];
    for (const size of SIZES) rows.push(await throughput(sim, size));
    const deploys: DeployRow[] = [];
    for (const size of SIZES) deploys.push(await deployTimes(sim, size));
    const mem = await memory(sim);
    const latency = await writeLatency(sim);
    const bridge = await mqttBench(sim);

    const cpus = os.cpus();
    const date = new Date().toISOString().slice(0, 10);
    const out = [
      `node-red-gizwits benchmark, ${date}: Node ${process.version}, Node-RED ${nodeRed.version}, ` +
        `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'})`,
      '',
      `1. Events per second, simulator frames → node after gizwits-device-in ` +
        `(best of ${ROUNDS} bursts of ${integer(EVENTS)} reports)`,
      table(
        ['devices', 'bare ws client', 'node path', 'node ÷ bare'],
        rows.map((row) => [
          integer(row.devices),
          integer(row.bareEventsPerSecond),
          integer(row.nodeEventsPerSecond),
          row.ratio.toFixed(2),
        ]),
      ),
      '',
      `2. Memory per subscribed device: ${(mem.bytesPerDevice / 1024).toFixed(2)} KiB ` +
        `(heap after GC with 1,000 devices: ${mem.heapWith1000.map(mib).join(' / ')} MiB; ` +
        `with 1: ${mem.heapWith1.map(mib).join(' / ')} MiB)`,
      '',
      `3. Deploy → initial messages after gizwits-device-in, ms (median of ${DEPLOYS} deploys)`,
      table(
        ['devices', 'first initial', 'all initial'],
        deploys.map((row) => [integer(row.devices), integer(row.firstInitialMs), integer(row.allInitialMs)]),
      ),
      '',
      `4. Write latency, ms (${integer(WRITES)} writes of each kind, interleaved)`,
      table(
        ['write', 'median', 'p95', 'median − direct REST'],
        latency.map((row, index) => [
          row.write,
          row.medianMs.toFixed(2),
          row.p95Ms.toFixed(2),
          index === 0 ? '' : `${row.overDirectRestMs >= 0 ? '+' : ''}${row.overDirectRestMs.toFixed(2)}`,
        ]),
        [0],
      ),
      '',
      ...mqttLines(bridge),
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
      settings: {
        events: EVENTS,
        rounds: ROUNDS,
        writes: WRITES,
        deploys: DEPLOYS,
        memoryRounds: MEMORY_ROUNDS,
      },
      throughput: rows,
      deploy: deploys,
      memory: mem,
      writeLatency: latency,
      mqttBridge: bridge,
    };
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(out.join('\n'));
  } finally {
    await nodeRed.stop();
    await sim.close();
    closeRestAgent();
  }
}

main().then(
  // Node-RED leaves a few timers of its own behind after stop(); the run is over.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
