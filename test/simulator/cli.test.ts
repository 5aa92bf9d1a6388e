// The simulator's command line (`npm run simulator -- ...`): --help prints the usage and starts nothing,
// an unknown option is refused instead of starting a cloud on 8181, and a given port is served.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SIM_APP_ID } from '../../src/simulator';
import { freePort } from '../helpers/node-red-process';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'simulator', 'cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command line; resolves when it exits, or when `until` matches its output (then stops it). */
function cli(args: string[], until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator command line did not finish within 15 s:\n${run.stdout}${run.stderr}`));
    }, 15_000);
    child.stdout.on('data', (chunk) => {
      run.stdout += chunk;
      if (until?.test(run.stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk) => (run.stderr += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      run.code = code;
      resolve(run);
    });
  });
}

describe('the simulator command line', function () {
  this.timeout(30_000);

  for (const flag of ['--help', '-h']) {
    it(`${flag} prints every option and exits without starting a simulator`, async () => {
      const run = await cli([flag, '--port', '0']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: /);
      for (const option of ['--port', '--host', '--tls-key', '--tls-cert', '--lan-port', '--help'])
        assert.ok(run.stdout.includes(option), `${option} is missing from the help`);
      assert.doesNotMatch(run.stdout, /listening on/);
    });
  }

  it('refuses an option it does not know, and a missing value, with the usage', async () => {
    for (const args of [['--prot', '9000'], ['--port'], ['--port=']]) {
      const run = await cli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /unknown option '--prot'|--port needs a value/);
      assert.match(run.stderr, /Usage: /);
      assert.doesNotMatch(run.stdout, /listening on/);
    }
  });

  it('serves the port it is given, and stops on Ctrl+C', async () => {
    const port = await freePort();
    const run = await cli(['--port', String(port)], /Press Ctrl\+C to stop/);
    assert.match(run.stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
    assert.ok(run.stdout.includes(SIM_APP_ID));
    assert.equal(run.code, 0, run.stderr);
  });

  it('with --lan-port, gives the demo devices a LAN side and says where', async () => {
    const run = await cli(['--port', '0', '--lan-port', '0'], /Press Ctrl\+C to stop/);
    assert.match(run.stdout, /LAN: +discovery on udp 127\.0\.0\.1:\d+/);
    assert.match(run.stdout, /devices at 127\.0\.0\.2:12416, 127\.0\.0\.3:12416/);
    assert.equal(run.code, 0, run.stderr);
  });
});
