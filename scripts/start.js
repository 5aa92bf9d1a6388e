#!/usr/bin/env node
// `npm start`: builds the package, then runs the simulated Gizwits cloud and Node-RED 4 on 127.0.0.1,
// with this package installed in a git-ignored user directory (.userdir/) and every example flow
// deployed against the simulator's demo account. Running it again keeps the flows you changed;
// `npm start -- --reset` puts the examples back.
//
// npm runs this script as `exec node scripts/start.js` (the build happens in here, not in an
// `npm run build &&` before it), so that npm's shell replaces itself with this process: npm forwards
// SIGINT and SIGTERM to its child, which is then this script, and it stops Node-RED and the simulator.
// With a shell in between (dash does not exec a lone command by itself), SIGTERM killed the shell alone
// and left the rest holding their ports, and SIGINT reached nothing. (Windows' cmd has no `exec`: there,
// run `node scripts/start.js`.)
//
// Ports and directory: NODE_RED_PORT (1880), GIZWITS_SIM_PORT (8181), MQTT_PORT (1883), GIZWITS_USERDIR
// (.userdir). An MQTT broker comes up too, for the bridge example: Mosquitto when installed, else aedes.
// FlowFuse Dashboard 2 is installed into the user directory on the first start (scripts/dashboard.js;
// GIZWITS_DASHBOARD_DIR installs it elsewhere and links it in, as the tests do with a shared cache). When
// the registry cannot be reached the demo starts without the dashboard example, and says so.
// `--no-build` starts from the dist/ there is (the tests build once, before they start).
/* global setTimeout, clearTimeout, setInterval */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const dashboard = require('./dashboard');
const { startLocalBroker } = require('./local-broker');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = '@gizwits-community/node-red-gizwits';
const SIM_ACCOUNT_ID = 'gizwits-sim-account';
const HOST = '127.0.0.1';

function port(name, fallback) {
  const text = process.env[name] ?? String(fallback);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`${name} must be a port number, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const NODE_RED_PORT = port('NODE_RED_PORT', 1880);
const SIM_PORT = port('GIZWITS_SIM_PORT', 8181);
// The MQTT bridge example's broker (scripts/local-broker.js); MQTT_HOST=0.0.0.0 lets Home Assistant on
// another machine reach it.
const MQTT_HOST = process.env.MQTT_HOST || HOST;
const MQTT_PORT = port('MQTT_PORT', 1883);
// The simulated devices' LAN side (docs/lan.md): discovery on HOST:LAN_UDP_PORT, each device on TCP
// LAN_TCP_PORT of an address of its own (127.0.0.2, 127.0.0.3, ...).
const LAN_UDP_PORT = port('GIZWITS_LAN_UDP_PORT', 12414);
const LAN_TCP_PORT = port('GIZWITS_LAN_TCP_PORT', 12416);
const EXAMPLE_BROKERS = { 'ex-mqtt-broker': 'gizwits-mqtt-broker', 'ex-mqtt-core-broker': 'mqtt-broker' };
const USER_DIR = path.resolve(process.env.GIZWITS_USERDIR || path.join(ROOT, '.userdir'));
const RESET = process.argv.includes('--reset');
const BUILD = !process.argv.includes('--no-build');
const DASHBOARD_DIR = path.resolve(process.env.GIZWITS_DASHBOARD_DIR || path.join(USER_DIR, '.dashboard'));

/** What a stop request must end; each part adds itself once it runs. */
const running = { build: undefined, install: undefined, stop: undefined };
let stopRequested = false;

function onSignal() {
  if (stopRequested) return;
  stopRequested = true;
  if (running.stop) running.stop(0);
  else {
    running.build?.kill('SIGTERM');
    running.install?.kill('SIGTERM');
    process.exit(0);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** `node scripts/build.js`, as a child this process can stop. */
function build() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    running.build = child;
    child.once('exit', (code, signal) => {
      running.build = undefined;
      if (code !== 0) {
        if (!stopRequested) console.error(`The build failed (${signal ?? `exit code ${code}`}).`);
        process.exit(1);
      }
      resolve();
    });
  });
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Installs the package into the user directory as `npm install <this folder>` would: a link to it. */
function installPackage() {
  fs.mkdirSync(USER_DIR, { recursive: true });
  const relative = path.relative(USER_DIR, ROOT) || '.';
  writeJson(path.join(USER_DIR, 'package.json'), {
    name: 'gizwits-node-red-userdir',
    description: 'Node-RED user directory made by npm start (git-ignored)',
    private: true,
    dependencies: { [PACKAGE_NAME]: `file:${relative}` },
  });
  dashboard.linkFolder(ROOT, path.join(USER_DIR, 'node_modules', ...PACKAGE_NAME.split('/')));
}

function writeSettings() {
  const settings = {
    // The simulated devices' TCP port, when it is not the real modules' 12416.
    ...(LAN_TCP_PORT !== 12416 ? { gizwits: { lanTcpPort: LAN_TCP_PORT } } : {}),
    uiHost: HOST,
    uiPort: NODE_RED_PORT,
    flowFile: 'flows.json',
    // Only the simulator's demo password is stored here, in a git-ignored folder.
    credentialSecret: false,
    editorTheme: {
      page: { title: 'Node-RED · Gizwits simulator' },
      header: { title: 'Node-RED · Gizwits simulator' },
      projects: { enabled: false },
      tours: false,
      // The demo reaches nothing outside 127.0.0.1: no palette catalogue fetched from the internet on
      // every page load.
      palette: { catalogues: [] },
    },
    // ...and no installs from the editor's palette manager (npm install --prefix .userdir <module> does).
    externalModules: { palette: { allowInstall: false } },
    telemetry: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  fs.writeFileSync(
    path.join(USER_DIR, 'settings.js'),
    `// Written by scripts/start.js on every start.\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`,
  );
}

