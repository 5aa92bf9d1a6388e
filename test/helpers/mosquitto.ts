// A real Mosquitto (Debian's /usr/sbin/mosquitto) on a free loopback port, with a config file of its
// own: anonymous, or with a password file made by mosquitto_passwd. Started when it accepts a TCP
// connection (no fixed sleep), stopped by PID; `pause` and `resume` take it down and back on the same port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './live';
import { freePort } from './node-red-process';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  port: number;
  url: string;
  readonly pid: number | undefined;
  output(): string;
  stop(): Promise<void>;
  /** Stops the process (the config stays), as a crash or a maintenance stop would. */
  pause(): Promise<void>;
  /** Starts it again on the same port; nothing retained survives (no persistence). */
  resume(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(
  options: { users?: Record<string, string>; /** More lines of mosquitto.conf. */ config?: string[] } = {},
): Promise<Mosquitto> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-mosquitto-'));
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error'];
  // Run as root (a CI container), mosquitto would switch to a user that cannot read this folder.
  if (process.getuid?.() === 0) lines.push('user root');
  if (options.users) {
    const file = path.join(dir, 'passwd');
    fs.writeFileSync(file, '');
    for (const [user, password] of Object.entries(options.users))
      execFileSync('mosquitto_passwd', ['-b', file, user, password]);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  lines.push(...(options.config ?? []));
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(config, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    const started = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.on('data', (chunk) => (output += chunk));
    started.stderr?.on('data', (chunk) => (output += chunk));
    let exited = false;
    started.once('exit', () => (exited = true));
    await waitFor(
      async () => {
        if (exited) throw new Error(`mosquitto exited: ${output}`);
        return accepts(port);
      },
      10_000,
      () => output,
    );
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid!, 'SIGTERM');
    await exited;
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    output: () => output,
    async stop() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    pause: stop,
    resume: launch,
  };
}
