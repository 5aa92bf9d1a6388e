// The gizwits-device-in flows the bench deploys: one account node and one gizwits-device-in per simulator
// user, every device-in wired to the same bench-sink, which counts what arrives.
import { performance } from 'node:perf_hooks';
import { DEVICE_IN_DEFAULTS, onTab, simAccount, type FlowNode } from '../test/helpers/flows';
import { Counter, type Json, type SimWorker } from './harness';
import { deploy, onSink } from './node-red';
import type { BenchUser } from './sim-worker';

export interface DeviceInDeploy {
  /** Messages that are no `initial` state: the live events of a burst. */
  events: Counter;
  firstInitialMs: number;
  allInitialMs: number;
}

/** One account node and one gizwits-device-in (every device, status, initial on) per user, into `sink`. */
export function deviceInFlow(sim: SimWorker, users: BenchUser[]): { flows: Json[]; credentials: Json } {
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
  nodes.push({ id: 'sink', type: 'bench-sink', wires: [] });
  return { flows: onTab(nodes, 'bench'), credentials };
}

/**
 * Deploys `flow` and counts what reaches the node `sink`; resolves once `devices` initial states arrived,
 * with the time from deploy to the first and to the last of them.
 */
export async function deployCounted(flow: { flows: Json[]; credentials: Json }, devices: number) {
  const initial = new Counter();
  const events = new Counter();
  onSink((nodeId, msg) => {
    if (nodeId !== 'sink') return;
    if (msg.initial === true) initial.inc();
    else events.inc();
  });
  const first = initial.reach(1, 60_000, 'first initial message');
  const all = initial.reach(devices, 120_000, 'initial messages');
  const started = performance.now();
  await deploy(flow.flows, flow.credentials);
  const [firstAt, allAt] = await Promise.all([first, all]);
  return { events, firstInitialMs: firstAt - started, allInitialMs: allAt - started };
}

/** Deploys gizwits-device-in for every device of `users`; resolves once every initial state arrived. */
export function deployDeviceIn(sim: SimWorker, users: BenchUser[]): Promise<DeviceInDeploy> {
  const devices = users.reduce((sum, user) => sum + user.size, 0);
  return deployCounted(deviceInFlow(sim, users), devices);
}
