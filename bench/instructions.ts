// Instructions per event for each consumer of part 1 (bench/throughput.ts), counted by valgrind's callgrind:
// the one cost figure here that the machine does not move. Part 1's rates and CPU times change by up to
// twice from one process to the next on this shared virtual machine (bench/README.md); a count of the
// instructions a burst executes does not depend on what else runs, nor on how fast. It leaves out what an
// instruction costs (cache misses, memory stalls), which part 1 keeps: the two are read together.
//
// Each consumer (bench/consumer.ts) runs under `valgrind --tool=callgrind --instr-atstart=no
// --separate-threads=yes`, and node with V8's --single-threaded, so that garbage collection and compiling
// run on the thread that runs Node-RED instead of on V8's helper threads: that thread's count is the
// consumer's whole cost, and its simulator, a worker thread of the same process, is counted apart. After
// a warm-up burst with the counting off, per round: the counters zeroed (`callgrind_control -z`), one
// burst, the counts dumped (`callgrind_control -d`), and the main thread's count ÷ the burst's events. As
// in part 1, no GC is forced between bursts. Under valgrind a process runs some 50 times slower, so the
// counted bursts are smaller than part 1's; V8 optimises by how often code ran, not by time, so the
// warm-up leaves the same optimised code as natively.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ConsumerKind } from './consumer';
import { costShares, readCodeMap, selfCosts } from './callgrind';
import { median } from './harness';
import { ConsumerProcess } from './throughput';

const run = promisify(execFile);
const KINDS: ConsumerKind[] = ['bare', 'floor', 'node'];

export interface InstructionSettings {
  events: number;
  rounds: number;
  /** Reports of the warm-up burst, counted by nobody. */
  warmupEvents: number;
  /** Where callgrind writes its dumps (emptied first). */
  directory: string;
}

/** A burst's instructions per event on the consumer's main thread, and V8's compiling and GC among them. */
export interface BurstCount {
  perEvent: number;
  compiling: number;
  collecting: number;
  /** In the consumer's own JavaScript (OWN_CODE): what it does per event beyond ws, V8 and Node-RED. */
  own: number;
}

/** The scripts of each consumer's own code, as node's --perf-basic-prof names them. */
const OWN_CODE: Record<ConsumerKind, RegExp> = {
  bare: /\/bench\/harness\.ts:/,
  floor: /\/bench\/floor\//,
  node: /\/dist\//,
};

export interface InstructionRow {
  devices: number;
  /** Every burst, per consumer. */
  bare: BurstCount[];
  floor: BurstCount[];
  node: BurstCount[];
  /**
   * floor ÷ node of the medians, V8's compiling left out (`steady`) and all counted (`all`): the node's
   * speed beside the floor's if an instruction cost the same in both. Compiling is left out of the first
   * because it is the warm-up's and V8's: optimised code of Node's timers and of Node-RED's delivery is
   * thrown away when a major GC frees an object it refers to ("weak objects", --trace-deopt), and built
   * again, in either consumer, more or less of it in each burst.
   */
  steadyRatio: number;
  allRatio: number;
}

const steady = (count: BurstCount) => count.perEvent - count.compiling;

/** Why this part cannot run here, or undefined when valgrind is installed. */
export function valgrindMissing(): string | undefined {
  for (const command of ['valgrind', 'callgrind_control']) {
    const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (probe.error) return `${command} is not installed (Debian: apt-get install valgrind)`;
  }
  return undefined;
}

/** The newest dump of thread 1 (the main thread) of the process whose dumps start with `prefix`. */
function newestMainDump(directory: string, prefix: string): string {
  const dumps = fs
    .readdirSync(directory)
    .map((name) => /^(.*)\.(\d+)-01$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === prefix)
    .sort((a, b) => Number(b[2]) - Number(a[2]));
  if (dumps.length === 0) throw new Error(`callgrind wrote no dump named ${prefix}.N-01 in ${directory}`);
  return path.join(directory, dumps[0][0]);
}

