// The simulated cloud of `npm run bench`, in a worker thread of its own so that it runs on the other core
// and its heap stays out of the main thread's memory figures. It adds one user per device count, each
// with that many plugs, then waits for orders from bench/run.ts (see SimOrder).
import { parentPort, workerData } from 'node:worker_threads';
import { SIM_PRODUCTS, startSimulator } from '../src/simulator';
import { newDid, newPasscode } from '../src/simulator/model/ids';

export interface BenchUser {
  /** How many devices the user has bound. */
  size: number;
  username: string;
  password: string;
  uid: string;
  dids: string[];
}

export interface SimReady {
  type: 'ready';
  url: string;
  port: number;
  users: BenchUser[];
}

export type SimOrder =
  /**
   * `count` reports round-robin over `dids`, each with a new `energy` value so that every report is a
   * change; then 1 is stored in `gate` (an Int32Array's buffer) and the waiter woken.
   */
  { type: 'burst'; dids: string[]; count: number; gate: SharedArrayBuffer } | { type: 'close' };

export type SimReply = SimReady | { type: 'burst-done'; ms: number } | { type: 'closed' };

if (!parentPort) throw new Error('bench/sim-worker.ts runs as a worker thread of bench/run.ts');
const port = parentPort;
const sizes = (workerData as { sizes: number[] }).sizes;

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const productKey = SIM_PRODUCTS.plug.product_key;
  const users: BenchUser[] = [];
  let macCounter = 0;
  for (const size of sizes) {
    const username = `bench${size}`;
    const password = `Bench-Pass-${size}`;
    const user = sim.model.accounts.addUser({ username, password, email: `${username}@example.com` });
    const dids: string[] = [];
    for (let i = 0; i < size; i++) {
      const mac = `bc0000${(macCounter++).toString(16).padStart(6, '0')}`;
      const device = sim.model.addDevice({
        did: newDid(),
        productKey,
        mac,
        passcode: newPasscode(),
        online: true,
      });
      sim.model.bind(user.uid, device.did, 'special', { dev_alias: `bench plug ${i + 1}` });
      dids.push(device.did);
    }
    users.push({ size, username, password, uid: user.uid, dids });
  }

  const energy = new Map<string, number>();
  port.on('message', (order: SimOrder) => {
    if (order.type === 'burst') {
      const started = performance.now();
      const { dids, count } = order;
      for (let i = 0; i < count; i++) {
        const did = dids[i % dids.length];
        const value = (energy.get(did) ?? 0) + 1;
        energy.set(did, value);
        sim.model.reportFromDevice(did, new Map([['energy', value]]));
      }
      const gate = new Int32Array(order.gate);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      port.postMessage({ type: 'burst-done', ms: performance.now() - started } satisfies SimReply);
    } else if (order.type === 'close') {
      void sim.close().then(() => port.postMessage({ type: 'closed' } satisfies SimReply));
    }
  });
  port.postMessage({ type: 'ready', url: sim.url, port: sim.port, users } satisfies SimReply);
}

// A failure here is unhandled, which ends the worker: bench/run.ts hears of it as an 'error' event.
void main();
