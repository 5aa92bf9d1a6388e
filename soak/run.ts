// `npm run soak`: can this package be left running? Each part (soak/parts/<name>.ts, `export const run:
// SoakPart`) drives the real nodes from dist/ in a real Node-RED against the simulated cloud on loopback,
// bounded in count and time, and returns its figures and whether it met its goal. This file runs the
// parts in order, prints their figures, saves them to test-artifacts/soak/results.json and exits non-zero
// when a part fails.
//
//   npm run soak                       every part, full size (a few minutes)
//   npm run soak -- --fast             the fast subsets (what npm test runs)
//   npm run soak -- --part faults      one part
//   SOAK_SEED=1234 npm run soak        the random choices of an earlier run again
//
// Needs node -r tsx/cjs (the npm script gives it).
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SoakPart, SoakPartResult } from './types';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'test-artifacts', 'soak', 'results.json');

/**
 * The parts, in the order they run. Parts written in other branches are listed too: a part whose file is
 * not there is skipped with a note, so that this list needs no edit when they are merged.
 */
const PARTS = ['faults', 'writes', 'frames', 'flow-inputs', 'admin-routes', 'redeploys', 'request-rate'];

/** A hard limit per part, on top of each part's own: a part that exceeds it fails the run. */
const PART_LIMIT_MS = { full: 8 * 60_000, fast: 3 * 60_000 };

interface Arguments {
  fast: boolean;
  part?: string;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { fast: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--fast') parsed.fast = true;
    else if (argv[i] === '--part' && argv[i + 1]) parsed.part = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}: use --fast and/or --part <name>`);
  }
  if (parsed.part && !PARTS.includes(parsed.part))
    throw new Error(`no part "${parsed.part}": the parts are ${PARTS.join(', ')}`);
  return parsed;
}

function seedFromEnvironment(): number {
  const given = process.env.SOAK_SEED;
  if (given === undefined || given === '') return randomInt(1, 2 ** 31);
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0) throw new Error('SOAK_SEED must be a whole number');
  return seed;
}

function loadPart(name: string): SoakPart | undefined {
  const base = path.join(__dirname, 'parts', name);
  if (!['.ts', '.js'].some((extension) => fs.existsSync(base + extension))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(`./parts/${name}`) as { run?: SoakPart };
  if (typeof loaded.run !== 'function') throw new Error(`soak/parts/${name} does not export run`);
  return loaded.run;
}

function withLimit(part: Promise<SoakPartResult>, name: string, ms: number): Promise<SoakPartResult> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`part ${name} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([part, limit]).finally(() => clearTimeout(timer));
}

function printResult(result: SoakPartResult, seconds: number): void {
  const rows = Object.entries(result.figures).map(([key, value]) => [key, String(value)]);
  const width = Math.max(...rows.map(([key]) => key.length), 6);
  console.log(`\n${result.pass ? 'PASS' : 'FAIL'}  ${result.name}  (${seconds.toFixed(0)} s)`);
  console.log(`goal: ${result.goal}`);
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
  for (const failure of result.failures) console.log(`  ✗ ${failure}`);
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const seed = seedFromEnvironment();
  const full = !args.fast;
  const begun = performance.now();
  const cpus = os.cpus();
  console.log(
    `node-red-gizwits soak, ${full ? 'full' : 'fast subsets'}: seed ${seed} (SOAK_SEED=${seed} repeats it); ` +
      `Node ${process.version}, ${cpus.length} cores`,
  );

  const results: Array<SoakPartResult & { seconds: number }> = [];
  const skipped: string[] = [];
  for (const name of args.part ? [args.part] : PARTS) {
    const run = loadPart(name);
    if (!run) {
      console.log(`\npart ${name} not present (soak/parts/${name}.ts): skipped`);
      skipped.push(name);
      continue;
    }
    const started = performance.now();
    let result: SoakPartResult;
    try {
      result = await withLimit(
        run({ full, seed, log: (line) => console.log(`  [${name}] ${line}`) }),
        name,
        full ? PART_LIMIT_MS.full : PART_LIMIT_MS.fast,
      );
    } catch (error) {
      result = {
        name,
        goal: '(the part stopped with an error)',
        pass: false,
        figures: {},
        failures: [error instanceof Error ? (error.stack ?? error.message) : String(error)],
      };
    }
    const seconds = (performance.now() - started) / 1000;
    printResult(result, seconds);
    results.push({ ...result, seconds: Number(seconds.toFixed(1)) });
  }

  const failed = results.filter((result) => !result.pass).map((result) => result.name);
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        seed,
        full,
        node: process.version,
        cpus: cpus.length,
        cpu: cpus[0]?.model.trim(),
        parts: results,
        skipped,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\n${results.length - failed.length} of ${results.length} parts passed` +
      (failed.length ? ` (failed: ${failed.join(', ')})` : '') +
      (skipped.length ? `; not present: ${skipped.join(', ')}` : '') +
      `; ${((performance.now() - begun) / 1000).toFixed(0)} s; seed ${seed}; ` +
      `figures in ${path.relative(ROOT, RESULTS_FILE)}.`,
  );
  return failed.length ? 1 : 0;
}

main().then(
  // Node-RED leaves a few timers of its own behind after stop(); the run is over.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
