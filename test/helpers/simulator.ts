// Starts the real simulated cloud on loopback for a suite, and makes clients for its users.
import assert from 'node:assert/strict';
import { GizwitsClient, type ClientOptions } from '../../src/client';
import {
  SIM_APP_ID,
  SIM_APP_SECRET,
  SIM_PRODUCTS,
  SIM_USERS,
  startSimulator,
  type Simulator,
} from '../../src/simulator';

export type SimUser = keyof typeof SIM_USERS;

/** Registers before/after hooks that start and close a simulator; read `.sim` inside tests. */
export function useSimulator(options: { driftIntervalMs?: number } = {}): { readonly sim: Simulator } {
  const holder: { sim?: Simulator } = {};
  before(async () => {
    holder.sim = await startSimulator({ port: 0, driftIntervalMs: options.driftIntervalMs ?? 0 });
  });
  afterEach(() => holder.sim?.faults.reset());
  after(async () => {
    await holder.sim?.close();
  });
  return {
    get sim() {
      if (!holder.sim) throw new Error('simulator not started');
      return holder.sim;
    },
  };
}

const clients: GizwitsClient[] = [];
afterEach(() => {
  while (clients.length) clients.pop()!.close();
});

/** A client of the simulator signed in as a fixture user; closed after the test. Retries are instant. */
export function simClient(
  sim: Simulator,
  user: SimUser = 'demo',
  overrides: Partial<ClientOptions> = {},
): GizwitsClient {
  const client = new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: SIM_USERS[user].username, password: SIM_USERS[user].password },
    appSecret: SIM_APP_SECRET,
    productSecrets: Object.fromEntries(
      Object.values(SIM_PRODUCTS).map((p) => [p.product_key, p.product_secret]),
    ),
    // Pauses shortened as the retries' are, so that tests of other things need not wait for them.
    retry: { baseMs: 1, capMs: 5 },
    loginBackoffBaseMs: 1,
    loginBackoffCapMs: 5,
    ...overrides,
  });
  clients.push(client);
  return client;
}

/** Runs `act` and answers what it resolves to; the test fails if the simulator received a call meanwhile. */
export async function withoutCalls<T>(sim: Simulator, act: () => Promise<T>): Promise<T> {
  const before = sim.calls.length;
  const result = await act();
  assert.equal(sim.calls.length, before, 'the simulator received no call');
  return result;
}

export function countCalls(sim: Simulator, method: string, path: string): number {
  return sim.calls.filter((c) => c.method === method && c.path === path).length;
}

/**
 * Makes the call that follows the cloud's first stored rule fail as a gateway would (HTTP 502), so that a
 * change of several rules fails part-way. Answers the undo.
 */
export function failAfterFirstRule(sim: Simulator): () => void {
  const rules = sim.model.rules;
  const set = rules.set.bind(rules);
  let stored = 0;
  rules.set = (key, value) => {
    const result = set(key, value);
    if (++stored === 1) sim.faults.failNext(1, 502);
    return result;
  };
  return () => {
    rules.set = set;
  };
}
