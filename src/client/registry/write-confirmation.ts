// A confirmed write ends when the device reports the written values, not when the cloud takes the
// command: the device may be slow, asleep, or refuse the values.
import { reportsMatch } from '../datapoints';
import { GizwitsError, keyed } from '../errors';
import type { AttrValues } from '../types';
import type { StatusWaits } from './status-waits';

/** What a confirmation looks at: the device's known values, and a REST read that refreshes them. */
export interface KnownState {
  attrsOf(did: string): Record<string, unknown>;
  readOverRest(did: string): Promise<void>;
}

export interface WriteConfirmation {
  /** The device's state once it reports the values; rejects on timeout, cancel or close. */
  done: Promise<Record<string, unknown>>;
  /** The write failed: stop waiting. */
  cancel(): void;
  /** Looks over REST at once (the device held the values already, so no report will come). */
  check(): void;
}

/** Waits until the device reports `attrs`; on timeout the state is read over REST once before giving up. */
export function confirmWrite(
  waits: StatusWaits,
  known: KnownState,
  did: string,
  attrs: AttrValues,
  timeoutMs: number,
): WriteConfirmation {
  const matches = () => reportsMatch(attrs, known.attrsOf(did));
  const readBack = async () => {
    try {
      await known.readOverRest(did);
    } catch {
      // the caller decides with what is known
    }
    return matches();
  };
  const wait = waits.waitForStatus({
    did,
    matches: (event) => reportsMatch(attrs, event.attrs),
    timeoutMs,
    lastLook: readBack,
  });
  const done = wait.outcome.then((outcome) => {
    if (outcome === 'seen') return known.attrsOf(did);
    if (outcome !== 'timeout') throw outcome;
    throw new GizwitsError({
      code: 'TIMEOUT',
      ...keyed('device.notConfirmed', {
        did,
        names: Object.keys(attrs).join(', '),
        seconds: timeoutMs / 1000,
      }),
    });
  });
  done.catch(() => {}); // the caller may have stopped listening (the write itself failed)
  return {
    done,
    cancel: () => wait.end(new GizwitsError({ code: 'CLOSED', ...keyed('device.writeFailed', { did }) })),
    check: () => {
      if (wait.ended) return;
      void readBack().then((ok) => {
        if (ok) wait.end();
      });
    },
  };
}
