// A socket's heartbeat: a ping every interval, and a watchdog that ends the connection once nothing at all
// has been heard for two ping periods, counted from the last frame (checking only at ping time would let
// a dead link live up to a third period).
export class Heartbeat {
  private lastFrameAt = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly ping: () => void,
    /** Nothing was heard for too long: end the connection. */
    private readonly silent: () => void,
  ) {}

  /** A frame came (or the connection opened): the link is alive now. */
  heard(at = Date.now()): void {
    this.lastFrameAt = at;
  }

  start(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(this.ping, this.intervalMs);
    this.watch();
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.watchdogTimer);
    this.pingTimer = undefined;
    this.watchdogTimer = undefined;
  }

  private watch(): void {
    clearTimeout(this.watchdogTimer);
    const limit = 2 * this.intervalMs;
    const silentFor = Date.now() - this.lastFrameAt;
    if (silentFor >= limit) {
      this.watchdogTimer = undefined;
      this.silent();
      return;
    }
    this.watchdogTimer = setTimeout(() => this.watch(), limit - silentFor);
  }
}
