// Compatibility with Node-RED 5: every node test of test/nodes/ again, in a runtime of Node-RED 5 (the
// dev dependency `node-red-5`, loaded by the test helper), in a mocha of its own so that the two
// runtimes never share a process. Node-RED 5 asks for Node 22.9; its runtime loads on Node 20 for this
// check, while `npm start` and the packed-package checks stay on Node-RED 4.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('Node-RED 5 compatibility (the node tests on a Node-RED 5 runtime)', function () {
  this.timeout(300_000);

  it('passes every node test with Node-RED 5', async () => {
    const version: string = require('node-red-5/package.json').version;
    assert.match(version, /^5\./, 'node-red-5 is a Node-RED 5');
    const mocha = path.join(path.dirname(require.resolve('mocha/package.json')), 'bin', 'mocha.js');
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [mocha, '--reporter', 'dot', 'test/nodes/**/*.test.ts'],
        {
          cwd: ROOT,
          env: { ...process.env, NODE_RED_RUNTIME: 'node-red-5' },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
      );
    });
    const passing = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
    assert.equal(code, 0, `node tests on Node-RED ${version} failed:\n${output.slice(-6000)}`);
    assert.ok(
      passing >= 90,
      `only ${passing} node tests ran on Node-RED ${version}:\n${output.slice(-3000)}`,
    );
    assert.doesNotMatch(output, /failing/);
  });
});
