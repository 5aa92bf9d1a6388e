// What an account costs the cloud's REST quota while nothing happens: a DeviceRegistry (the client the
// nodes share) follows 1,000 quiet devices over a healthy websocket, on a clock SPEED times as fast as
// the cloud's (reconciliation every 60 s / SPEED, a device silent for 10 min / SPEED is checked, checks
// paced SPEED times as fast), and the
// REST calls and websocket frames it makes are counted and given per hour of that clock. Then every socket
// is dropped once, and the REST calls the drop caused are counted until the registry is back and a few
// reconciliation rounds later. The registry runs in this thread, the simulator in its worker.
import { DeviceRegistry, GizwitsClient, type StatusEvent } from '../src/client';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { Counter, sleep, type SimWorker } from './harness';
import type { SimCall } from './sim-worker';

const SPEED = 120;
const HOUR_MS = 3_600_000;
const INTERVAL_MS = 60_000 / SPEED;
const SILENT_AFTER_MS = 600_000 / SPEED;
/** Real time counted, once every device has been silent for SILENT_AFTER_MS: 20 minutes of that clock. */
const WINDOW_MS = 1_200_000 / SPEED;

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
  /** `GET /app/datapoint` calls from the registry's start to the end, and the products it serves. */
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

export async function polling(sim: SimWorker): Promise<PollingResult> {
  const user = sim.user(1000);
  const dids = new Set(user.dids);
  const client = new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: user.username, password: user.password },
  });
  const registry = new DeviceRegistry(client, {
    secure: false,
    reconcileIntervalMs: INTERVAL_MS,
    silentAfterMs: SILENT_AFTER_MS,
    // The default pace (50 checks a second), on the faster clock.
    checksPerSecond: 50 * SPEED,
  });
  const initial = new Counter();
  registry.on('status', (event: StatusEvent) => {
    if (event.initial) initial.inc();
  });
  await sim.traffic();
  const calls: SimCall[] = [];
  try {
    registry.follow('bench', 'all');
    await initial.reach(user.size, 60_000, 'initial states');
    calls.push(...(await sim.traffic()).calls);

    // Quiet: every device silent long enough to be checked, then a window counted.
    await sleep(SILENT_AFTER_MS + INTERVAL_MS);
    calls.push(...(await sim.traffic()).calls);
    const windowStart = await sim.traffic();
    await sleep(WINDOW_MS);
    const windowEnd = await sim.traffic();
    calls.push(...windowEnd.calls);
    const perHour = HOUR_MS / (WINDOW_MS * SPEED);
    const quietCalls = tally(windowEnd.calls, dids);

    // One drop of every socket: the registry reconnects, reads every device's state over the socket again.
    const again = initial.reach(initial.value + user.size, 60_000, 'initial states after the drop');
    await sim.dropSockets();
    await again;
    await sleep(3 * INTERVAL_MS);
    const dropped = await sim.traffic();
    calls.push(...dropped.calls);
    const dropCalls = tally(dropped.calls, dids);

    return {
      devices: user.size,
      speed: SPEED,
      restCallsPerHour: sum(quietCalls) * perHour,
      socketFramesPerHour: (windowEnd.socketFrames - windowStart.socketFrames) * perHour,
      quietCalls,
      dropCalls,
      dropRestCalls: sum(dropCalls),
      datapointFetches: calls.filter((call) => call.path === '/app/datapoint').length,
      products: 1,
    };
  } finally {
    registry.close();
    client.close();
  }
}
