// The shape every part of `npm run soak` shares: soak/run.ts runs the parts one after another and
// prints and saves what they return. `full: false` is the fast subset that `npm test` runs.
export interface SoakPartOptions {
  /** The whole soak (minutes) or the fast subset (seconds) of `npm test`. */
  full: boolean;
  /** Seeds every random choice, so that a failing run can be repeated. */
  seed: number;
  /** Progress lines for the console; never a secret. */
  log: (line: string) => void;
}

export interface SoakPartResult {
  /** e.g. "frames", "admin-routes" */
  name: string;
  /** The goal in words, as the issue states it: "0 uncaught exceptions, state correct afterwards". */
  goal: string;
  pass: boolean;
  /** The figures printed and saved: counts, rates, shares. */
  figures: Record<string, number | string | boolean>;
  /** What went wrong, one line each, empty when `pass`. */
  failures: string[];
}

export type SoakPart = (options: SoakPartOptions) => Promise<SoakPartResult>;
