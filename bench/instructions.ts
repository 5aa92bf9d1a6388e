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
import { costShares, readCodeMap, selfCosts, type CostShares } from './callgrind';
import { envInt, median } from './harness';
import { BenchChild, type Launcher } from './child';
import { ConsumerProcess } from './throughput';
import type { WriteKind, WriterOrder, WriterReply } from './write-counter';

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
   * speed beside the floor's if an instruction cost the same in both. Compiling is left out of the first:
   * about 26 million instructions of it come in every burst of every consumer, the bare client's too, a
   * cost of the harness's turns rather than of a report (bench/README.md, "Instructions per event").
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

/** How a process is started under callgrind, its dumps and V8's log named `name` in `directory`. */
function underCallgrind(directory: string, name: string): Launcher {
  return {
    wrapper: {
      path: 'valgrind',
      args: [
        '--tool=callgrind',
        '--instr-atstart=no',
        '--separate-threads=yes',
        // V8 writes the code it compiles into memory that no file backs.
        '--smc-check=all-non-file',
        `--callgrind-out-file=${path.join(directory, name)}.%p`,
        '-q',
      ],
    },
    // --perf-basic-prof: where each compiled function is, for the process's own code (callgrind.ts).
    // It also starts V8's log, which would land in the working directory: into the dump directory.
    nodeFlags: [
      '--single-threaded',
      '--perf-basic-prof',
      `--logfile=${path.join(directory, `${name}.v8-%p.log`)}`,
      '--no-logfile-per-isolate',
    ],
  };
}

/**
 * Counts what a process started under callgrind (`underCallgrind`) executes in each of `steps`: the
 * counters zeroed, the step, the counts dumped. Each step's count of the main thread, sorted
 * (callgrind.ts), `own` naming the scripts of the process's own code. `close` ends the process.
 */
async function countSteps(
  pid: number,
  directory: string,
  name: string,
  own: RegExp,
  steps: Array<() => Promise<unknown>>,
  close: () => Promise<void>,
): Promise<CostShares[]> {
  const codeMap = `/tmp/perf-${pid}.map`;
  const control = (...args: string[]) =>
    run('callgrind_control', [...args, String(pid)], { timeout: 120_000 });
  const dumps: string[] = [];
  try {
    await control('--instr=on');
    for (const [index, step] of steps.entries()) {
      await control('--zero');
      await step();
      await control(`--dump=step-${index}`);
      dumps.push(newestMainDump(directory, `${name}.${pid}`));
    }
  } finally {
    await close();
  }
  // Read after the last step: the map then has every function compiled until then.
  const code = readCodeMap(codeMap);
  fs.rmSync(codeMap, { force: true });
  return dumps.map((dump) => costShares(selfCosts(dump), code, own));
}

