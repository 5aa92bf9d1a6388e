// `npm install && npm start` stays honest on every platform of the matrix: the repository's own install
// prints no engine warning there (npm ci of package.json and the lockfile, run by that platform's Node
// and npm, as a dry run that writes nothing), and what package.json declares (engines.node,
// node-red.version) accepts every tested pair.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MATRIX, PLATFORM_PREPARE_MS, PLATFORM_TITLES, platform, platformEnv } from '../helpers/platforms';
import { ROOT } from './packed-node-red';

/** The semver Node-RED itself checks node-red.version with (not a dependency of this package). */
const semver = require(
  require.resolve('semver', { paths: [path.dirname(require.resolve('node-red/package.json'))] }),
) as { satisfies(version: string, range: string): boolean };

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  'node-red': { version: string };
};

function npmCiDryRun(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'],
      { cwd: dir, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('installing on every platform of the matrix', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    // package.json and the lockfile alone: what `npm ci` reads on a fresh checkout.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-install-'));
    for (const file of ['package.json', 'package-lock.json'])
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const id of MATRIX) {
    describe(PLATFORM_TITLES[id], () => {
      it('npm ci of the repository prints no engine warning', async function () {
        this.timeout(PLATFORM_PREPARE_MS);
        const p = await platform(id);
        const { code, output } = await npmCiDryRun(dir, platformEnv(p));
        assert.equal(code, 0, output.slice(-4000));
        assert.match(output, /added \d+ packages/, 'the dry run planned the install');
        assert.doesNotMatch(output, /EBADENGINE|Unsupported engine/, output.slice(-4000));
      });

      it("is accepted by the package's engines.node and node-red.version", async function () {
        this.timeout(PLATFORM_PREPARE_MS);
        const p = await platform(id);
        assert.ok(
          semver.satisfies(p.nodeVersion, pkg.engines.node),
          `Node ${p.nodeVersion} is tested but engines.node is ${pkg.engines.node}`,
        );
        assert.ok(
          semver.satisfies(p.nodeRedVersion, pkg['node-red'].version),
          `Node-RED ${p.nodeRedVersion} is tested but node-red.version is ${pkg['node-red'].version}`,
        );
      });
    });
  }

  it('declares no Node-RED or Node line that the matrix does not test', () => {
    // The majors below, between and after the tested ones are outside what package.json promises.
    for (const untested of ['18.20.0', '21.7.0', '23.11.0', '25.0.0'])
      assert.ok(!semver.satisfies(untested, pkg.engines.node), `engines.node accepts Node ${untested}`);
    for (const untested of ['3.1.0', '4.0.9', '6.0.0'])
      assert.ok(
        !semver.satisfies(untested, pkg['node-red'].version),
        `node-red.version accepts Node-RED ${untested}`,
      );
  });
});