/**
 * Gives the online/offline example something to show: one device (the sandbox lamp, which no example
 * writes to) drops off the cloud for a while now and then, and comes back. GIZWITS_ONLINE_CYCLE_MS sets
 * the period (default 2 minutes; 0 = never); the device is offline for a sixth of it.
 */
function startOnlineCycle(simulator, did) {
  const period = Number(process.env.GIZWITS_ONLINE_CYCLE_MS ?? 120_000);
  if (!Number.isFinite(period) || period <= 0) return;
  const set = (online) => {
    try {
      simulator.faults.setOnline(did, online);
    } catch {
      // the simulator is closing
    }
  };
  const timer = setInterval(() => {
    set(false);
    setTimeout(() => set(true), period / 6).unref();
  }, period);
  timer.unref();
}

/** One tab per example file, the shared simulator account once, pointed at this run's simulator. */
function exampleFlows(simUrl, withDashboard, lan) {
  const dir = path.join(ROOT, 'examples');
  const flows = [];
  let account;
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const nodes = readJson(path.join(dir, file), []);
    if (!withDashboard && nodes.some((n) => dashboard.DASHBOARD_TYPE.test(n.type))) continue;
    const tab = `tab-${file.replace(/\.json$/, '')}`;
    const comment = nodes.find((n) => n.type === 'comment');
    flows.push({
      id: tab,
      type: 'tab',
      label: file.replace(/\.json$/, ''),
      info: comment ? comment.name : '',
    });
    for (const node of nodes) {
      if (node.type === 'gizwits-account') account ??= { ...node };
      // The dashboard's configuration (ui-base, ui-page, ...) is global, as the editor makes it.
      else if (dashboard.DASHBOARD_TYPE.test(node.type) && node.x === undefined) flows.push({ ...node });
      else flows.push({ ...node, z: tab });
    }
  }
  flows.push(onSimulator(account ?? { id: SIM_ACCOUNT_ID, type: 'gizwits-account' }, simUrl, lan));
  return flows;
}

/**
 * The demo account pointed at this run's simulator, with LAN control preferred when its devices speak
 * LAN (discovery at the simulator's port finds every one of them).
 */
function onSimulator(node, simUrl, lan) {
  const lanSettings = lan ? { lan: 'prefer', lanTargets: `${HOST}:${lan.udpPort}` } : { lan: 'off' };
  return { ...node, apiUrl: simUrl, ...lanSettings, configVersion: Math.max(2, node.configVersion || 0) };
}