/** One consumer under callgrind: `rounds` bursts of `events`, the instructions per event of each. */
async function countConsumer(
  kind: ConsumerKind,
  size: number,
  settings: InstructionSettings,
): Promise<BurstCount[]> {
  const name = `${kind}-${size}`;
  const consumer = await ConsumerProcess.start(kind, size, settings.warmupEvents, {
    wrapper: {
      path: 'valgrind',
      args: [
        '--tool=callgrind',
        '--instr-atstart=no',
        '--separate-threads=yes',
        // V8 writes the code it compiles into memory that no file backs.
        '--smc-check=all-non-file',
        `--callgrind-out-file=${path.join(settings.directory, name)}.%p`,
        '-q',
      ],
    },
    // --perf-basic-prof: where each compiled function is, for the consumer's own code (callgrind.ts).
    // It also starts V8's log, which would land in the working directory: into the dump directory.
    nodeFlags: [
      '--single-threaded',
      '--perf-basic-prof',
      `--logfile=${path.join(settings.directory, `${name}.v8-%p.log`)}`,
      '--no-logfile-per-isolate',
    ],
  });
  const codeMap = `/tmp/perf-${consumer.pid}.map`;
  const control = (...args: string[]) =>
    run('callgrind_control', [...args, String(consumer.pid)], { timeout: 120_000 });
  const dumps: string[] = [];
  try {
    await control('--instr=on');
    for (let round = 0; round < settings.rounds; round++) {
      await control('--zero');
      await consumer.burst(settings.events, false);
      await control(`--dump=round-${round}`);
      dumps.push(newestMainDump(settings.directory, `${name}.${consumer.pid}`));
    }
  } finally {
    await consumer.close();
  }
  // Read after the last burst: the map then has every function compiled until then.
  const code = readCodeMap(codeMap);
  fs.rmSync(codeMap, { force: true });
  return dumps.map((dump) => {
    const shares = costShares(selfCosts(dump), code, OWN_CODE[kind]);
    return {
      perEvent: shares.total / settings.events,
      compiling: shares.compiling / settings.events,
      collecting: shares.collecting / settings.events,
      own: shares.own / settings.events,
    };
  });
}

/** The three consumers of `size` devices, each in its own process under callgrind, all at once. */
export async function instructions(size: number, settings: InstructionSettings): Promise<InstructionRow> {
  fs.mkdirSync(settings.directory, { recursive: true });
  const [bare, floor, node] = await Promise.all(KINDS.map((kind) => countConsumer(kind, size, settings)));
  return {
    devices: size,
    bare,
    floor,
    node,
    steadyRatio: median(floor.map(steady)) / median(node.map(steady)),
    allRatio: median(floor.map((count) => count.perEvent)) / median(node.map((count) => count.perEvent)),
  };
}

/** Empties the dump directory of an earlier run. */
export function clearDumps(directory: string): void {
  fs.rmSync(directory, { recursive: true, force: true });
}

/** The part's lines of the bench's report. */
export function instructionLines(rows: InstructionRow[], settings: InstructionSettings): string[] {
  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  const cell = (counts: BurstCount[], of: (count: BurstCount) => number) => {
    const values = counts.map(of);
    return `${count(median(values))} (${count(Math.min(...values))}–${count(Math.max(...values))})`;
  };
  const widths = [7, 22, 22, 22, 12];
  const line = (cells: string[]) =>
    `   ${cells.map((text, column) => text.padStart(widths[column])).join('   ')}`;
  return [
    `   Instructions per event on the consumer's thread, counted by valgrind's callgrind (a count, which ` +
      `the machine's load does not move; median of ${settings.rounds} bursts of ` +
      `${settings.events.toLocaleString('en-US')}, range in brackets), V8's compiling left out; floor ÷ ` +
      `node is the node's speed beside the floor's if an instruction cost the same in both`,
    line(['devices', 'bare ws client', 'bench-floor', 'gizwits-device-in', 'floor ÷ node']),
    ...rows.map((row) =>
      line([
        row.devices.toLocaleString('en-US'),
        cell(row.bare, steady),
        cell(row.floor, steady),
        cell(row.node, steady),
        row.steadyRatio.toFixed(2),
      ]),
    ),
    `   Among them (bare / floor / node, medians): the consumer's own JavaScript (the bench's client, ` +
      `bench-floor, this package) and V8's garbage collection; and V8's compiling besides them, with ` +
      `floor ÷ node when it is counted`,
    ...rows.map((row) => {
      const of = (pick: (count: BurstCount) => number) =>
        [row.bare, row.floor, row.node].map((counts) => count(median(counts.map(pick)))).join(' / ');
      return (
        `   ${row.devices.toLocaleString('en-US').padStart(7)}   own code ${of((c) => c.own)}; ` +
        `collecting ${of((c) => c.collecting)}; compiling ${of((c) => c.compiling)}, ` +
        `floor ÷ node ${row.allRatio.toFixed(2)}`
      );
    }),
  ];
}

// `npm run bench:instructions`: this part alone.
if (require.main === module) {
  const sizes = (process.env.BENCH_SIZES ?? '1,100,1000').split(',').map(Number);
  const settings: InstructionSettings = {
    events: Number(process.env.BENCH_INSTRUCTION_EVENTS ?? 10_000),
    warmupEvents: 50_000,
    rounds: Number(process.env.BENCH_INSTRUCTION_ROUNDS ?? 3),
    directory: path.resolve(__dirname, '..', 'test-artifacts', 'bench', 'callgrind'),
  };
  const missing = valgrindMissing();
  if (missing) {
    console.error(`Cannot count instructions: ${missing}.`);
    process.exit(1);
  }
  (async () => {
    clearDumps(settings.directory);
    const rows: InstructionRow[] = [];
    for (const size of sizes) rows.push(await instructions(size, settings));
    console.log(instructionLines(rows, settings).join('\n'));
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
