// A socket's requests waiting for their answer, correlated by req_sn, each with its own timeout; a
// dropped session ends them at once rather than at their timeouts. The reads sent after a (re)login and
// the checks of silent devices are marked, so that their answer counts as known state, not as a live
// change.
import { GizwitsError, keyed, type ErrorText } from './errors';

/** Why a socket's session ended, and the catalogue's key for the requests it ends. */
export type DropReason = 'closed' | 'socket closed' | 'login refused';
const DROP_KEYS: Record<DropReason, string> = {
  closed: 'device.dropped.closed',
  'socket closed': 'device.dropped.socketClosed',
  'login refused': 'device.dropped.loginRefused',
};

/** A marked read: the one after a subscription (`initial`), or a check of a silent device (`check`). */
export type ReadMark = 'initial' | 'check';

interface Pending {
  did: string;
  resolve: () => void;
  reject: (error: GizwitsError) => void;
  timer: NodeJS.Timeout;
}

export class PendingRequests {
  private lastSn = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly marks = new Map<number, ReadMark>();

  /** A new req_sn. */
  nextSn(): number {
    return ++this.lastSn;
  }

  /** A new req_sn for a read whose answer is the state already known, not a live change. */
  nextMarkedRead(mark: ReadMark): number {
    const sn = this.nextSn();
    this.marks.set(sn, mark);
    return sn;
  }

  /** The answer to `sn` came (an s2c_noti naming it): settles it, and says how it was marked, if it was. */
  answer(sn: number): ReadMark | undefined {
    const mark = this.marks.get(sn);
    if (mark) this.marks.delete(sn);
    this.settle(sn);
    return mark;
  }

  /** Resolves when `settle(sn)` comes, rejects after `timeoutMs`. */
  wait(sn: number, cmd: string, did: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(sn);
        this.marks.delete(sn);
        reject(
          new GizwitsError({
            code: 'TIMEOUT',
            ...keyed('device.noAnswer', { command: cmd, did, ms: timeoutMs }),
          }),
        );
      }, timeoutMs);
      this.pending.set(sn, { did, resolve, reject, timer });
    });
  }

  /** The answer to `sn` came (an s2c_ack, or an s2c_noti naming it). */
  settle(sn: number): void {
    const pending = this.pending.get(sn);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(sn);
    pending.resolve();
  }

  /** Ends every request still waiting: no answer will come on this session. `reason`: the catalogue's text of why. */
  rejectAll(reason: ErrorText): void {
    for (const [sn, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new GizwitsError({ code: 'NETWORK', ...keyed('device.requestEnded', { did: pending.did, reason }) }),
      );
      this.pending.delete(sn);
    }
  }

  /** The session ended: none of its requests will be answered, nor its marked reads. */
  endSession(reason: DropReason): void {
    this.marks.clear();
    this.rejectAll({ key: DROP_KEYS[reason] });
  }
}
