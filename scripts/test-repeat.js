#!/usr/bin/env node
// `npm run test:repeat -- N [--hog] [mocha args...]`: builds once, then runs the suite N times and says
// which tests failed in how many runs, so that a test which fails by chance shows up before CI finds it.
//
// --hog     half of the runs (the even ones) get a busy loop on one core beside them, in a child process
//           killed when the run ends: a loaded machine is where waits sized for an idle one give way.
// mocha args are passed on (e.g. --grep 'device-in'); arguments ending in .ts replace the default spec.
//
// Each run's mocha JSON report and output land in test-artifacts/repeat/ (run-<i>.json, run-<i>.log), with
// a copy of the other test artifacts of a failed run (run-<i>-artifacts/: editor screenshots); the summary
// is printed and saved as test-artifacts/repeat/summary.json.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'test-artifacts', 'repeat');
const DEFAULT_SPEC = 'test/**/*.test.ts';
/** A hog left behind by a killed parent still stops by itself after this long. */
const HOG_LIMIT_MS = 60 * 60 * 1000;

function usage(problem) {
  console.error(`${problem}\nusage: npm run test:repeat -- N [--hog] [mocha args...]`);
  process.exit(2);
}

function parseArgs(argv) {
  const runs = Number(argv[0]);
  if (!Number.isInteger(runs) || runs < 1) usage(`N must be a whole number of runs, got '${argv[0] ?? ''}'`);
  const rest = argv.slice(1);
  const hog = rest.includes('--hog');
  const mochaArgs = rest.filter((arg) => arg !== '--hog');
  const specs = mochaArgs.filter((arg) => !arg.startsWith('-') && arg.endsWith('.ts'));
  const options = mochaArgs.filter((arg) => !specs.includes(arg));
  return { runs, hog, specs: specs.length > 0 ? specs : [DEFAULT_SPEC], options };
}

/** Processes of the current run, stopped if we are interrupted. */
const children = new Set();
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    for (const child of children) child.kill();
    process.exit(130);
  });

/** One core kept busy in its own process; a bounded loop so that it can never outlive us by much. */
function startHog() {
  const loop = `const end = Date.now() + ${HOG_LIMIT_MS}; let x = 0; while (Date.now() < end) x = (x + 1) % 1e9;`;
  const child = spawn(process.execPath, ['-e', loop], { stdio: 'ignore' });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function runMocha(index, specs, options) {
  const report = path.join(OUT, `run-${index}.json`);
  const log = fs.openSync(path.join(OUT, `run-${index}.log`), 'w');
  fs.rmSync(report, { force: true });
  const mocha = require.resolve('mocha/bin/mocha.js');
  const args = [mocha, ...specs, ...options, '--reporter', 'json', '--reporter-option', `output=${report}`];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', log, log] });
  children.add(child);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      fs.closeSync(log);
      resolve({ code, signal, report });
    });
  });
}

/**
 * A test that runs a mocha of its own (the Node-RED 5 check) fails as one title; the inner failing
 * tests its message quotes ("  1) suite\n       test:") are named after it, since they are the news.
 */
function withInnerFailures(title, message = '') {
  const inner = [...message.matchAll(/^ {2}\d+\) (.+)\n {7}(.+):$/gm)].map((m) => `${m[1]} ${m[2]}`);
  return inner.length > 0 ? `${title} › ${[...new Set(inner)].join(' | ')}` : title;
}

/** Failing tests of one run by full title; a run that ended without a report counts as one failure. */
function readFailures({ code, signal, report }) {
  if (!fs.existsSync(report))
    return { passes: 0, failures: [`(mocha ended with ${signal ?? `code ${code}`} and wrote no report)`] };
  const result = JSON.parse(fs.readFileSync(report, 'utf8'));
  const failures = result.failures.map((test) => withInnerFailures(test.fullTitle, test.err?.message));
  return { passes: result.stats.passes, failures, messages: result.failures.map((t) => t.err?.message) };
}

/** A failed run's other artifacts (editor screenshots...), before the next run replaces them. */
function keepArtifacts(index) {
  const artifacts = path.dirname(OUT);
  for (const entry of fs.readdirSync(artifacts)) {
    if (entry === path.basename(OUT)) continue;
    fs.cpSync(path.join(artifacts, entry), path.join(OUT, `run-${index}-artifacts`, entry), {
      recursive: true,
    });
  }
}

async function main() {
  const { runs, hog, specs, options } = parseArgs(process.argv.slice(2));
  // Reports of an earlier, longer repetition must not be mistaken for this one's.
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: ROOT, stdio: 'inherit' });

  const perRun = [];
  for (let index = 1; index <= runs; index++) {
    const hogged = hog && index % 2 === 0;
    const hogProcess = hogged ? startHog() : undefined;
    const loadBefore = os.loadavg()[0];
    const started = Date.now();
    const ended = await runMocha(index, specs, options);
    hogProcess?.kill();
    const { passes, failures, messages } = readFailures(ended);
    if (failures.length > 0) keepArtifacts(index);
    const run = {
      run: index,
      hog: hogged,
      seconds: Math.round((Date.now() - started) / 1000),
      load: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))],
      passes,
      failures,
      messages,
    };
    perRun.push(run);
    const state = failures.length === 0 ? 'passed' : `${failures.length} failing`;
    console.log(
      `run ${index}/${runs}${hogged ? ' (hog)' : ''}: ${passes} passing, ${state}, ${run.seconds} s, load ${run.load.join(' → ')}`,
    );
    for (const title of failures) console.log(`  ✗ ${title}`);
  }

  const counts = new Map();
  for (const run of perRun)
    for (const title of new Set(run.failures)) counts.set(title, (counts.get(title) ?? 0) + 1);
  const failing = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([title, runsFailed]) => ({ title, runsFailed }));
  const summary = {
    runs,
    passedRuns: perRun.filter((run) => run.failures.length === 0).length,
    hog,
    cpus: os.cpus().length,
    mocha: [...specs, ...options],
    failing,
    perRun,
  };
  fs.writeFileSync(path.join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  console.log(`\n${summary.passedRuns} of ${runs} runs passed.`);
  for (const { title, runsFailed } of failing) console.log(`  ${runsFailed}/${runs}  ${title}`);
  console.log(`summary: ${path.relative(ROOT, path.join(OUT, 'summary.json'))}`);
  process.exitCode = failing.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
