// Raw (transparent) frames, as `c2s_raw` and the REST API's `raw` carry them (docs/lan.md §1):
// [0,0,0,3, varLen(1-4 bytes), flag 0, command 0x00 0x90|0x93, payload...]
import { refusedWrite } from './datapoints';
import { decodeLength, encodeLength } from './lan/frame';

/** The length field, or undefined when it is unfinished or longer than 4 bytes. */
function decodeVarLen(bytes: number[], offset: number): { value: number; size: number } | undefined {
  const length = decodeLength(bytes, offset);
  return typeof length === 'object' ? length : undefined;
}

/**
 * The frame for `c2s_raw`: bytes that already start with the `0,0,0,3` header are checked (length and
 * command 0x90/0x93); other bytes are taken as the payload and wrapped.
 */
export function rawFrame(bytes: number[], did?: string): number[] {
  if (!bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    throw refusedWrite(did, 'raw.notBytes', {});
  if (bytes.length === 0) throw refusedWrite(did, 'raw.empty', {});
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 3) {
    const length = decodeVarLen(bytes, 4);
    if (!length) throw refusedWrite(did, 'raw.badLength', {});
    const body = bytes.length - 4 - length.size;
    if (length.value !== body) {
      throw refusedWrite(did, 'raw.lengthMismatch', { declared: length.value, actual: body });
    }
    const command = bytes[4 + length.size + 2];
    if (
      bytes[4 + length.size] !== 0 ||
      bytes[4 + length.size + 1] !== 0 ||
      (command !== 0x90 && command !== 0x93)
    ) {
      throw refusedWrite(did, 'raw.badCommand', {});
    }
    return bytes;
  }
  return [0, 0, 0, 3, ...encodeLength(bytes.length + 3), 0, 0, 0x90, ...bytes];
}

/** Whether a frame built by {@link rawFrame} asks the device for an acknowledgement (command 0x93). */
export function rawFrameWantsAck(frame: number[]): boolean {
  const length = decodeVarLen(frame, 4);
  return !!length && frame[4 + length.size + 2] === 0x93;
}

/** The payload of a frame (what the REST API's `raw` takes), or the bytes themselves if not a frame. */
export function rawPayload(bytes: number[]): number[] {
  if (!(bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 3)) return bytes;
  const length = decodeVarLen(bytes, 4);
  return length ? bytes.slice(4 + length.size + 3) : bytes;
}
