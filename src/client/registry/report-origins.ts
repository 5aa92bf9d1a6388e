// Which link last brought news of each device, so that a report arriving over both the LAN and the cloud
// gives one message (docs/lan.md, "Joining the registry"): a write made over the LAN reaches the cloud too,
// and the device reports its new state on both. The first link to deliver a change wins; the same state
// from another link shortly after is the echo, not news.
export type Via = 'lan' | 'websocket' | 'rest';

/** How long after a change its echo over the other link is still taken for the same report. */
export const ECHO_WINDOW_MS = 3000;

export class ReportOrigins {
  private readonly last = new Map<string, { via: Via; at: number }>();

  constructor(private readonly windowMs = ECHO_WINDOW_MS) {}

  /**
   * Whether a report is news: `changed` says whether it changed the known state. A report that changed
   * nothing, over another link than the change it repeats and soon after it, is an echo.
   */
  accept(did: string, via: Via, changed: boolean, at = Date.now()): boolean {
    const previous = this.last.get(did);
    if (changed) {
      this.last.set(did, { via, at });
      return true;
    }
    return !(previous && previous.via !== via && at - previous.at < this.windowMs);
  }

  /**
   * Whether a state read after (re)connecting one link may be older than news another link just brought:
   * the read was answered before that change, and came later. A real change after it comes as a live
   * report on every link, so such a read is left out rather than put the state back.
   */
  staleRead(did: string, via: Via, at = Date.now()): boolean {
    const previous = this.last.get(did);
    return !!previous && previous.via !== via && at - previous.at < this.windowMs;
  }

  forget(did: string): void {
    this.last.delete(did);
  }
}
