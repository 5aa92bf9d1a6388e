// `npm run bench:alloc`: what the event path allocates per event, for bench-floor (`alloc.ts floor`) and
// gizwits-device-in (`alloc.ts node`), each run in a process of its own. Garbage collection is a third of
// the event path's time (bench/README.md), and bytes allocated per event are a figure that neither a busy
// machine nor the speed of the process moves, unlike events per second. The consumer follows an account
// of BENCH_PROFILE_DEVICES (default 100) devices; after a warm-up burst, V8's sampling heap profiler
// (collected objects included) records BENCH_ROUNDS (default 4) bursts of BENCH_EVENTS reports, and the
// costliest allocation sites are printed. The profiler slows the bursts down: their rates mean nothing.
import inspector from 'node:inspector/promises';
import { where, type CallFrame } from './call-frames';
import { deploy, runBench } from './node-red';
import { deployConsumer } from './throughput';

const CONSUMER = process.argv[2];
const DEVICES = Number(process.env.BENCH_PROFILE_DEVICES ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const TOP = 20;

interface SampleNode {
  callFrame: CallFrame;
  selfSize: number;
  children: SampleNode[];
}

/** Bytes allocated per function (self), summed over the sampled call tree. */
function bySite(root: SampleNode): Map<string, number> {
  const sites = new Map<string, number>();
  const visit = (node: SampleNode) => {
    if (node.selfSize) {
      const site = where(node.callFrame);
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(root);
  return sites;
}

if (CONSUMER !== 'floor' && CONSUMER !== 'node') {
  console.error('usage: bench/alloc.ts floor|node');
  process.exit(2);
}

runBench({ sizes: [DEVICES], scale: { accounts: 0, devices: 0 } }, async (sim) => {
  const user = sim.user(DEVICES);
  const counter = await deployConsumer(CONSUMER, sim, user);
  await sim.burst(user.dids, 5000, counter);
  const session = new inspector.Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let round = 0; round < ROUNDS; round++) await sim.burst(user.dids, EVENTS, counter);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: SampleNode };
  };
  session.disconnect();
  const sites = bySite(profile.head);
  const events = EVENTS * ROUNDS;
  const total = [...sites.values()].reduce((sum, bytes) => sum + bytes, 0);
  const name = CONSUMER === 'node' ? 'gizwits-device-in' : 'bench-floor';
  console.log(`${name}, ${DEVICES} devices: ${Math.round(total / events)} bytes allocated per event`);
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`${String(Math.round(bytes / events)).padStart(6)} B  ${site}`);
  await deploy([]);
});
