// The requests of one LAN connection, one in flight at a time (docs/lan.md §1: the module does not
// reassemble, so a second frame written before the first is answered may be lost). Each request is one
// whole frame, answered by the first frame its `answers` accepts, or given up after its time-out.
import type { LanFrame } from './frame';

export interface LanRequest<T> {
  frame: Buffer;
  /** The answer, or undefined when a frame is not this request's. */
  answers: (frame: LanFrame) => { value: T } | undefined;
  timeoutMs: number;
  /** What the caller gets on time-out; undefined rejects with `onTimeout`'s error. */
  onTimeout: () => { value: T } | Error;
}

interface Queued {
  request: LanRequest<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class LanRequests {
  private readonly queue: Queued[] = [];
  private current: (Queued & { timer: NodeJS.Timeout }) | undefined;

  /** `write` sends one whole frame with a single socket write. */
  constructor(private readonly write: (frame: Buffer) => void) {}

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  send<T>(request: LanRequest<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, resolve: resolve as (value: unknown) => void, reject });
      this.next();
    });
  }

  /** Offers a received frame to the request in flight; true when it was that request's answer. */
  offer(frame: LanFrame): boolean {
    const current = this.current;
    if (!current) return false;
    const answer = current.request.answers(frame);
    if (!answer) return false;
    this.finish(() => current.resolve(answer.value));
    return true;
  }

  /** Ends every request (the connection is gone); nothing more is written. */
  fail(error: () => Error): void {
    const pending = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    if (this.current) clearTimeout(this.current.timer);
    this.current = undefined;
    for (const entry of pending) entry.reject(error());
  }

  private next(): void {
    if (this.current) return;
    const entry = this.queue.shift();
    if (!entry) return;
    const timer = setTimeout(() => {
      const outcome = entry.request.onTimeout();
      this.finish(() => (outcome instanceof Error ? entry.reject(outcome) : entry.resolve(outcome.value)));
    }, entry.request.timeoutMs);
    this.current = { ...entry, timer };
    try {
      this.write(entry.request.frame);
    } catch (error) {
      this.finish(() => entry.reject(error as Error));
    }
  }

  private finish(settle: () => void): void {
    if (this.current) clearTimeout(this.current.timer);
    this.current = undefined;
    settle();
    this.next();
  }
}
