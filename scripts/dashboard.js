#!/usr/bin/env node
// FlowFuse Dashboard 2 for the `npm start` demo (examples/gizwits-dashboard.json). It is not a dependency
// of the package: scripts/start.js installs it from the npm registry into a folder of the demo's user
// directory (`<userDir>/.dashboard/`, or GIZWITS_DASHBOARD_DIR) and links it into the user directory's
// node_modules, where Node-RED finds it. It has a folder of its own, not `npm install --prefix <userDir>`,
// because the user directory's package.json names this package as `file:..`: npm would install our
// dependencies into this checkout's node_modules too.
//
// `node scripts/dashboard.js [folder]` prepares a folder ahead of time (.ci/run fills the tests' cache,
// ~/.cache/node-red-gizwits/dashboard/1.31, so that the suite does not install it on every run).
/* global setTimeout, clearTimeout */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DASHBOARD_PACKAGE = '@flowfuse/node-red-dashboard';
/** The minor release the example is made for; patch releases only. */
const DASHBOARD_RANGE = '~1.31';
/** Node types of the dashboard: flows that use them cannot start without it. */
const DASHBOARD_TYPE = /^ui-/;
/** An unreachable registry fails well within this; a slow install of ~150 packages too. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_CACHE = path.join(
  os.homedir(),
  '.cache',
  'node-red-gizwits',
  'dashboard',
  DASHBOARD_RANGE.replace('~', ''),
);

function satisfies(version) {
  const [major, minor] = DASHBOARD_RANGE.replace('~', '').split('.');
  return typeof version === 'string' && version.startsWith(`${major}.${minor}.`);
}

/** The version a finished install in `dir` holds, or undefined (none, another minor, or cut short). */
function installedVersion(dir) {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, 'installed.json'), 'utf8'));
    const pkg = JSON.parse(
      fs.readFileSync(
        path.join(dir, 'node_modules', ...DASHBOARD_PACKAGE.split('/'), 'package.json'),
        'utf8',
      ),
    );
    return marker.version === pkg.version && satisfies(pkg.version) ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs the dashboard into `dir` unless a finished install of the pinned range is there. Resolves
 * `{version}` or `{error}` (the reason and npm's last lines); never rejects, never waits for ever.
 * `started` receives npm's process, for a caller that must stop it.
 */
function installDashboard(dir, { log = console.log, started = () => {} } = {}) {
  const present = installedVersion(dir);
  if (present) return Promise.resolve({ version: present, installed: false });
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'installed.json'), { force: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'gizwits-demo-dashboard',
        description: 'FlowFuse Dashboard 2 for the npm start demo (scripts/dashboard.js)',
        private: true,
        dependencies: { [DASHBOARD_PACKAGE]: DASHBOARD_RANGE },
      },
      null,
      2,
    )}\n`,
  );
  log(`Installing ${DASHBOARD_PACKAGE}@${DASHBOARD_RANGE} from the npm registry into ${dir} (once)...`);
  return new Promise((resolve) => {
    const child = spawn(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-audit',
        '--no-fund',
        '--no-update-notifier',
        '--loglevel=error',
        // An unreachable registry is an error within seconds, not npm's default minute of retries.
        '--fetch-retries=1',
        '--fetch-retry-mintimeout=2000',
        '--fetch-retry-maxtimeout=5000',
        '--fetch-timeout=30000',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' },
    );
    started(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(stopped after ${INSTALL_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, INSTALL_TIMEOUT_MS);
    const fail = (reason) => {
      const tail = output.trim().split('\n').slice(-6).join('\n');
      resolve({ error: `${reason}${tail ? `\n${tail}` : ''}` });
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(`npm could not run: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return fail(`npm install failed (${signal ?? `exit code ${code}`})`);
      const pkgFile = path.join(dir, 'node_modules', ...DASHBOARD_PACKAGE.split('/'), 'package.json');
      const version = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version;
      if (!satisfies(version)) return fail(`npm installed ${version}, not ${DASHBOARD_RANGE}`);
      fs.writeFileSync(path.join(dir, 'installed.json'), `${JSON.stringify({ version })}\n`);
      resolve({ version, installed: true });
    });
  });
}

/** Makes `link` a link to the folder `target`, unless it already leads there. */
function linkFolder(target, link) {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let current;
  try {
    current = fs.realpathSync(link);
  } catch {
    current = undefined;
  }
  if (current === fs.realpathSync(target)) return;
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(target, link, 'junction');
}

/** Makes `<userDir>/node_modules/@flowfuse/node-red-dashboard` the install in `dir` (a link). */
function linkDashboard(dir, userDir) {
  linkFolder(
    path.join(dir, 'node_modules', ...DASHBOARD_PACKAGE.split('/')),
    path.join(userDir, 'node_modules', ...DASHBOARD_PACKAGE.split('/')),
  );
}

/** Removes the link (the demo then starts without the dashboard's node types). */
function unlinkDashboard(userDir) {
  const link = path.join(userDir, 'node_modules', ...DASHBOARD_PACKAGE.split('/'));
  try {
    if (fs.lstatSync(link).isSymbolicLink()) fs.unlinkSync(link);
  } catch {
    // not there
  }
}

module.exports = {
  linkFolder,
  DASHBOARD_PACKAGE,
  DASHBOARD_RANGE,
  DASHBOARD_TYPE,
  DEFAULT_CACHE,
  installDashboard,
  installedVersion,
  linkDashboard,
  unlinkDashboard,
};

if (require.main === module) {
  const dir = path.resolve(process.argv[2] || DEFAULT_CACHE);
  installDashboard(dir).then((result) => {
    if (result.error) {
      console.error(result.error);
      process.exit(1);
    }
    console.log(`${DASHBOARD_PACKAGE} ${result.version} is in ${dir}`);
  });
}
