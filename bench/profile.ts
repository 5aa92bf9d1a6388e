// `npm run bench:profile`: where the time of gizwits-device-in's event path goes. Runs under
// node --cpu-prof (the npm script gives it): one account of BENCH_PROFILE_DEVICES (default 1,000) devices
// (1, 100 or 1,000), gizwits-device-in
// deployed, then bursts of reports as in `npm run bench`; on exit V8 writes the profile of this thread
// into test-artifacts/bench/profile/, and bench/profile-top.ts prints its costliest functions.
import { deployDeviceIn } from './device-in';
import { deploy, runBench } from './node-red';
import { bursts } from './throughput';

const DEVICES = Number(process.env.BENCH_PROFILE_DEVICES ?? 1000);
const EVENTS = 50_000;
const ROUNDS = 10;

runBench({ sizes: [DEVICES], scale: { accounts: 0, devices: 0 } }, async (sim) => {
  const user = sim.user(DEVICES);
  const { events } = await deployDeviceIn(sim, [user]);
  const rates = await bursts(sim, user.dids, events, {
    events: EVENTS,
    rounds: ROUNDS,
    warmupEvents: 5000,
  });
  console.log(`gizwits-device-in, ${DEVICES} devices: ${rates.join(', ')} events/s`);
  await deploy([]);
});
