// Records what an EventEmitter emits, so that tests can wait for an event (or assert that none came)
// instead of sleeping.
import type { EventEmitter } from 'node:events';
import { waitFor } from './live';

export interface Recorded {
  event: string;
  // Event payloads are whatever the emitter sends; tests assert on their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: any[];
  at: number;
}

export type Recorder = ReturnType<typeof record>;

/** Listens to `events` of `emitter` from now on. */
export function record(emitter: EventEmitter, events: string[]) {
  const all: Recorded[] = [];
  for (const event of events)
    emitter.on(event, (...args: unknown[]) => all.push({ event, args, at: Date.now() }));
  return {
    all,
    /** Everything recorded of that event, its first argument each. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    of(event: string): any[] {
      return all.filter((entry) => entry.event === event).map((entry) => entry.args[0]);
    },
    /** Where the record ends now, to wait for or look at what comes after. */
    mark(): number {
      return all.length;
    },
    /** Waits for an event after `from` (default: anything not yet recorded when called) that matches. */
    async next(
      event: string,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      match: (arg: any, ...rest: any[]) => boolean = () => true,
      ms = 3000,
      from = all.length,
    ): Promise<Recorded> {
      let found: Recorded | undefined;
      await waitFor(
        () => {
          found = all
            .slice(from)
            .find((entry) => entry.event === event && match(entry.args[0], ...entry.args.slice(1)));
          return found !== undefined;
        },
        ms,
        () =>
          `no "${event}" event that matches; after it came: ${JSON.stringify(
            all.slice(from).map((entry) => [entry.event, entry.args[0]]),
          ).slice(0, 600)}`,
      );
      return found!;
    },
  };
}
