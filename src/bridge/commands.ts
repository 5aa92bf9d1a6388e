// Commands off the broker, which are untrusted: bounded in size, parsed without throwing, refused with
// a catalogue text, and acted on once (docs/mqtt.md, Commands).
import { createHash } from 'node:crypto';
import type { Datapoint } from '../client/datapoints';
import { GizwitsError, keyed } from '../client/errors';

/** No write of a real product comes near this; a larger payload is refused before it is parsed. */
export const COMMAND_MAX_BYTES = 16 * 1024;

function refused(key: string, params: Record<string, string | number> = {}): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', ...keyed(key, params) });
}

/** Text of a payload within the bound, or the refusal. */
function payloadText(payload: Buffer): string {
  if (payload.length > COMMAND_MAX_BYTES)
    throw refused('bridge.command.tooLarge', { bytes: payload.length, max: COMMAND_MAX_BYTES });
  return payload.toString('utf8').trim();
}

/** The values of `<base>/<did>/set`: a JSON object of data points. */
export function setValues(payload: Buffer): unknown {
  const text = payloadText(payload);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refused('bridge.command.notJson');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refused('bridge.command.notObject');
  return value;
}

/**
 * The value of `<base>/<did>/<attr>/set`: an enum's label and binary hex stay text (the label "1" is not
 * the index 1); other values are read as JSON when they parse (`true`, `25`), else as text.
 */
export function attrValue(payload: Buffer, point: Datapoint | undefined): unknown {
  const text = payloadText(payload);
  if (point && (point.dataType === 'enum' || point.dataType === 'binary')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}

/**
 * Commands seen lately, to act on each once: a QoS 1 message can arrive twice (a publisher that
 * resends after a lost acknowledgement), and the same topic and payload again within `windowMs` is
 * taken as that copy. Bounded in count, oldest forgotten first.
 */
export class RecentCommands {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 2_000,
    private readonly max = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time within the window; false for a repeat. */
  first(topic: string, payload: Buffer): boolean {
    const key = createHash('sha1').update(topic).update('\0').update(payload).digest('base64');
    const at = this.now();
    for (const [old, time] of this.seen) {
      if (at - time < this.windowMs && this.seen.size < this.max) break;
      this.seen.delete(old);
    }
    const last = this.seen.get(key);
    if (last !== undefined && at - last < this.windowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, at);
    return true;
  }
}

export { refused as commandRefused };
