// The simulated cloud of `npm run bench`, in a worker thread of its own so that it runs on the other core
// and its heap stays out of the main thread's memory figures. It adds one user per device count of
// `sizes`, and `scale.accounts` users of `scale.devices` devices each for the 10,000-device case, every
// device a plug; then it waits for orders from the bench (see SimOrder).
import { parentPort, workerData } from 'node:worker_threads';
import { SIM_PRODUCTS, startSimulator, type Simulator } from '../src/simulator';
import { newDid, newPasscode } from '../src/simulator/model/ids';

export interface BenchUser {
  /** How many devices the user has bound. */
  size: number;
  /**
   * `size`: the user of that many devices (each consumer of part 1 has a simulator of its own, so one
   * user per size serves them all); `scale`: one of the accounts of the scale case.
   */
  group: 'size' | 'scale';
  username: string;
  password: string;
  uid: string;
  dids: string[];
}

export interface SimSetup {
  sizes: number[];
  scale: { accounts: number; devices: number };
}

export interface SimReady {
  type: 'ready';
  url: string;
  port: number;
  productKey: string;
  users: BenchUser[];
}

/** An Open API call the simulator answered. */
export interface SimCall {
  method: string;
  path: string;
}

export type SimOrder =
  /**
   * `count` reports round-robin over `dids`, each with a new `energy` value so that every report is a
   * change; then 1 is stored in `gate` (an Int32Array's buffer) and the waiter woken.
   */
  | { type: 'burst'; dids: string[]; count: number; gate: SharedArrayBuffer }
  /** The Open API calls answered since the `from`-th (0: since the start). */
  | { type: 'calls'; from: number }
  /** Ends every websocket abruptly, as a network failure would. */
  | { type: 'drop-sockets' }
  | { type: 'close' };

export type SimReply =
  | SimReady
  | { type: 'burst-done'; ms: number }
  /** `socketFrames`: how many frames the simulator's websockets have received from clients so far. */
  | { type: 'calls'; calls: SimCall[]; next: number; socketFrames: number }
  | { type: 'done' }
  | { type: 'closed' };

if (!parentPort) throw new Error('bench/sim-worker.ts runs as a worker thread of bench/run.ts');
const port = parentPort;
const setup = workerData as SimSetup;

let macCounter = 0;

function addUser(sim: Simulator, name: string, size: number, group: BenchUser['group']): BenchUser {
  const password = `Bench-Pass-${name}`;
  const user = sim.model.accounts.addUser({ username: name, password, email: `${name}@example.com` });
  const dids: string[] = [];
  for (let i = 0; i < size; i++) {
    const mac = `bc0000${(macCounter++).toString(16).padStart(6, '0')}`;
    const device = sim.model.addDevice({
      did: newDid(),
      productKey: SIM_PRODUCTS.plug.product_key,
      mac,
      passcode: newPasscode(),
      online: true,
    });
    sim.model.bind(user.uid, device.did, 'special', { dev_alias: `bench plug ${i + 1}` });
    dids.push(device.did);
  }
  return { size, group, username: name, password, uid: user.uid, dids };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const users: BenchUser[] = [];
  for (const size of setup.sizes) users.push(addUser(sim, `bench${size}`, size, 'size'));
  for (let i = 0; i < setup.scale.accounts; i++)
    users.push(addUser(sim, `scale${i + 1}`, setup.scale.devices, 'scale'));

  const energy = new Map<string, number>();
  const reply = (message: SimReply) => port.postMessage(message);
  port.on('message', (order: SimOrder) => {
    switch (order.type) {
      case 'burst': {
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
        return reply({ type: 'burst-done', ms: performance.now() - started });
      }
      case 'calls': {
        const calls = sim.calls.slice(order.from).map(({ method, path }) => ({ method, path }));
        const socketFrames = sim.ws.received.at(-1)?.seq ?? 0;
        return reply({ type: 'calls', calls, next: sim.calls.length, socketFrames });
      }
      case 'drop-sockets':
        sim.faults.dropAllSockets();
        return reply({ type: 'done' });
      case 'close':
        void sim.close().then(() => reply({ type: 'closed' }));
        return;
    }
  });
  reply({
    type: 'ready',
    url: sim.url,
    port: sim.port,
    productKey: SIM_PRODUCTS.plug.product_key,
    users,
  });
}

// A failure here is unhandled, which ends the worker: the bench hears of it as an 'error' event.
void main();
