// `node dist/simulator/cli.js [--port 8181] [--host 127.0.0.1] [--tls-key key.pem --tls-cert cert.pem]
// [--lan-port 12414]`:
// runs the simulated cloud until SIGINT/SIGTERM and prints what a user needs to point a Gizwits account
// node at it. With a key and certificate the device websocket is also served over wss. `--help` prints
// the usage and starts nothing; an option it does not know is refused rather than ignored.
import fs from 'node:fs';
import { SIM_APP_ID, SIM_USERS } from './fixtures';
import { startSimulator } from './index';

const USAGE = `Usage: npm run simulator -- [options]   (or: node dist/simulator/cli.js [options])

Runs the simulated Gizwits cloud (Open API, device websocket, virtual devices) until Ctrl+C.

Options:
  --port <n>         port of the Open API and the device websocket (default 8181; 0 = any free port)
  --host <address>   address to listen on (default 127.0.0.1)
  --tls-key <file>   PEM private key: also serve the device websocket over wss (with --tls-cert)
  --tls-cert <file>  PEM certificate for --tls-key
  --lan-port <n>     the demo devices also speak the LAN protocol (docs/lan.md), each on TCP 12416 of
                     127.0.0.2, 127.0.0.3, …; discovery on UDP <n> of --host reaches them all (0 = any)
  -h, --help         print this help and exit
`;

const VALUED = ['port', 'host', 'tls-key', 'tls-cert', 'lan-port'];

/** The options given, by name; a usage error for anything it does not know or a missing value. */
function parse(args: string[]): { options: Map<string, string>; help: boolean } | { error: string } {
  const options = new Map<string, string>();
  let help = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !VALUED.includes(match[1])) return { error: `unknown option '${arg}'` };
    const value = match[2] ?? args[(i += 1)];
    if (!value || (match[2] === undefined && value.startsWith('--')))
      return { error: `--${match[1]} needs a value` };
    options.set(match[1], value);
  }
  return { options, help };
}

async function main(): Promise<void> {
  const parsed = parse(process.argv.slice(2));
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const option = (name: string): string | undefined => parsed.options.get(name);
  const portText = option('port') ?? '8181';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, got '${portText}'`);
    process.exitCode = 2;
    return;
  }
  const keyFile = option('tls-key');
  const certFile = option('tls-cert');
  if (!keyFile !== !certFile) {
    console.error('--tls-key and --tls-cert go together: give both PEM files, or neither');
    process.exitCode = 2;
    return;
  }
  const tls =
    keyFile && certFile ? { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) } : undefined;
  const lanText = option('lan-port');
  const lanPort = lanText === undefined ? undefined : Number(lanText);
  if (lanPort !== undefined && (!Number.isInteger(lanPort) || lanPort < 0 || lanPort > 65535)) {
    console.error(`--lan-port must be a port number, got '${lanText}'`);
    process.exitCode = 2;
    return;
  }
  const host = option('host') ?? '127.0.0.1';
  const lan = lanPort === undefined ? undefined : { udpPort: lanPort, host };
  const simulator = await startSimulator({ port, host, tls, lan });
  // Listening for Ctrl+C before saying it works: a script that stops it on that line is not too early.
  const stop = (): void => {
    simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const demo = SIM_USERS.demo;
  console.log(`Gizwits simulator listening on ${simulator.url}`);
  console.log(`  AppID:    ${SIM_APP_ID}`);
  if (simulator.wssPorts)
    console.log(
      `  wss:      ports ${simulator.wssPorts.main} (main) and ${simulator.wssPorts.sandbox} (sandbox)`,
    );
  console.log(
    `  demo:     username '${demo.username}' / password '${demo.password}' (also ${demo.email}, ${demo.phone})`,
  );
  console.log(`  many:     username '${SIM_USERS.many.username}' / password '${SIM_USERS.many.password}'`);
  console.log(`  guest:    username '${SIM_USERS.guest.username}' / password '${SIM_USERS.guest.password}'`);
  if (simulator.lan) {
    const devices = [...simulator.lan.devices.values()].map((device) => `${device.host}:${device.port}`);
    console.log(`  LAN:      discovery on udp ${simulator.lan.broadcastHost}:${simulator.lan.udpPort}`);
    console.log(`            devices at ${devices.join(', ')}`);
  }
  console.log('Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
