// Part `redeploys`: full deploys, one after another, of a flow holding an account, gizwits-device-in and
// a node of every other type, half of them before the account has even connected. After the last one
// (and a deploy of nothing) the simulator's open websockets, this process's timers, TCP handles and
// listeners must be back at the baseline taken before the first, and the logins must stay bounded: at
// most one per deploy and a few more.
import { performance } from 'node:perf_hooks';
import { accountNode, startCloud, writeValues } from '../lib/cloud';
import { onTab, sleep, startRuntime, until, watchCrashes, type Json } from '../lib/node-red';
import { Random } from '../lib/random';
import type { SoakPart } from '../types';

/** Logins beyond one per deploy that are still fine: the warm-up deploy and renewals after a refusal. */
const EXTRA_LOGINS = 5;

interface Snapshot {
  openSockets: number;
  timers: number;
  tcpHandles: number;
  handles: number;
  processListeners: number;
  runtimeListeners: number;
  simulatorListeners: number;
  heapMiB: number;
}

export const run: SoakPart = async ({ full, seed, log }) => {
  const deploys = full ? 500 : 30;
  const random = new Random(seed).fork('redeploys');
  const begun = performance.now();
  const hardEnd = begun + (full ? 300_000 : 90_000);
  const cloud = await startCloud(random, 4, 1);
  const runtime = await startRuntime({ pingIntervalMs: 1000, backoffBaseMs: 50, backoffCapMs: 500 });
  const crashes = watchCrashes();
  try {
    const account = accountNode(cloud);
    let initial = 0;
    runtime.onSink((nodeId, msg) => {
      if (nodeId === 'sink' && msg.initial === true) initial++;
    });
    const flow = (n: number): Json[] =>
      onTab([
        account.node,
        {
          id: 'in',
          type: 'gizwits-device-in',
          name: `deploy ${n}`,
          account: 'account',
          devices: [],
          attrs: [],
          events: ['status', 'online', 'binding'],
          onlyChanged: false,
          initial: true,
          wires: [['sink']],
        },
        {
          id: 'control',
          type: 'gizwits-device-control',
          account: 'account',
          device: cloud.dids[0],
          deviceType: 'str',
          transport: 'websocket',
          confirm: true,
          timeout: 2,
          wires: [['sink']],
        },
        {
          id: 'group',
          type: 'gizwits-group-control',
          account: 'account',
          group: '',
          action: 'list',
          wires: [],
        },
        { id: 'scene', type: 'gizwits-scene-trigger', account: 'account', scene: '', wait: false, wires: [] },
        { id: 'rules', type: 'gizwits-rule-sync', account: 'account', rules: '[]', mode: 'plan', wires: [] },
        {
          id: 'schedules',
          type: 'gizwits-scheduler',
          account: 'account',
          target: 'device',
          targetId: cloud.dids[1],
          action: 'list',
          timezone: 'Asia/Shanghai',
          wires: [],
        },
        { id: 'api', type: 'gizwits-api', account: 'account', operation: 'bindings.list', wires: [] },
        { id: 'sink', type: 'bench-sink', wires: [] },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['sink']] },
      ]);
    const sockets = () => cloud.sim.ws.openSockets('main') + cloud.sim.ws.openSockets('sandbox');
    // Up: every device's state sent, and one websocket open per endpoint (main and sandbox).
    const up = (): Promise<boolean> => until(() => initial >= cloud.dids.length && sockets() === 2, 10_000);
    // Handles, not requests: a file write of Node-RED's own (the flows file) may still be under way.
    const handles = () => process.getActiveResourcesInfo().filter((kind) => !kind.startsWith('FSReq'));
    const resources = (kind?: string) =>
      handles().filter((entry) => kind === undefined || entry === kind).length;
    const snapshot = async (): Promise<Snapshot> => {
      if (global.gc) global.gc();
      const model = cloud.sim.model;
      return {
        openSockets: sockets(),
        timers: resources('Timeout'),
        tcpHandles: resources('TCPSocketWrap'),
        handles: resources(),
        processListeners: process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0),
        runtimeListeners: runtime.runtimeListeners(),
        simulatorListeners: model.eventNames().reduce((sum, name) => sum + model.listenerCount(name), 0),
        heapMiB: Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)),
      };
    };
    /** Deploys nothing and waits until the sockets, TCP handles and timers are down to `target`. */
    const settle = async (target?: Snapshot) => {
      await runtime.deploy([]);
      await until(() => sockets() === 0, 10_000);
      if (target)
        await until(
          () =>
            resources() <= target.handles &&
            resources('TCPSocketWrap') <= target.tcpHandles &&
            resources('Timeout') <= target.timers,
          15_000,
          50,
        );
      else await sleep(500);
    };

    // Node-RED's own timers and the simulator's listening sockets exist from the first flow on: the
    // baseline is taken after one deploy of the flow and one of nothing.
    initial = 0;
    await runtime.deploy(flow(0), account.credentials);
    if (!(await up())) throw new Error('the warm-up deploy never came up');
    await settle();
    const baseline = await snapshot();
    const loginsBefore = cloud.sim.calls.filter((call) => call.path === '/app/login').length;
    const socketLoginsBefore = cloud.sim.ws.logins;

    let done = 0;
    let waitedForUp = 0;
    let notUp = 0;
    // During the run, to show what the checks after it would catch.
    let peakSockets = 0;
    let peakTcp = 0;
    for (let n = 1; n <= deploys && performance.now() < hardEnd - 30_000; n++, done++) {
      initial = 0;
      await runtime.deploy(flow(n), account.credentials);
      // Half the deploys are replaced before the account has connected; the others once it is up, and
      // some of those after a write.
      if (random.chance(0.5)) {
        waitedForUp++;
        if (!(await up())) notUp++;
        if (random.chance(0.3))
          runtime.node('control').receive({ payload: writeValues(cloud, cloud.dids[0], random) });
      }
      peakSockets = Math.max(peakSockets, sockets());
      peakTcp = Math.max(peakTcp, resources('TCPSocketWrap'));
      if (n % 100 === 0) log(`${n} deploys, ${sockets()} open sockets`);
    }
    const logins = cloud.sim.calls.filter((call) => call.path === '/app/login').length - loginsBefore;
    const socketLogins = cloud.sim.ws.logins - socketLoginsBefore;
    await settle(baseline);
    const after = await snapshot();

    const failures: string[] = [];
    if (after.handles > baseline.handles) failures.push(`active handles after: ${handles().join(', ')}`);
    if (done < deploys) failures.push(`only ${done} of ${deploys} deploys within the time limit`);
    const mustNotGrow: Array<keyof Snapshot> = [
      'openSockets',
      'timers',
      'tcpHandles',
      'handles',
      'processListeners',
      'runtimeListeners',
      'simulatorListeners',
    ];
    for (const key of mustNotGrow)
      if (after[key] > baseline[key]) failures.push(`${key}: ${baseline[key]} before, ${after[key]} after`);
    if (logins > done + EXTRA_LOGINS) failures.push(`${logins} logins for ${done} deploys`);
    if (notUp > 0)
      failures.push(`${notUp} deploys were not up (every device’s state, both websockets) within 10 s`);
    if (crashes.count() > 0) failures.push(`${crashes.count()} crashes`, ...crashes.lines);
    const pair = (key: keyof Snapshot) => `${baseline[key]} → ${after[key]}`;
    return {
      name: 'redeploys',
      goal: `${deploys} full redeploys: sockets, timers, TCP handles and listeners back to baseline; logins ≤ deploys + ${EXTRA_LOGINS}`,
      pass: failures.length === 0,
      figures: {
        'full deploys': done,
        'of which waited until up': waitedForUp,
        'open websockets at the simulator (before → after)': pair('openSockets'),
        'peak during the run: open websockets / TCP handles': `${peakSockets} / ${peakTcp}`,
        'timers (before → after)': pair('timers'),
        'TCP handles (before → after)': pair('tcpHandles'),
        'all active handles (before → after)': pair('handles'),
        'process listeners (before → after)': pair('processListeners'),
        'runtime event listeners (before → after)': pair('runtimeListeners'),
        'simulator model listeners (before → after)': pair('simulatorListeners'),
        'heap after GC, MiB (before → after)': pair('heapMiB'),
        'REST logins': logins,
        'websocket logins': socketLogins,
        crashes: crashes.count(),
        'process warnings (not failures)': crashes.warnings.join('; ') || 'none',
      },
      failures,
    };
  } finally {
    crashes.stop();
    await runtime.stop();
    await cloud.sim.close();
  }
};
