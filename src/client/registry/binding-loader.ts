// When the registry's bindings are loaded: one load at a time and in order (an older list never lands
// last), the first load shared by every caller of ready(), and for the followers a load that failed for
// a reason another attempt may cure is tried again with the sockets' reconnect backoff.
import { reconnectDelay } from '../backoff';
import { isPermanentFailure } from '../permanent-failure';

export interface LoadRetry {
  baseMs: number;
  capMs: number;
  random?: () => number;
  /** The session uses a given token: a refusal of it is final (see permanent-failure.ts). */
  tokenGiven: boolean;
}

/** What a load started for the followers tells the registry. */
export interface LoadEvents {
  loaded(): void;
  failed(error: Error): void;
  /** Whether anyone still follows a device: nobody, and a failed load is not tried again. */
  followed(): boolean;
}

export class BindingLoader {
  private loaded: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Why the bindings could not be loaded for the followers; permanent ones are not retried. */
  private failure: { error: Error; permanent: boolean } | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private starting = false;
  private closed = false;

  constructor(
    private readonly fetch: () => Promise<void>,
    private readonly retry: LoadRetry,
  ) {}

  /** The last failure of a load for the followers, until a load succeeds. */
  get lastFailure(): { error: Error; permanent: boolean } | undefined {
    return this.failure;
  }

  /** Loads the bindings once; later calls wait for the same load. */
  ready(): Promise<void> {
    this.loaded ??= this.load().then(
      () => {
        this.failure = undefined;
        this.attempt = 0;
      },
      (error) => {
        this.loaded = undefined;
        throw error;
      },
    );
    return this.loaded;
  }

  /** Loads the bindings again, after any load under way. */
  load(): Promise<void> {
    const run = this.chain.catch(() => {}).then(() => this.fetch());
    this.chain = run;
    return run;
  }

  /** Loads for the followers (once, shared with ready()); a transient failure is retried. */
  start(events: LoadEvents): void {
    if (this.starting || this.closed) return; // the load under way serves every follower
    this.starting = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ready().then(
      () => {
        this.starting = false;
        events.loaded();
      },
      (error: Error) => {
        this.starting = false;
        if (this.closed) return;
        const permanent = isPermanentFailure(error, { tokenGiven: this.retry.tokenGiven });
        this.failure = { error, permanent };
        events.failed(error);
        // Refused credentials stay refused: no retry (the session's cooldown also guards the account).
        if (permanent || !events.followed()) return;
        const { baseMs, capMs, random } = this.retry;
        const delay = reconnectDelay(this.attempt++, baseMs, capMs, random);
        this.retryTimer = setTimeout(() => this.start(events), delay);
      },
    );
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }
}
