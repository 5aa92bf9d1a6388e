// The simulated module's side of the LAN frames (docs/lan.md §1), written apart from the client's: the
// prefix 00 00 00 03, a 1-4 byte length (7 bits a byte, low group first), one flag byte, a 16-bit command.

const PREFIX = Buffer.from([0, 0, 0, 3]);
/** A module never reads more than this at once; the simulator refuses longer frames. */
export const MODULE_BUFFER = 1024;

export interface WireFrame {
  cmd: number;
  flag: number;
  body: Buffer;
}

export function frame(cmd: number, body: Buffer = Buffer.alloc(0), flag = 0): Buffer {
  const lengthBytes: number[] = [];
  let length = body.length + 3;
  for (;;) {
    const low = length & 0x7f;
    length >>>= 7;
    lengthBytes.push(length ? low | 0x80 : low);
    if (!length) break;
  }
  return Buffer.concat([PREFIX, Buffer.from(lengthBytes), Buffer.from([flag, cmd >> 8, cmd & 0xff]), body]);
}

type Cut = { frame: WireFrame; used: number } | 'more' | 'broken';

function cut(bytes: Buffer): Cut {
  for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== PREFIX[i]) return 'broken';
  let length = 0;
  let at = 4;
  for (let shift = 0; ; shift += 7) {
    if (at >= bytes.length) return 'more';
    if (at === 8) return 'broken';
    length |= (bytes[at] & 0x7f) << shift;
    if (!(bytes[at++] & 0x80)) break;
  }
  if (length < 3 || length > MODULE_BUFFER) return 'broken';
  if (bytes.length < at + length) return 'more';
  return {
    frame: {
      flag: bytes[at],
      cmd: bytes.readUInt16BE(at + 1),
      body: Buffer.from(bytes.subarray(at + 3, at + length)),
    },
    used: at + length,
  };
}

/**
 * Reassembles a client's stream. With `strict`, a chunk must hold exactly one whole frame, as the real
 * firmware assumes (one recv() is one frame): anything else is refused, to catch clients that pipeline.
 */
export class StreamCutter {
  private held = Buffer.alloc(0);

  constructor(private readonly strict: boolean) {}

  feed(chunk: Buffer): WireFrame[] | 'broken' {
    if (this.strict) {
      const whole = cut(chunk);
      return typeof whole === 'object' && whole.used === chunk.length ? [whole.frame] : 'broken';
    }
    this.held = Buffer.concat([this.held, chunk]);
    const frames: WireFrame[] = [];
    for (;;) {
      const next = cut(this.held);
      if (next === 'broken') return 'broken';
      if (next === 'more') return frames;
      frames.push(next.frame);
      this.held = this.held.subarray(next.used);
    }
  }
}

/** A u16 length and the bytes. */
export function sized(bytes: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
