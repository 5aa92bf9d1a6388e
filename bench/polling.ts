// What an account costs the cloud's REST quota: a DeviceRegistry (the client the nodes share) follows
// 1,000 devices of one account; the REST calls and websocket frames it makes are counted in the simulator.
// - Quiet: nothing happens, the socket is healthy. On a clock SPEED times as fast as the cloud's
//   (reconciliation every 60 s / SPEED, a device silent for 10 min / SPEED is checked, checks paced SPEED
//   times as fast), counted over 20 minutes of that clock once every device has gone silent, and given
//   per hour of it.
// - Drop: with the default timings, every socket is dropped once; the REST calls counted from the drop
//   until every device's state has been read again and the registry's refresh of the bindings is done.
// The registries run in this thread, the simulator in its worker.
import { DeviceRegistry, GizwitsClient, type RegistryOptions, type StatusEvent } from '../src/client';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { Counter, sleep, type SimWorker } from './harness';
import type { BenchUser, SimCall } from './sim-worker';

const SPEED = 120;
const HOUR_MS = 3_600_000;
const INTERVAL_MS = 60_000 / SPEED;
const SILENT_AFTER_MS = 600_000 / SPEED;
/** Real time counted, once every device has been silent for SILENT_AFTER_MS: 20 minutes of that clock. */
const WINDOW_MS = 1_200_000 / SPEED;
/** After a drop, the registry reads the bindings again 200 ms after its login: time enough for every page. */
const SETTLE_MS = 2_000;

export interface PollingResult {
  devices: number;
  speed: number;
  restCallsPerHour: number;
  socketFramesPerHour: number;
  /** The REST calls of the quiet window, by `METHOD path`. */
  quietCalls: Record<string, number>;
  /** The REST calls a socket drop caused, by `METHOD path`. */
  dropCalls: Record<string, number>;
  dropRestCalls: number;
  /** `GET /app/datapoint` calls of both registries, from their start to their end. */
  datapointFetches: number;
  products: number;
}

/** Calls grouped as `METHOD path`, a did in the path replaced by `{did}`. */
function tally(calls: SimCall[], dids: Set<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { method, path } of calls) {
    const key = `${method} ${path
      .split('/')
      .map((part) => (dids.has(part) ? '{did}' : part))
      .join('/')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** A registry of `user`'s account following every device, and a count of its initial states. */
async function following(
  sim: SimWorker,
  user: BenchUser,
  options: Omit<RegistryOptions, 'secure'>,
  run: (registry: DeviceRegistry, initial: Counter) => Promise<void>,
): Promise<void> {
  const client = new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: user.username, password: user.password },
  });
  const registry = new DeviceRegistry(client, { secure: false, ...options });
  const initial = new Counter();
  registry.on('status', (event: StatusEvent) => {
    if (event.initial) initial.inc();
  });
  try {
    registry.follow('bench', 'all');
    await initial.reach(user.size, 60_000, 'initial states');
    await run(registry, initial);
  } finally {
    registry.close();
    client.close();
  }
}

export async function polling(sim: SimWorker): Promise<PollingResult> {
  const user = sim.user(1000);
  const dids = new Set(user.dids);
  const calls: SimCall[] = [];
  await sim.traffic();

  let quiet = { calls: [] as SimCall[], socketFrames: 0 };
  const fastClock = {
    reconcileIntervalMs: INTERVAL_MS,
    silentAfterMs: SILENT_AFTER_MS,
    checksPerSecond: 50 * SPEED,
  };
  await following(sim, user, fastClock, async () => {
    await sleep(SILENT_AFTER_MS + INTERVAL_MS);
    calls.push(...(await sim.traffic()).calls);
    const start = await sim.traffic();
    await sleep(WINDOW_MS);
    const end = await sim.traffic();
    quiet = { calls: end.calls, socketFrames: end.socketFrames - start.socketFrames };
  });
  calls.push(...quiet.calls, ...(await sim.traffic()).calls);

  let dropped: SimCall[] = [];
  await following(sim, user, {}, async (_registry, initial) => {
    calls.push(...(await sim.traffic()).calls);
    const again = initial.reach(initial.value + user.size, 60_000, 'initial states after the drop');
    await sim.dropSockets();
    await again;
    await sleep(SETTLE_MS);
    dropped = (await sim.traffic()).calls;
  });
  calls.push(...dropped, ...(await sim.traffic()).calls);

  const perHour = HOUR_MS / (WINDOW_MS * SPEED);
  const quietCalls = tally(quiet.calls, dids);
  const dropCalls = tally(dropped, dids);
  return {
    devices: user.size,
    speed: SPEED,
    restCallsPerHour: sum(quietCalls) * perHour,
    socketFramesPerHour: quiet.socketFrames * perHour,
    quietCalls,
    dropCalls,
    dropRestCalls: sum(dropCalls),
    datapointFetches: calls.filter((call) => call.path === '/app/datapoint').length,
    products: 1,
  };
}