/** The bridge example's broker nodes, pointed at this run's broker. */
function onLocalBroker(node, broker) {
  if (!broker || EXAMPLE_BROKERS[node.id] !== node.type) return node;
  return node.type === 'mqtt-broker' ? { ...node, port: String(broker.port) } : { ...node, url: broker.url };
}

function writeFlows(simUrl, demo, withDashboard, broker, lan) {
  const flowFile = path.join(USER_DIR, 'flows.json');
  const existing = RESET ? undefined : readJson(flowFile, undefined);
  let flows;
  if (Array.isArray(existing) && existing.length) {
    // Keep the user's flows; the simulator account follows this run's simulator.
    flows = existing.map((n) =>
      n.id === SIM_ACCOUNT_ID && n.type === 'gizwits-account' ? onSimulator(n, simUrl, lan) : n,
    );
  } else {
    flows = exampleFlows(simUrl, withDashboard, lan);
  }
  flows = flows.map((n) => onLocalBroker(n, broker));
  writeJson(flowFile, flows);
  const credFile = path.join(USER_DIR, 'flows_cred.json');
  const credentials = RESET ? {} : readJson(credFile, {});
  credentials[SIM_ACCOUNT_ID] = { username: demo.username, password: demo.password };
  writeJson(credFile, credentials);
  return {
    tabs: flows.filter((n) => n.type === 'tab').map((n) => n.label),
    usesDashboard: flows.some((n) => dashboard.DASHBOARD_TYPE.test(n.type)),
  };
}

/** The dashboard installed (once) and linked into the user directory; false when it could not be. */
async function prepareDashboard() {
  const result = await dashboard.installDashboard(DASHBOARD_DIR, {
    started: (child) => (running.install = child),
  });
  running.install = undefined;
  if (result.error) {
    dashboard.unlinkDashboard(USER_DIR);
    console.error(
      [
        `Could not install ${dashboard.DASHBOARD_PACKAGE}@${dashboard.DASHBOARD_RANGE} (is the npm registry reachable?):`,
        result.error,
        'Starting without the dashboard example; start again once the registry can be reached.',
      ].join('\n'),
    );
    return false;
  }
  if (result.installed) console.log(`Installed ${dashboard.DASHBOARD_PACKAGE} ${result.version}.`);
  dashboard.linkDashboard(DASHBOARD_DIR, USER_DIR);
  return true;
}

