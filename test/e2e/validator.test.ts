// Node-RED's own package validator (`node-red-dev validate`, the scorecard the flow library shows) on the
// package as packed and installed. It asks the npm registry about dependencies and versions (reachable
// here) and the flow library for its catalogue, which catalogue-stub.ts answers locally.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, packedNodeRed, type PackedEnvironment } from './packed-node-red';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'validator');
/** The checks node-red-dev 0.1.x runs (P02 is disabled upstream). */
const CHECKS = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'];

describe("Node-RED's package validator (node-red-dev validate)", function () {
  this.timeout(240_000);
  let env: PackedEnvironment;
  let scorecard: Record<string, { test?: boolean } & Record<string, unknown>>;
  let output = '';

  before(async () => {
    env = await packedNodeRed();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const scorecardFile = path.join(ARTIFACTS, 'scorecard.json');
    fs.rmSync(scorecardFile, { force: true });
    const cli = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'bin', 'run');
    output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '--require',
          require.resolve('tsx/cjs'),
          '--require',
          path.join(__dirname, 'catalogue-stub.ts'),
          cli,
          'validate',
          '--path',
          env.packageDir,
          '--output',
          scorecardFile,
        ],
        { cwd: env.packageDir, timeout: 200_000, maxBuffer: 10 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const text = `${stdout}\n${stderr}`;
          fs.writeFileSync(path.join(ARTIFACTS, 'output.txt'), text);
          if (error && !fs.existsSync(scorecardFile)) reject(new Error(`${error.message}\n${text}`));
          else resolve(text);
        },
      );
    });
    scorecard = JSON.parse(fs.readFileSync(scorecardFile, 'utf8'));
  });

  it('asked the local catalogue, not the network, for the flow library', () => {
    assert.match(output, /\[catalogue-stub\] answered/);
  });

  it('runs every check and fails none', () => {
    const missing = CHECKS.filter((check) => !scorecard[check]);
    assert.deepEqual(missing, [], `checks missing from the scorecard:\n${output}`);
    const failed = Object.entries(scorecard)
      .filter(([, result]) => result && typeof result === 'object' && result.test === false)
      .map(([check, result]) => `${check} ${JSON.stringify(result)}`);
    assert.deepEqual(failed, [], `failed checks:\n${output}`);
  });

  it('found an example for every node and every node definition in its own .html', () => {
    const examples = scorecard.N02 as { test: boolean; nodes?: string[] };
    const pkg = JSON.parse(fs.readFileSync(path.join(env.packageDir, 'package.json'), 'utf8'));
    const withExamples = new Set(examples.nodes ?? []);
    // The validator counts the examples of flow nodes only: config nodes (the account, the MQTT broker)
    // appear in the examples of the nodes that use them.
    const declared = pkg['node-red'].nodes as Record<string, string>;
    const isConfig = (type: string) =>
      /category:\s*'config'/.test(
        fs.readFileSync(path.join(env.packageDir, declared[type].replace(/\.js$/, '.html')), 'utf8'),
      );
    const nodes = Object.keys(declared).filter((type) => !isConfig(type));
    assert.ok(nodes.length >= 8 && !nodes.includes('gizwits-account'), nodes.join(', '));
    assert.deepEqual(
      nodes.filter((type) => !withExamples.has(type)),
      [],
      'node types the validator found no example (or no parsable definition) for',
    );
    assert.doesNotMatch(output, /Unable to parse/);
  });
});
