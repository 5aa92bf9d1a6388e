// Every pause the client takes after a failure: one doubling ceiling, min(cap, base·2^step), and a few
// ways to spread the pauses of many clients around it. The callers keep their own numbers (the account's
// in docs/budget.md, the sockets' in docs/websocket.md); each named pause below is one caller's.

/**
 * How a pause is picked under its ceiling:
 * - `none`: the ceiling itself (a single follower with nothing to spread);
 * - `full`: anywhere in [0, ceiling], spreading repeats of many calls widest;
 * - `above-base`: in [base, ceiling], never sooner than the base (reconnects);
 * - `lengthen`: the ceiling stretched by up to a fifth, never shorter, so that a cap holds as a minimum.
 */
export type Jitter = 'none' | 'full' | 'above-base' | 'lengthen';

export interface BackoffShape {
  baseMs: number;
  capMs: number;
  jitter: Jitter;
}

/** The pause after `step` doublings (from 0; a negative step counts as 0). `random` is injectable for tests. */
export function backoff(step: number, shape: BackoffShape, random: () => number = Math.random): number {
  const { baseMs, capMs, jitter } = shape;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, step));
  switch (jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return Math.floor(random() * ceiling);
    case 'above-base':
      return Math.round(baseMs + random() * Math.max(0, ceiling - baseMs));
    case 'lengthen':
      return Math.round(ceiling * (1 + 0.2 * random()));
  }
}

/** The delay before reconnect number `attempt` (from 0): at least `base`, up to min(cap, base·2^attempt). */
export function reconnectDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return backoff(attempt, { baseMs, capMs, jitter: 'above-base' }, random);
}

/**
 * Full-jitter exponential backoff of a repeated call: a uniform pick in [0, min(cap, base * 2^(attempt-1))].
 * `attempt` counts from 1 (the delay before the first repeat).
 */
export function backoffDelay(
  attempt: number,
  policy: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  return backoff(attempt - 1, { ...policy, jitter: 'full' }, random);
}

/**
 * The pause after `failures` consecutive failures (from 1): base·2^(failures-1) capped, then stretched by
 * up to a fifth at random. The jitter only ever lengthens the pause, so at the cap the pause is never
 * shorter than the cap: "at most one a minute" holds for a 60 s cap.
 */
export function growingPause(
  failures: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return backoff(failures - 1, { baseMs, capMs, jitter: 'lengthen' }, random);
}

/** The pause before retry number `attempt` (from 1) of one follower: base·2^(attempt-1) capped, exact. */
export function doublingPause(attempt: number, policy: { baseMs: number; capMs: number }): number {
  return backoff(attempt - 1, { ...policy, jitter: 'none' });
}
