// At most one warning per kind per interval: the first at once, then one at the end of the interval
// with the count of what happened since. A flood of bad frames costs a line a minute, not a full disk.

export class WarningGate<Kind extends string> {
  private readonly lastAt = new Map<Kind, number>();
  private readonly pending = new Map<Kind, number>();
  private readonly timers = new Map<Kind, NodeJS.Timeout>();

  /** `warn(kind, count)` says that `count` events of that kind happened since the last warning. */
  constructor(
    private readonly warn: (kind: Kind, count: number) => void,
    private readonly intervalMs = 60_000,
  ) {}

  note(kind: Kind): void {
    const since = Date.now() - (this.lastAt.get(kind) ?? -Infinity);
    this.pending.set(kind, (this.pending.get(kind) ?? 0) + 1);
    if (since >= this.intervalMs) return this.flush(kind);
    if (this.timers.has(kind)) return;
    const timer = setTimeout(() => this.flush(kind), this.intervalMs - since);
    timer.unref();
    this.timers.set(kind, timer);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }

  private flush(kind: Kind): void {
    clearTimeout(this.timers.get(kind));
    this.timers.delete(kind);
    const count = this.pending.get(kind) ?? 0;
    this.pending.delete(kind);
    if (count === 0) return;
    this.lastAt.set(kind, Date.now());
    this.warn(kind, count);
  }
}