/** One consumer under callgrind: `rounds` bursts of `events`, the instructions per event of each. */
async function countConsumer(
  kind: ConsumerKind,
  size: number,
  settings: InstructionSettings,
): Promise<BurstCount[]> {
  const name = `${kind}-${size}`;
  const launcher = underCallgrind(settings.directory, name);
  const consumer = await ConsumerProcess.start(kind, size, settings.warmupEvents, launcher);
  const bursts = Array.from({ length: settings.rounds }, () => () => consumer.burst(settings.events, false));
  const counted = await countSteps(consumer.pid, settings.directory, name, OWN_CODE[kind], bursts, () =>
    consumer.close(),
  );
  return counted.map((shares) => ({
    perEvent: shares.total / settings.events,
    compiling: shares.compiling / settings.events,
    collecting: shares.collecting / settings.events,
    own: shares.own / settings.events,
  }));
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

export interface WriteSettings {
  writes: number;
  rounds: number;
  warmupWrites: number;
  directory: string;
}

/** A round's instructions per write on the writer's main thread, compiling left out. */
export interface WriteCount {
  direct: number;
  client: number;
  /** Of the client's: the package's own JavaScript (src/). */
  own: number;
  /** V8's compiling during the round, per write, direct and client together. */
  compiling: number;
}

/**
 * REST writes counted like the consumers (bench/write-counter.ts): `writes` direct ones, then as many
 * through GizwitsClient, `rounds` times, after a warm-up of both. What the client adds to a write that
 * part 6 times, in instructions, and how much of it is the package's own code.
 */
export async function writeInstructions(settings: WriteSettings): Promise<WriteCount[]> {
  fs.mkdirSync(settings.directory, { recursive: true });
  const name = 'writes';
  const writer = await BenchChild.start<WriterOrder, WriterReply>(
    path.join(__dirname, 'write-counter.ts'),
    { BENCH_WARMUP: String(settings.warmupWrites) },
    underCallgrind(settings.directory, name),
    'the write counter',
  );
  const writes = (kind: WriteKind) => () => writer.ask({ type: 'writes', kind, writes: settings.writes });
  const steps = Array.from({ length: settings.rounds }, () => [writes('direct'), writes('client')]).flat();
  const counted = await countSteps(writer.pid, settings.directory, name, /\/src\/client\//, steps, () =>
    writer.end({ type: 'close' }),
  );
  const perWrite = (shares: CostShares) => (shares.total - shares.compiling) / settings.writes;
  return Array.from({ length: settings.rounds }, (_, round) => {
    const [direct, client] = counted.slice(round * 2, round * 2 + 2);
    return {
      direct: perWrite(direct),
      client: perWrite(client),
      own: client.own / settings.writes,
      compiling: (direct.compiling + client.compiling) / settings.writes,
    };
  });
}

/** The write part's lines. */
export function writeLines(rounds: WriteCount[], settings: WriteSettings): string[] {
  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  const of = (pick: (round: WriteCount) => number) => count(median(rounds.map(pick)));
  return [
    `   Instructions per REST write (callgrind, compiling left out; median of ${settings.rounds} rounds of ` +
      `${settings.writes.toLocaleString('en-US')} of each): direct ${of((r) => r.direct)}, through ` +
      `GizwitsClient ${of((r) => r.client)}, +${of((r) => r.client - r.direct)}, of which the package's ` +
      `own JavaScript ${of((r) => r.own)} (V8's compiling besides: ${of((r) => r.compiling)} per write)`,
  ];
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

// `npm run bench:instructions`: this part alone, and REST writes counted alike (BENCH_INSTRUCTION_PARTS:
// `events`, `writes` or both, the default).
if (require.main === module) {
  const parts = (process.env.BENCH_INSTRUCTION_PARTS ?? 'events,writes').split(',');
  if (!parts.every((part) => part === 'events' || part === 'writes'))
    throw new Error('BENCH_INSTRUCTION_PARTS must be events, writes or both, comma-separated');
  const sizes = (process.env.BENCH_SIZES ?? '1,100,1000').split(',').map(Number);
  if (!sizes.every((size) => Number.isInteger(size) && size > 0))
    throw new Error('BENCH_SIZES must be positive whole numbers, comma-separated');
  const directory = path.resolve(__dirname, '..', 'test-artifacts', 'bench', 'callgrind');
  const settings: InstructionSettings = {
    events: envInt('BENCH_INSTRUCTION_EVENTS', 10_000),
    warmupEvents: 50_000,
    rounds: envInt('BENCH_INSTRUCTION_ROUNDS', 3),
    directory,
  };
  const writeSettings: WriteSettings = {
    writes: envInt('BENCH_INSTRUCTION_WRITES', 500),
    rounds: settings.rounds,
    // Writes come one at a time, so V8 takes longer to optimise their path than a burst's.
    warmupWrites: 3_000,
    directory,
  };
  const missing = valgrindMissing();
  if (missing) {
    console.error(`Cannot count instructions: ${missing}.`);
    process.exit(1);
  }
  (async () => {
    clearDumps(directory);
    const lines: string[] = [];
    if (parts.includes('events')) {
      const rows: InstructionRow[] = [];
      for (const size of sizes) rows.push(await instructions(size, settings));
      lines.push(...instructionLines(rows, settings));
    }
    if (parts.includes('writes'))
      lines.push(...writeLines(await writeInstructions(writeSettings), writeSettings));
    console.log(lines.join('\n'));
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