async function main() {
  if (BUILD) await build();
  const simulatorModule = path.join(ROOT, 'dist', 'simulator', 'index.js');
  if (!fs.existsSync(simulatorModule)) {
    console.error('dist/ is missing: run `npm start` (it builds first) or `npm run build`.');
    process.exit(1);
  }
  const { startSimulator, SIM_APP_ID, SIM_USERS, SIM_DEVICES } = require(simulatorModule);

  let simulator;
  try {
    simulator = await startSimulator({
      host: HOST,
      port: SIM_PORT,
      lan: { host: HOST, udpPort: LAN_UDP_PORT, tcpPort: LAN_TCP_PORT },
    }).catch(async (error) => {
      if (!error || error.code !== 'EADDRINUSE' || error.port === SIM_PORT) throw error;
      // The LAN side is a bonus: without its ports the demo runs on the cloud alone.
      console.error(
        `The simulated devices' LAN ports (UDP ${LAN_UDP_PORT}, TCP ${LAN_TCP_PORT}) are in use: starting ` +
          'without LAN. Set GIZWITS_LAN_UDP_PORT / GIZWITS_LAN_TCP_PORT to use others.',
      );
      return startSimulator({ host: HOST, port: SIM_PORT });
    });
  } catch (error) {
    console.error(
      error && error.code === 'EADDRINUSE'
        ? `Port ${SIM_PORT} is in use (is npm start already running?). Stop it, or set GIZWITS_SIM_PORT.`
        : `The simulator did not start: ${error && error.message}`,
    );
    process.exit(1);
  }

  let broker;
  try {
    broker = await startLocalBroker({ host: MQTT_HOST, port: MQTT_PORT });
  } catch (error) {
    console.error(
      `The MQTT broker did not start on ${MQTT_HOST}:${MQTT_PORT} (${error && error.message}); the MQTT example ` +
        'uses whatever listens there. Set MQTT_PORT to start one elsewhere.',
    );
  }

  startOnlineCycle(simulator, SIM_DEVICES.demoLamp2);
  installPackage();
  const withDashboard = await prepareDashboard();
  if (stopRequested) return;
  writeSettings();
  const { tabs, usesDashboard } = writeFlows(
    simulator.url,
    SIM_USERS.demo,
    withDashboard,
    broker,
    simulator.lan,
  );
  if (usesDashboard && !withDashboard)
    console.error(
      'Your flows use dashboard nodes: Node-RED will wait for them until the dashboard is installed.',
    );

  const red = spawn(
    process.execPath,
    [
      require.resolve('node-red/red.js'),
      '--userDir',
      USER_DIR,
      '--settings',
      path.join(USER_DIR, 'settings.js'),
    ],
    {
      cwd: USER_DIR,
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  let announced = false;
  const editor = `http://${HOST}:${NODE_RED_PORT}/`;
  const announce = () => {
    announced = true;
    const demo = SIM_USERS.demo;
    console.log(
      [
        '',
        '────────────────────────────────────────────────────────────────────────',
        ` Node-RED editor:   ${editor}`,
        withDashboard
          ? ` Dashboard:         ${editor}dashboard`
          : ' Dashboard:         not installed (the npm registry could not be reached)',
        ` Simulated cloud:   ${simulator.url}  (AppID ${SIM_APP_ID}, user ${demo.username} / ${demo.password})`,
        broker
          ? ` MQTT broker:       ${broker.url}  (${broker.kind}; Home Assistant: MQTT integration, this host, port ${broker.port})`
          : ` MQTT broker:       not started (port ${MQTT_PORT} in use)`,
        ` User directory:    ${USER_DIR}`,
        '',
        ' What to try:',
        ` - Open ${editor}: the tabs ${tabs.slice(0, 3).join(', ')}${tabs.length > 3 ? ', ...' : ''}`,
        '   hold the example flows, deployed against the simulated cloud.',
        ' - On gizwits-device-control, press the inject button "brightness 60"; open the debug',
        '   sidebar (the bug icon) to see the lamp report it. gizwits-device-in shows live updates.',
        ...(withDashboard
          ? [` - Open ${editor}dashboard: every demo device live; flip a switch, pick a mode.`]
          : []),
        ' - Drag a "device control" node from the gizwits palette, open it, choose the account',
        '   "Simulated cloud", then a device and a data point from the lists.',
        ` - Menu > Import > Examples > ${PACKAGE_NAME} imports any example again.`,
        '',
        ' Ctrl-C stops Node-RED and the simulator. `npm start -- --reset` restores the examples.',
        '────────────────────────────────────────────────────────────────────────',
      ].join('\n'),
    );
  };
  const relay = (stream, target) =>
    stream.on('data', (chunk) => {
      target.write(chunk);
      if (!announced) {
        log += chunk;
        if (/Started flows/.test(log)) announce();
        else if (/EADDRINUSE|address already in use/.test(log))
          console.error(
            `Port ${NODE_RED_PORT} is in use (another Node-RED?). Stop it, or set NODE_RED_PORT.`,
          );
      }
    });
  relay(red.stdout, process.stdout);
  relay(red.stderr, process.stderr);

  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    const done = () =>
      Promise.all([simulator.close(), broker && broker.close()]).then(() => process.exit(code));
    if (red.exitCode !== null || red.signalCode !== null) return done();
    const timer = setTimeout(() => red.kill('SIGKILL'), 15_000);
    red.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    // A Ctrl-C in the terminal reaches Node-RED too; it ignores the second request to stop.
    red.kill('SIGINT');
  };
  running.stop = stop;
  if (stopRequested) stop(0);
  red.on('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED stopped (exit code ${code}); stopping the simulator.`);
      stop(code || 1);
    }
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
