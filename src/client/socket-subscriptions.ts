// Which devices a socket keeps subscribed. The wanted set outlives each connection and is replayed after
// every login (auto_subscribe is off); a device counts as subscribed once the cloud confirms it on the
// current session.
export class Subscriptions {
  private readonly wanted = new Set<string>();
  private readonly confirmed = new Set<string>();

  /** Sets the wanted devices; answers the ones added. */
  want(dids: Iterable<string>): string[] {
    const next = new Set(dids);
    for (const did of [...this.wanted]) if (!next.has(did)) this.wanted.delete(did);
    const added = [...next].filter((did) => !this.wanted.has(did));
    for (const did of added) this.wanted.add(did);
    return added;
  }

  /** The subscribe_req frames for `dids` (every wanted device by default), `batch` devices each. */
  requestFrames(batch: number, dids: string[] = [...this.wanted]): Array<Record<string, unknown>> {
    const frames = [];
    for (let i = 0; i < dids.length; i += batch)
      frames.push({ cmd: 'subscribe_req', data: dids.slice(i, i + batch).map((did) => ({ did })) });
    return frames;
  }

  /** The cloud confirmed `success`: answers those still wanted, now subscribed. */
  confirm(success: string[]): string[] {
    const taken = success.filter((did) => this.wanted.has(did));
    for (const did of taken) this.confirmed.add(did);
    return taken;
  }

  isConfirmed(did: string): boolean {
    return this.confirmed.has(did);
  }

  /** A new session (or none): nothing is subscribed on it yet. */
  reset(): void {
    this.confirmed.clear();
  }
}
