// Prints the costliest functions of the newest CPU profile in test-artifacts/bench/profile/ (written by
// bench/profile.ts): self time per function, summed over the profile, as a share of the time the thread
// was busy (not idle, nor held while the simulator queued a burst).
import fs from 'node:fs';
import path from 'node:path';
import { where, type CallFrame } from './call-frames';

const DIR = path.resolve(__dirname, '..', 'test-artifacts', 'bench', 'profile');
const TOP = Number(process.argv[2] ?? 25);

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The largest profile: the main thread's (the simulator worker writes a smaller one beside it). */
function newestProfile(): string {
  const files = fs
    .readdirSync(DIR)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(DIR, name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  if (!files.length) throw new Error(`no .cpuprofile in ${DIR}: run npm run bench:profile first`);
  return files[0];
}

const file = newestProfile();
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
profile.samples.forEach((id, index) => {
  const name = where(byId.get(id)!.callFrame);
  selfUs.set(name, (selfUs.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
// Time in burst() is this thread held by Atomics.wait while the simulator queues a burst: waiting too.
const waiting = (name: string) => name === '(idle)' || name.startsWith('burst bench/');
const idle = [...selfUs].filter(([name]) => waiting(name)).reduce((sum, [, us]) => sum + us, 0);
const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
const busy = total - idle;
console.log(
  `${path.relative(process.cwd(), file)}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`,
);
for (const [name, us] of [...selfUs]
  .filter(([name]) => !waiting(name))
  .sort((a, b) => b[1] - a[1])
  .slice(0, TOP))
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
