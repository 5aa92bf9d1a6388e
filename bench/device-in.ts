// The gizwits-device-in flows the bench deploys: one account node and one gizwits-device-in per simulator
// user, every device-in wired to the bench-sink `sink`; and the counting of what reaches each bench-sink.
import { performance } from 'node:perf_hooks';
import { DEVICE_IN_DEFAULTS, onTab, simAccount, type FlowNode } from '../test/helpers/flows';
import { Counter, type Json, type SimWorker } from './harness';
import { deploy, onSink } from './node-red';
import type { BenchUser } from './sim-worker';

export interface SinkCount {
  /** Messages that are no `initial` state: the live events of a burst. */
  events: Counter;
  firstInitialMs: number;
  allInitialMs: number;
}

/**
 * One account node and one gizwits-device-in (every device, status, initial on) per user, into the
 * bench-sink `sink`; `extra` nodes on the same tab.
 */
export function deviceInFlow(
  sim: SimWorker,
  users: BenchUser[],
  extra: FlowNode[] = [],
): { flows: Json[]; credentials: Json } {
  const nodes: FlowNode[] = [];
  let credentials: Json = {};
  users.forEach((user, index) => {
    const account = simAccount(sim, { id: `account-${index}`, user, name: user.username });
    credentials = { ...credentials, ...account.credentials };
    nodes.push(account.node, {
      ...DEVICE_IN_DEFAULTS,
      id: `in-${index}`,
      type: 'gizwits-device-in',
      account: account.node.id,
      wires: [['sink']],
    });
  });
  nodes.push({ id: 'sink', type: 'bench-sink', wires: [] }, ...extra);
  return { flows: onTab(nodes, 'bench'), credentials };
}

/**
 * Deploys `flow` and counts what reaches each bench-sink named in `devices` (sink id → how many devices
 * feed it); resolves once every one of them has had an initial message per device, with the time from
 * deploy to the first and to the last of them.
 */
export async function deployCounted(
  flow: { flows: Json[]; credentials: Json },
  devices: Record<string, number>,
): Promise<Record<string, SinkCount>> {
  const counters = new Map(
    Object.keys(devices).map((sink) => [sink, { initial: new Counter(), events: new Counter() }]),
  );
  onSink((nodeId, msg) => {
    const counter = counters.get(nodeId);
    if (!counter) return;
    if (msg.initial === true) counter.initial.inc();
    else counter.events.inc();
  });
  const reached = [...counters].map(([sink, { initial }]) =>
    Promise.all([
      initial.reach(1, 60_000, `${sink}: first initial message`),
      initial.reach(devices[sink], 120_000, `${sink}: initial messages`),
    ]),
  );
  const started = performance.now();
  await deploy(flow.flows, flow.credentials);
  const times = await Promise.all(reached);
  return Object.fromEntries(
    [...counters].map(([sink, { events }], index) => [
      sink,
      { events, firstInitialMs: times[index][0] - started, allInitialMs: times[index][1] - started },
    ]),
  );
}

/** Deploys gizwits-device-in for every device of `users`; resolves once every initial state arrived. */
export async function deployDeviceIn(sim: SimWorker, users: BenchUser[]): Promise<SinkCount> {
  const devices = users.reduce((sum, user) => sum + user.size, 0);
  return (await deployCounted(deviceInFlow(sim, users), { sink: devices })).sink;
}
