// Waiting for a device's next status (a read's answer, a write's confirmation): one way to wait, with a
// timeout each, that the registry's close() ends for every waiter at once.
import type { EventEmitter } from 'node:events';
import type { GizwitsError } from '../errors';
import type { StatusEvent } from './types';

export interface StatusWaitOptions {
  did: string;
  /** Which of the device's statuses ends the wait (default: any). */
  matches?: (event: StatusEvent) => boolean;
  timeoutMs: number;
  /** At the timeout, one last look (a REST read): true ends the wait as if the status had come. */
  lastLook?: () => Promise<boolean>;
}

/** `seen`: the status came (or the wait was ended without an error); else the timeout or the error. */
export type WaitOutcome = 'seen' | 'timeout' | GizwitsError;

export interface StatusWait {
  outcome: Promise<WaitOutcome>;
  /** Ends the wait now: as seen, or with `error`. Later calls do nothing. */
  end(error?: GizwitsError): void;
  readonly ended: boolean;
}

export class StatusWaits {
  private readonly waits = new Set<(error: GizwitsError) => void>();

  /** `source` emits the registry's 'status' events. */
  constructor(private readonly source: EventEmitter) {}

  waitForStatus(options: StatusWaitOptions): StatusWait {
    const { did, matches = () => true, timeoutMs, lastLook } = options;
    let ended = false;
    let resolve: (outcome: WaitOutcome) => void = () => {};
    const outcome = new Promise<WaitOutcome>((settle) => (resolve = settle));
    const finish = (result: WaitOutcome) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.source.off('status', onStatus);
      this.waits.delete(finish);
      resolve(result);
    };
    const onStatus = (event: StatusEvent) => {
      if (event.did === did && matches(event)) finish('seen');
    };
    // Still listening during the last look: a status that comes meanwhile ends the wait as well.
    const timer = setTimeout(async () => {
      const seen = lastLook ? await lastLook().catch(() => false) : false;
      finish(seen ? 'seen' : 'timeout');
    }, timeoutMs);
    this.source.on('status', onStatus);
    this.waits.add(finish);
    return {
      outcome,
      end: (error) => finish(error ?? 'seen'),
      get ended() {
        return ended;
      },
    };
  }

  /** Ends every wait with `error` (the registry closes). */
  endAll(error: GizwitsError): void {
    for (const end of [...this.waits]) end(error);
  }
}
