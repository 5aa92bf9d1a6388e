// Write latency: gizwits-device-control beside the direct call each of its writes wraps, interleaved so
// that a busy moment of the machine falls on every kind alike. Without `confirm`, the direct calls are a
// REST `POST /app/control/{did}` (node:http, keep-alive) and a websocket `c2s_write` until its `s2c_ack`;
// with `confirm`, each of them followed by the device's report on a bare websocket subscribed to it. For
// a node: from the message entering it to the message arriving at the next node. Beside them the
// package's REST pipeline alone (GizwitsClient), to tell the node's share from the pipeline's.
import { performance } from 'node:perf_hooks';
import { GizwitsClient } from '../src/client';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { BareClient, median, percentile, rest, restLogin, sleep, type Json, type SimWorker } from './harness';
import { accountFlow, deploy, onSink, runtimeNode } from './node-red';

export interface LatencyRow {
  write: string;
  /** The row of the direct call this write wraps; undefined for a direct call. */
  wraps?: string;
  medianMs: number;
  p95Ms: number;
  /** Median minus the median of the call it wraps. */
  overDirectMs?: number;
  /** Every write's time, ms. */
  times: number[];
}

interface WriteKind {
  write: string;
  wraps?: string;
  run: () => Promise<unknown>;
  times: number[];
}

export async function writeLatency(
  sim: SimWorker,
  settings: { writes: number; warmupWrites: number },
): Promise<LatencyRow[]> {
  const user = sim.user(1);
  const did = user.dids[0];
  let pending: { sink: string; resolve: () => void; reject: (error: Error) => void } | undefined;
  onSink((nodeId, msg) => {
    if (!pending) return;
    if (nodeId === pending.sink) pending.resolve();
    else if (nodeId === 'sink-error')
      pending.reject(new Error((msg.error as { message?: string } | undefined)?.message ?? 'error'));
  });
  const control = (id: string, transport: string, confirm: boolean): Json[] => [
    {
      id,
      type: 'gizwits-device-control',
      account: 'account',
      device: did,
      deviceType: 'str',
      attr: '',
      value: 'payload',
      valueType: 'msg',
      transport,
      confirm,
      timeout: 10,
      configVersion: 1,
      wires: [[`sink-${id}`]],
    },
    { id: `sink-${id}`, type: 'bench-sink', wires: [] },
  ];
  const { flows, credentials } = accountFlow(sim, user, [
    ...control('rest', 'rest', false),
    ...control('ws', 'websocket', false),
    ...control('rest-confirm', 'rest', true),
    ...control('ws-confirm', 'websocket', true),
    // A failed write reaches sink-error, which fails the run with the node's message.
    { id: 'catch-all', type: 'catch', scope: null, uncaught: false, wires: [['sink-error']] },
    { id: 'sink-error', type: 'bench-sink', wires: [] },
  ]);
  await deploy(flows, credentials);
  const token = await restLogin(sim, user);
  const bare = await BareClient.connect(sim, user, [did]);

  // Every write sets a new value, so that the device reports a change each time.
  let countdown = 0;
  const nextValue = () => ({ countdown: (countdown = (countdown % 1440) + 1) });
  const throughNode = (nodeId: string) => (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${nodeId}: no message out within 15 s`)), 15_000);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        pending = undefined;
        if (error) reject(error);
        else resolve();
      };
      pending = { sink: `sink-${nodeId}`, resolve: () => settle(), reject: settle };
      runtimeNode(nodeId).receive({ payload: nextValue() });
    });
  // The package's own REST pipeline alone (what the node's REST write goes through), for where time goes.
  const client = new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: user.username, password: user.password },
  });
  const restWrite = (attrs: Json = nextValue()) => rest(sim, 'POST', `/app/control/${did}`, { attrs }, token);
  const socketWrite = (attrs: Json = nextValue()) => bare.write(did, attrs);
  // The report of this write's value, not a late one of the write before.
  const confirmed = (write: (attrs: Json) => Promise<unknown>) => () => {
    const attrs = nextValue();
    return Promise.all([bare.report('countdown', attrs.countdown), write(attrs)]);
  };
  const DIRECT_REST = 'direct REST POST /app/control/{did}';
  const DIRECT_WS = 'direct websocket c2s_write → s2c_ack';
  const DIRECT_REST_REPORT = 'direct REST POST, then the report';
  const DIRECT_WS_REPORT = 'direct websocket c2s_write, then the report';
  const kinds: WriteKind[] = [
    { write: DIRECT_REST, run: () => restWrite(), times: [] },
    {
      write: 'GizwitsClient devices.control (no node)',
      wraps: DIRECT_REST,
      run: () => client.call('devices.control', { did, attrs: nextValue() }),
      times: [],
    },
    { write: 'gizwits-device-control, rest', wraps: DIRECT_REST, run: throughNode('rest'), times: [] },
    { write: DIRECT_WS, run: () => socketWrite(), times: [] },
    { write: 'gizwits-device-control, websocket', wraps: DIRECT_WS, run: throughNode('ws'), times: [] },
    { write: DIRECT_REST_REPORT, run: confirmed(restWrite), times: [] },
    {
      write: 'gizwits-device-control, rest, confirm',
      wraps: DIRECT_REST_REPORT,
      run: throughNode('rest-confirm'),
      times: [],
    },
    { write: DIRECT_WS_REPORT, run: confirmed(socketWrite), times: [] },
    {
      write: 'gizwits-device-control, websocket, confirm',
      wraps: DIRECT_WS_REPORT,
      run: throughNode('ws-confirm'),
      times: [],
    },
  ];

  // The websocket nodes can write once their account's socket has subscribed the device.
  for (let attempt = 1; ; attempt++) {
    await sleep(100);
    try {
      await kinds.find((kind) => kind.write === 'gizwits-device-control, websocket')!.run();
      break;
    } catch (error) {
      if (attempt === 100) throw error;
    }
  }
  for (let i = 0; i < settings.warmupWrites + settings.writes; i++) {
    for (const kind of kinds) {
      const started = performance.now();
      await kind.run();
      if (i >= settings.warmupWrites) kind.times.push(performance.now() - started);
    }
  }
  bare.close();
  client.close();
  await deploy([]);

  const medianOf = (write: string) => median(kinds.find((kind) => kind.write === write)!.times);
  return kinds.map((kind) => ({
    write: kind.write,
    wraps: kind.wraps,
    medianMs: median(kind.times),
    p95Ms: percentile(kind.times, 95),
    overDirectMs: kind.wraps === undefined ? undefined : median(kind.times) - medianOf(kind.wraps),
    times: kind.times.map((ms) => Math.round(ms * 1000) / 1000),
  }));
}
