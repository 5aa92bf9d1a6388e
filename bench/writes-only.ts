// `npm run bench:writes`: part 6 of `npm run bench` alone (bench/writes.ts), for work on the write path
// without the minutes of the other parts. BENCH_WRITES (default 1,000) writes of each kind.
import os from 'node:os';
import { runBench } from './node-red';
import { writeLatency } from './writes';

const writes = Number(process.env.BENCH_WRITES ?? 1000);
if (!Number.isInteger(writes) || writes < 1) throw new Error('BENCH_WRITES must be a positive integer');

runBench({ sizes: [1], scale: { accounts: 0, devices: 0 } }, async (sim) => {
  const rows = await writeLatency(sim, { writes, warmupWrites: 50 });
  const width = Math.max(...rows.map((row) => row.write.length));
  console.log(
    `Write latency, ms (${writes} writes of each kind, interleaved; median, p95, over the call it wraps)`,
  );
  for (const row of rows) {
    const over =
      row.overDirectMs === undefined
        ? ''
        : `${row.overDirectMs >= 0 ? '+' : ''}${row.overDirectMs.toFixed(2)}`;
    console.log(
      `${row.write.padEnd(width)}   ${row.medianMs.toFixed(2)}   ${row.p95Ms.toFixed(2)}   ${over}`,
    );
  }
  console.log(`load average ${os.loadavg()[0].toFixed(2)} at the end`);
});
