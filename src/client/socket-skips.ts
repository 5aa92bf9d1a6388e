// What a socket skipped (malformed frames, oversized frames, frames whose handling failed): counted, and
// warned about at most once per kind per interval (docs/websocket.md, Logs), never with text from the wire.
import { GizwitsError, keyed } from './errors';
import { MAX_FRAME_BYTES } from './socket-frames';
import { WarningGate } from './warning-gate';

export type SkippedKind = 'frames' | 'oversized' | 'internal';
export type SkippedCounts = Record<SkippedKind, number>;

/** Whom the counter tells; a listener that throws loses its event, nothing more. */
export interface SkipListener {
  /** Whether anyone still listens (the socket is not closed). */
  listening(): boolean;
  skipped(kind: SkippedKind): void;
  warning(warning: GizwitsError): void;
}

export class SkippedFrames {
  private readonly counts: SkippedCounts = { frames: 0, oversized: 0, internal: 0 };
  /** The command of the last malformed frame, for the warning (never text from the wire). */
  private lastBadCmd = '';
  private readonly warnings: WarningGate<SkippedKind>;

  constructor(
    private readonly url: string,
    warnIntervalMs: number | undefined,
    private readonly listener: SkipListener,
  ) {
    this.warnings = new WarningGate((kind, count) => this.warn(kind, count), warnIntervalMs);
  }

  /** How many frames were skipped so far, by why. */
  get skipped(): SkippedCounts {
    return { ...this.counts };
  }

  /** Counts one skipped frame; `cmd` names the command of a malformed one when it is a known one. */
  skip(kind: SkippedKind, cmd?: string): void {
    this.counts[kind]++;
    if (cmd) this.lastBadCmd = cmd;
    if (!this.listener.listening()) return;
    try {
      this.listener.skipped(kind);
    } catch {
      // a listener's fault is not the frame's: counted above already
    }
    this.warnings.note(kind);
  }

  close(): void {
    this.warnings.close();
  }

  private warn(kind: SkippedKind, count: number): void {
    const url = this.url;
    const texts: Record<SkippedKind, ReturnType<typeof keyed>> = {
      frames: keyed('device.skipped.frames', { url, count, cmd: this.lastBadCmd }),
      oversized: keyed('device.skipped.oversized', { url, count, limit: MAX_FRAME_BYTES }),
      internal: keyed('device.skipped.internal', { url, count }),
    };
    try {
      this.listener.warning(new GizwitsError({ code: 'BAD_RESPONSE', ...texts[kind] }));
    } catch {
      // a warning listener that throws loses its warning, nothing more
    }
  }
}
