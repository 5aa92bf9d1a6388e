// The writer of `npm run bench:instructions`' write part (bench/instructions.ts), in a process of its own
// under callgrind: REST writes to one device of a simulator of its own, either direct (node:http, keep-alive,
// the least a REST client can do) or through the package's GizwitsClient (axios and the pipeline that
// gizwits-device-control's REST writes go through). The parent counts the instructions of each order.
import { GizwitsClient } from '../src/client';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { rest, restLogin, SimWorker } from './harness';

export type WriteKind = 'direct' | 'client';

/** What the parent sends: `writes` writes of one kind, or the end. */
export type WriterOrder = { type: 'writes'; kind: WriteKind; writes: number } | { type: 'close' };
export type WriterReply = { type: 'ready' } | { type: 'done' };

async function main(): Promise<void> {
  const warmup = Number(process.env.BENCH_WARMUP);
  const sim = await SimWorker.start({ sizes: [1], scale: { accounts: 0, devices: 0 } });
  const user = sim.user(1);
  const did = user.dids[0];
  const token = await restLogin(sim, user);
  const client = new GizwitsClient({
    appId: SIM_APP_ID,
    region: 'custom',
    apiUrl: sim.url,
    credentials: { mode: 'password', username: user.username, password: user.password },
  });
  // Every write sets a new value, as in part 6.
  let countdown = 0;
  const nextValue = () => ({ countdown: (countdown = (countdown % 1440) + 1) });
  const write: Record<WriteKind, () => Promise<unknown>> = {
    direct: () => rest(sim, 'POST', `/app/control/${did}`, { attrs: nextValue() }, token),
    client: () => client.call('devices.control', { did, attrs: nextValue() }),
  };
  for (let i = 0; i < warmup; i++) {
    await write.direct();
    await write.client();
  }
  const reply = (message: WriterReply) => process.send!(message);
  process.on('message', (order: WriterOrder) => {
    const done =
      order.type === 'writes'
        ? (async () => {
            for (let i = 0; i < order.writes; i++) await write[order.kind]();
          })()
        : (async () => {
            client.close();
            await sim.close();
          })();
    done.then(
      () => {
        reply({ type: 'done' });
        if (order.type === 'close') process.disconnect();
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  reply({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
