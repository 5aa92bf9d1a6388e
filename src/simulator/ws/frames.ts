// The frames of the device websocket (/ws/app/v1) as docs/websocket.md describes them, the server's error
// frames, and the check of the P0 envelope that `c2s_raw` must carry.
import { errorDefinition } from '../errors';

export const SOCKET_PATH = '/ws/app/v1';

/** The longest heartbeat a client may declare, and what the server assumes when it declares none. */
export const MAX_HEARTBEAT_SECONDS = 180;

/** Attr values as they travel on the socket: booleans, scaled numbers, enum labels, byte arrays. */
export type SocketAttrs = Record<string, boolean | number | string | number[]>;

export type ServerFrame =
  | { cmd: 'login_res'; data: { success: boolean } }
  | { cmd: 'pong' }
  | { cmd: 'subscribe_res'; data: { success: SubscribeOutcome[]; failed: SubscribeOutcome[] } }
  | { cmd: 's2c_noti'; req_sn?: number; res_sn?: number; data: { did: string; attrs: SocketAttrs } }
  | { cmd: 's2c_ack'; res_sn: number; did: string }
  | { cmd: 's2c_raw'; data: { did: string; raw: number[] } }
  | { cmd: 's2c_online_status'; data: { did: string; passcode: string; mac: string; online: boolean } }
  | { cmd: 's2c_binding_changed'; data: { did: string; bind: boolean } }
  | { cmd: 's2c_invalid_msg'; data: { error_code: number; msg: string } };

export interface SubscribeOutcome {
  did: string;
  error_code: number;
  msg: string;
}

/**
 * The socket-level codes seen in real traffic (docs/websocket.md). Gizwits gives no text for 1003; ours says
 * what clients take it for.
 */
export const SESSION_ERRORS = {
  1003: 'Login failed, please login again!',
  1009: 'M2M socket has closed, please login again!',
  1011: 'No heartbeat!',
} as const;

export type SessionErrorCode = keyof typeof SESSION_ERRORS;

export function sessionError(code: SessionErrorCode): ServerFrame {
  return { cmd: 's2c_invalid_msg', data: { error_code: code, msg: SESSION_ERRORS[code] } };
}

/** A request the cloud refuses, with an Open API code (9014, 9015, 9017, 9025, 9042) and its message. */
export function requestError(code: number, detail?: string): ServerFrame {
  const message = errorDefinition(code).message;
  return {
    cmd: 's2c_invalid_msg',
    data: { error_code: code, msg: detail ? `${message} (${detail})` : message },
  };
}

/** Thrown while handling a client frame; the session answers it as `s2c_invalid_msg`. */
export class SocketRequestError extends Error {
  constructor(
    readonly code: number,
    readonly detail?: string,
  ) {
    super(`${code}${detail ? ` ${detail}` : ''}`);
    this.name = 'SocketRequestError';
  }
}

export interface ClientFrame {
  cmd: string;
  req_sn?: unknown;
  res_sn?: unknown;
  did?: unknown;
  data?: unknown;
}

/** Parses one text frame; anything that is not a JSON object with a string `cmd` is refused with 9015. */
export function parseClientFrame(text: string): ClientFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SocketRequestError(9015, 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SocketRequestError(9015, 'frame must be a JSON object');
  const frame = parsed as Record<string, unknown>;
  if (typeof frame.cmd !== 'string') throw new SocketRequestError(9015, 'frame has no cmd');
  return frame as unknown as ClientFrame;
}

/** A sequence number as clients send them: a whole number ≥ 0, or absent. */
export function sequenceNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new SocketRequestError(9015, `${field} must be a whole number`);
  return value;
}

export interface RawEnvelope {
  /** 0x90 (control) or 0x93 (control, the device acknowledges). */
  command: 0x90 | 0x93;
  /** The 4-byte sequence number that follows 0x93, when the frame carries one. */
  sn?: number;
}

/**
 * Checks `[0,0,0,3, varLen (1-4 bytes), 0,0, 0x90|0x93, ...]`. The length is MQTT-style (7 bits a byte,
 * high bit = more) and must count exactly the bytes after it, since a device drops a frame whose length
 * lies; that catches clients that encode it wrong.
 */
export function checkRawEnvelope(raw: unknown): RawEnvelope {
  if (!Array.isArray(raw) || !raw.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255))
    throw new SocketRequestError(9015, 'raw must be an array of bytes (0..255)');
  const bytes = raw as number[];
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0 || bytes[3] !== 3)
    throw new SocketRequestError(9015, 'raw must start with the P0 header 00 00 00 03');
  let length = 0;
  let index = 4;
  for (let multiplier = 1; ; multiplier *= 128) {
    if (index >= bytes.length || index >= 8)
      throw new SocketRequestError(9015, 'raw has a malformed length (at most 4 bytes)');
    const byte = bytes[index++];
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
  }
  if (length !== bytes.length - index)
    throw new SocketRequestError(9015, `raw length says ${length} bytes, ${bytes.length - index} follow`);
  if (bytes[index] !== 0 || bytes[index + 1] !== 0)
    throw new SocketRequestError(9015, 'raw must have the flag bytes 00 00 after the length');
  const command = bytes[index + 2];
  if (command !== 0x90 && command !== 0x93)
    throw new SocketRequestError(9015, 'raw command must be 0x90 or 0x93');
  const snStart = index + 3;
  const sn =
    command === 0x93 && bytes.length >= snStart + 4
      ? Buffer.from(bytes.slice(snStart, snStart + 4)).readUInt32BE(0)
      : undefined;
  return { command, ...(sn === undefined ? {} : { sn }) };
}

/** Builds a P0 frame around a payload (with a correct length), e.g. for tests that send raw frames. */
export function p0Frame(command: number, payload: ReadonlyArray<number>): number[] {
  let remaining = payload.length + 3;
  const length: number[] = [];
  do {
    let byte = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    length.push(byte);
  } while (remaining > 0);
  return [0, 0, 0, 3, ...length, 0, 0, command, ...payload];
}
