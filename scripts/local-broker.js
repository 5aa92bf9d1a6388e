// The MQTT broker of `npm start` (the gizwits-mqtt-bridge example): Debian's Mosquitto when it is
// installed, else aedes, an MQTT broker in Node.js (a dev dependency). It listens on MQTT_HOST (default
// 127.0.0.1) and MQTT_PORT (default 1883); MQTT_BROKER=aedes takes aedes even where Mosquitto is
// installed. `close()` stops it.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto'].find(
  (file) => fs.existsSync(file),
);

function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, host === '0.0.0.0' ? '127.0.0.1' : host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startMosquitto(host, port) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-demo-mosquitto-'));
  const lines = [
    `listener ${port} ${host}`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
  ];
  if (process.getuid && process.getuid() === 0) lines.push('user root');
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(config, `${lines.join('\n')}\n`);
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(host, port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Mosquitto did not start on ${host}:${port}: ${output.trim() || 'no output'}`);
    }
    await sleep(50);
  }
  return {
    kind: 'Mosquitto',
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function startAedes(host, port) {
  const { Aedes } = require('aedes');
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    kind: 'aedes (Node.js)',
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        broker.close(() => undefined);
      }),
  };
}

/** Starts the demo broker; resolves with `{kind, url, close}`. */
async function startLocalBroker({ host = '127.0.0.1', port = 1883 } = {}) {
  const mosquitto = MOSQUITTO && process.env.MQTT_BROKER !== 'aedes';
  const broker = mosquitto ? await startMosquitto(host, port) : await startAedes(host, port);
  return { ...broker, url: `mqtt://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port };
}

module.exports = { startLocalBroker };
