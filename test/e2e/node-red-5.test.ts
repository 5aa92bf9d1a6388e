// Compatibility with Node-RED 5: every node test of test/nodes/ again, in a Node-RED 5 runtime loaded by
// the test helper, run where Node-RED 5 runs: on the Node 22 of the platform cache, with the Node-RED 5
// installed beside it (test/helpers/platforms.ts), in a mocha of its own so that the two runtimes never
// share a process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { PLATFORM_PREPARE_MS, platform, platformEnv, type Platform } from '../helpers/platforms';

const ROOT = path.resolve(__dirname, '..', '..');

describe('Node-RED 5 compatibility (the node tests on a Node-RED 5 runtime, on Node 22)', function () {
  this.timeout(300_000);
  let node22: Platform;

  before(async function () {
    this.timeout(PLATFORM_PREPARE_MS);
    node22 = await platform('node22');
  });

  it('passes every node test with Node-RED 5', async () => {
    const { nodeRedVersion, nodeVersion, label } = node22;
    assert.match(nodeRedVersion, /^5\./, 'the cached Node-RED is a Node-RED 5');
    const mocha = path.join(path.dirname(require.resolve('mocha/package.json')), 'bin', 'mocha.js');
    // The child reports the versions it runs on, so that a fallback to the host's Node or Node-RED 4
    // cannot pass unnoticed.
    const probe = path.join(ROOT, 'test', 'e2e', 'fixtures', 'report-runtime.ts');
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        node22.node,
        [mocha, '--reporter', 'dot', probe, 'test/nodes/**/*.test.ts'],
        {
          cwd: ROOT,
          env: platformEnv(node22, { NODE_RED_RUNTIME: node22.nodeRedDir }),
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
      );
    });
    const passing = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
    assert.equal(code, 0, `node tests on ${label} failed:\n${output.slice(-6000)}`);
    assert.match(output, new RegExp(`runtime: Node ${nodeVersion}, Node-RED ${nodeRedVersion}\\b`));
    assert.ok(passing >= 90, `only ${passing} node tests ran on ${label}:\n${output.slice(-3000)}`);
    assert.doesNotMatch(output, /failing/);
  });
});
