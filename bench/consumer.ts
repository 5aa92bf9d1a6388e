// One consumer of part 1 of `npm run bench` (bench/throughput.ts), in a process of its own: a bare `ws`
// client, bench-floor or gizwits-device-in, following one account of BENCH_SIZE devices of a simulator
// of its own (in a worker thread, as everywhere in the bench). The parent orders its bursts over IPC, so
// that the consumers take turns as before, but none of them shares a V8 heap, optimised code or a
// Node-RED runtime with another: in one process, the consumers changed each other's figures by up to
// twice, a different way in each run (bench/README.md, "One process per consumer").
import { BareClient, type Counter, SimWorker } from './harness';
import { deploy, startNodeRed } from './node-red';
import { deployConsumer } from './throughput';

export type ConsumerKind = 'bare' | 'floor' | 'node';

/**
 * What the parent sends: a burst of `events` reports (after a full GC unless `collect` is false), or the
 * end.
 */
export type ConsumerOrder = { type: 'burst'; events: number; collect?: boolean } | { type: 'close' };

export type ConsumerReply =
  | { type: 'ready' }
  | { type: 'burst'; perSecond: number; cpuUsPerEvent: number; simPerSecond: number }
  | { type: 'closed' };

async function main(): Promise<void> {
  const kind = process.env.BENCH_CONSUMER as ConsumerKind;
  const size = Number(process.env.BENCH_SIZE);
  const warmup = Number(process.env.BENCH_WARMUP);
  const sim = await SimWorker.start({ sizes: [size], scale: { accounts: 0, devices: 0 } });
  const user = sim.user(size);
  let counter: Counter;
  let stop: () => Promise<void>;
  if (kind === 'bare') {
    const bare = await BareClient.connect(sim, user, user.dids);
    counter = bare.notis;
    stop = async () => bare.close();
  } else {
    const nodeRed = await startNodeRed();
    counter = await deployConsumer(kind, sim, user);
    stop = async () => {
      await deploy([]);
      await nodeRed.stop();
    };
  }
  await sim.burst(user.dids, warmup, counter);
  const reply = (message: ConsumerReply) => process.send!(message);
  process.on('message', (order: ConsumerOrder) => {
    if (order.type === 'burst') {
      sim.burst(user.dids, order.events, counter, { collect: order.collect }).then(
        (result) => reply({ type: 'burst', ...result }),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    } else {
      void stop()
        .then(() => sim.close())
        .finally(() => {
          reply({ type: 'closed' });
          process.disconnect();
        });
    }
  });
  reply({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
