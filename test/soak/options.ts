// Options for the soak parts' fast subsets under mocha: one seed for the whole mocha run (so that the
// `faults` and `writes` parts share one fault soak, as under npm run soak); SOAK_SEED repeats a run.
import type { SoakPartOptions } from '../../soak/types';

const given = Number(process.env.SOAK_SEED);
const seed =
  Number.isInteger(given) && given >= 0 && process.env.SOAK_SEED
    ? given
    : Math.floor(Math.random() * 2 ** 31);

export function soakOptions(): SoakPartOptions {
  // Progress stays out of the test output; every assertion names the seed so that a failure can be repeated.
  return { full: false, seed, log: () => undefined };
}

/** Said with each assertion: how to repeat the run. */
export const repeat = `repeat with SOAK_SEED=${seed}`;
