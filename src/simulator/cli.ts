// `node dist/simulator/cli.js [--port 8181] [--host 127.0.0.1] [--tls-key key.pem --tls-cert cert.pem]`:
// runs the simulated cloud until SIGINT/SIGTERM and prints what a user needs to point a Gizwits account
// node at it. With a key and certificate the device websocket is also served over wss.
import fs from 'node:fs';
import { SIM_APP_ID, SIM_USERS } from './fixtures';
import { startSimulator } from './index';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  const inline = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function main(): Promise<void> {
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
  const simulator = await startSimulator({ port, host: option('host') ?? '127.0.0.1', tls });
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
  console.log('Press Ctrl+C to stop.');
  const stop = (): void => {
    simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
