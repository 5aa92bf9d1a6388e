// Frames of the LAN protocol (docs/lan.md §1): `00 00 00 03`, a 1–4 byte length, a flag, a 16-bit
// command and the payload. The reader splits and joins frames across TCP reads; every length it meets
// comes off the wire, so it is checked before use and never sizes an allocation.
import type { ErrorText } from '../messages';

export const LAN_PREFIX = [0, 0, 0, 3] as const;
/** Largest declared length accepted: a real status is under 1 KiB (docs/lan.md §1). */
export const MAX_FRAME_LENGTH = 64 * 1024;
/** Largest frame a module reads at once; a client never sends more. */
export const MAX_SENT_FRAME = 1024;

export const LAN_CMD = {
  discover: 0x03,
  discoverReply: 0x04,
  passcode: 0x06,
  passcodeReply: 0x07,
  login: 0x08,
  loginReply: 0x09,
  info: 0x13,
  infoReply: 0x14,
  ping: 0x15,
  pong: 0x16,
  send: 0x90,
  receive: 0x91,
  sendNumbered: 0x93,
  receiveNumbered: 0x94,
} as const;

export interface LanFrame {
  flag: number;
  cmd: number;
  payload: Buffer;
}

/** The length field: 7 bits a byte, least significant first, the top bit on all but the last. */
export function encodeLength(length: number): number[] {
  const out: number[] = [];
  let rest = length;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}

/** A length field at `offset`: its value and size, `incomplete` if more bytes are needed, `invalid` past 4. */
export function decodeLength(
  bytes: ArrayLike<number>,
  offset: number,
): { value: number; size: number } | 'incomplete' | 'invalid' {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= bytes.length) return 'incomplete';
    const byte = bytes[offset + i];
    value += (byte & 0x7f) * 128 ** i;
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  return 'invalid';
}

/** One whole frame, to be written with a single `write()`. */
export function buildFrame(cmd: number, payload: Uint8Array = Buffer.alloc(0), flag = 0): Buffer {
  const length = encodeLength(payload.length + 3);
  return Buffer.concat([Buffer.from([...LAN_PREFIX, ...length, flag, cmd >> 8, cmd & 0xff]), payload]);
}

function hasPrefix(bytes: Uint8Array): boolean {
  return LAN_PREFIX.every((byte, i) => i >= bytes.length || bytes[i] === byte);
}

const frameText = (key: string, params?: Record<string, number>): ErrorText => ({
  key: `lan.frame.${key}`,
  params,
});

/**
 * Splits a TCP byte stream into frames. `push` returns the frames completed by a chunk, or the problem
 * that ends the stream (there is no marker to resynchronise on, so the caller closes the connection).
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private failed: ErrorText | undefined;

  push(chunk: Uint8Array): { frames: LanFrame[]; problem?: ErrorText } {
    const frames: LanFrame[] = [];
    if (this.failed) return { frames, problem: this.failed };
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : Buffer.from(chunk);
    for (;;) {
      const cut = this.cut();
      if (cut === undefined) break;
      if ('key' in cut) {
        this.failed = cut;
        this.buffered = Buffer.alloc(0);
        return { frames, problem: cut };
      }
      frames.push(cut);
    }
    return { frames };
  }

  /** Bytes held for a frame not yet complete (bounded by MAX_FRAME_LENGTH plus a header). */
  get pending(): number {
    return this.buffered.length;
  }

  private cut(): LanFrame | ErrorText | undefined {
    const bytes = this.buffered;
    if (!hasPrefix(bytes)) return frameText('badPrefix');
    const length = decodeLength(bytes, LAN_PREFIX.length);
    if (length === 'incomplete') return undefined;
    if (length === 'invalid') return frameText('badLength');
    if (length.value < 3) return frameText('tooShort', { length: length.value });
    if (length.value > MAX_FRAME_LENGTH)
      return frameText('tooLong', { length: length.value, limit: MAX_FRAME_LENGTH });
    const start = LAN_PREFIX.length + length.size;
    const end = start + length.value;
    if (bytes.length < end) return undefined;
    const frame = {
      flag: bytes[start],
      cmd: bytes.readUInt16BE(start + 1),
      // A copy, so that a retained payload does not keep the whole receive buffer alive.
      payload: Buffer.from(bytes.subarray(start + 3, end)),
    };
    this.buffered = bytes.subarray(end);
    return frame;
  }
}

/**
 * The one frame of a UDP datagram, or undefined. Modules write a discovery reply's length as one byte
 * whatever its size, so when the declared length disagrees with the datagram the rest is taken.
 */
export function readDatagram(datagram: Uint8Array): LanFrame | undefined {
  if (datagram.length < LAN_PREFIX.length + 4 || !hasPrefix(datagram)) return undefined;
  const length = decodeLength(datagram, LAN_PREFIX.length);
  const fits =
    typeof length === 'object' && LAN_PREFIX.length + length.size + length.value === datagram.length;
  const start = LAN_PREFIX.length + (fits ? length.size : 1);
  if (datagram.length < start + 3) return undefined;
  const rest = Buffer.from(datagram.subarray(start));
  return { flag: rest[0], cmd: rest.readUInt16BE(1), payload: rest.subarray(3) };
}
