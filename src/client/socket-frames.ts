// What the device websocket accepts from the wire: every frame is checked field by field before anything
// acts on it, since with `secure: false` anyone on the network path can write frames. The limits and
// their reasons are in docs/websocket.md.
import type { AttrValues, Json } from './types';

/**
 * The largest frame the socket takes (`maxPayload`). The largest legitimate frames are a noti of a
 * product with many data points (a 64 KiB extension point as a JSON byte array is at most ~256 KiB) and
 * a subscribe answer of one batch (a few KiB): twice the first leaves room, far below ws' 100 MiB.
 */
export const MAX_FRAME_BYTES = 512 * 1024;
/** Data points in one noti: far more than any product has. */
export const MAX_ATTRS = 512;
/** Bytes of one extension data point, and of an `s2c_raw` frame. */
export const MAX_BYTES = 65_536;
/** Characters of a text value (enum labels; hex text of an extension point). */
export const MAX_TEXT = 2 * MAX_BYTES;
/** Entries of either list of one `subscribe_res`: each answers one batch we sent. */
export const MAX_SUBSCRIBE_ENTRIES = 1000;

/** Longest did and data point name taken: a did is 22 characters, a name an identifier. */
const MAX_DID = 32;
const MAX_ATTR_NAME = 64;
/** Names that mean something to every JavaScript object: never taken as data point names. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** The commands the socket acts on; any other is ignored (newer commands), not counted as malformed. */
const KNOWN = new Set([
  'login_res',
  'subscribe_res',
  's2c_noti',
  's2c_ack',
  's2c_raw',
  's2c_online_status',
  's2c_binding_changed',
  's2c_invalid_msg',
  'pong',
]);

export interface SubscribeFailure {
  did: string;
  error_code?: number;
  msg?: string;
}

export type ServerFrame =
  | { cmd: 'login_res'; success: boolean }
  | { cmd: 'subscribe_res'; success: string[]; failed: SubscribeFailure[]; skipped: number }
  | { cmd: 's2c_noti'; did: string; attrs?: AttrValues; reqSn?: number; resSn?: number }
  | { cmd: 's2c_ack'; resSn: number }
  | { cmd: 's2c_raw'; did: string; raw: number[] }
  | { cmd: 's2c_online_status'; did: string; online: boolean; mac?: string; passcode?: string }
  | { cmd: 's2c_binding_changed'; did: string; bind: boolean }
  | { cmd: 's2c_invalid_msg'; code: number; msg: string }
  | { cmd: 'pong' }
  | { cmd: 'other' };

/**
 * A frame not fit to act on. `of` names its command when it is one we know (for the log: never text from
 * the wire), else `unparsable`.
 */
export interface Malformed {
  cmd: 'malformed';
  of: string;
}

/** A frame fit to act on, or a Malformed one: one object per frame, as this runs for every frame. */
export type CheckedFrame = ServerFrame | Malformed;

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The two checks below run for every frame and every value of it: a loop over the character codes, which
// costs a fraction of a regular expression's test on names this short (bench/README.md). Even so, the loop
// over a 22-character did was about 900 instructions a frame, the costliest step of a report after
// JSON.parse; a did or a name is therefore looked up among those already found well-formed first.

/**
 * Texts already found well-formed, so that the next frame with the same did or name costs one lookup
 * instead of a loop over its characters. The lookup computes the did's hash, which the string keeps, and
 * the registry's own lookups of that did reuse it; JSON.parse gives names out as the same string each
 * time, whose lookup is cheaper still. Only texts the check passed are kept, and the set is emptied when
 * full, so that a stream of new dids or names cannot grow it.
 */
class WellFormed {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly check: (text: string) => boolean,
  ) {}

  has(text: string): boolean {
    if (this.seen.has(text)) return true;
    if (!this.check(text)) return false;
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.add(text);
    return true;
  }
}

/** ASCII letter or digit (`[A-Za-z0-9]`); `_` too when `underscore`. */
function isWordCode(code: number, underscore: boolean): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    (underscore && code === 95)
  );
}

// More than the devices of the largest account we plan for (10,000), and than any product's data points.
const WELL_FORMED_DIDS = new WellFormed(20_000, (text) => {
  if (text.length === 0 || text.length > MAX_DID) return false;
  for (let i = 0; i < text.length; i++) if (!isWordCode(text.charCodeAt(i), false)) return false;
  return true;
});
const WELL_FORMED_NAMES = new WellFormed(4_096, (name) => {
  if (name.length === 0 || name.length > MAX_ATTR_NAME) return false;
  const first = name.charCodeAt(0);
  if (first >= 48 && first <= 57) return false; // no leading digit
  for (let i = 0; i < name.length; i++) if (!isWordCode(name.charCodeAt(i), true)) return false;
  return !RESERVED_NAMES.has(name);
});

/** A did as the cloud spells them: 1 to 32 letters and digits. */
export function isDid(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED_DIDS.has(value);
}

/**
 * A data point name: an identifier of at most 64 characters (`[A-Za-z_][A-Za-z0-9_]*`), never one of
 * the names every object has.
 */
export function isAttrName(name: string): boolean {
  return WELL_FORMED_NAMES.has(name);
}

function isSn(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isByte(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;
}

/** Bytes as a JSON array: at most MAX_BYTES whole numbers 0..255. */
export function isByteArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.length <= MAX_BYTES && value.every(isByte);
}

/** A data point value: a boolean, a finite number, a bounded text or a byte array. */
function isAttrValue(value: unknown): value is Json {
  switch (typeof value) {
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'string':
      return value.length <= MAX_TEXT;
    default:
      return isByteArray(value);
  }
}

/**
 * The data point values of a report (the object JSON.parse made for this frame alone, so not copied: this
 * runs for every report), or undefined when any name or value is out of shape (the whole report is then
 * skipped: half a report would pass for the device's state).
 */
export function checkAttrs(value: unknown): AttrValues | undefined {
  if (!isObject(value)) return undefined;
  let count = 0;
  // Only own names: JSON.parse makes plain objects, whose prototype has no enumerable names.
  for (const name in value) {
    if (++count > MAX_ATTRS || !isAttrName(name) || !isAttrValue(value[name])) return undefined;
  }
  return value as AttrValues;
}

/** Optional text: absent, or a string of at most `max` characters. */
function optionalText(value: unknown, max: number): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= max);
}

/** Optional sequence number: absent (or null) is undefined, a whole number ≥ 0 itself, anything else false. */
function optionalSn(value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  return isSn(value) ? value : false;
}

/** Parses and checks one text frame. Never throws. */
export function checkServerFrame(text: string): CheckedFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { cmd: 'malformed', of: 'unparsable' };
  }
  if (!isObject(parsed) || typeof parsed.cmd !== 'string') return { cmd: 'malformed', of: 'unparsable' };
  const cmd = parsed.cmd;
  // Reports first, by comparing the text: nearly every frame is one, and a lookup in KNOWN would hash the
  // command's text anew for each frame (JSON.parse makes a new string of each value).
  if (cmd === 's2c_noti') return checkNoti(parsed) ?? { cmd: 'malformed', of: cmd };
  if (!KNOWN.has(cmd)) return { cmd: 'other' };
  const frame = checkKnown(cmd, parsed);
  return frame ?? { cmd: 'malformed', of: cmd };
}

function checkNoti(frame: JsonObject): ServerFrame | undefined {
  const data = frame.data;
  if (!isObject(data)) return undefined;
  const reqSn = optionalSn(frame.req_sn);
  const resSn = optionalSn(frame.res_sn);
  if (!isDid(data.did) || reqSn === false || resSn === false) return undefined;
  if (data.attrs === undefined) return { cmd: 's2c_noti', did: data.did, reqSn, resSn };
  const attrs = checkAttrs(data.attrs);
  return attrs ? { cmd: 's2c_noti', did: data.did, attrs, reqSn, resSn } : undefined;
}

function checkKnown(cmd: string, frame: JsonObject): ServerFrame | undefined {
  if (cmd === 'pong') return { cmd };
  if (cmd === 's2c_ack') return isSn(frame.res_sn) ? { cmd, resSn: frame.res_sn } : undefined;
  const data = frame.data;
  if (!isObject(data)) return undefined;
  switch (cmd) {
    case 'login_res':
      return typeof data.success === 'boolean' ? { cmd, success: data.success } : undefined;
    case 'subscribe_res':
      return checkSubscribed(data);
    case 's2c_raw': {
      if (typeof data.did !== 'string' || data.did.length > 256 || !isByteArray(data.raw)) return undefined;
      // `<did>/usr...`: the did is what comes before the suffix.
      const did = data.did.split('/', 1)[0];
      return isDid(did) ? { cmd, did, raw: data.raw } : undefined;
    }
    case 's2c_online_status':
      if (!isDid(data.did) || typeof data.online !== 'boolean') return undefined;
      if (!optionalText(data.mac, 64) || !optionalText(data.passcode, 64)) return undefined;
      return { cmd, did: data.did, online: data.online, mac: data.mac, passcode: data.passcode };
    case 's2c_binding_changed':
      return isDid(data.did) && typeof data.bind === 'boolean'
        ? { cmd, did: data.did, bind: data.bind }
        : undefined;
    case 's2c_invalid_msg': {
      const code = data.error_code;
      if (typeof code !== 'number' || !Number.isSafeInteger(code)) return undefined;
      if (data.msg !== undefined && data.msg !== null && typeof data.msg !== 'string') return undefined;
      return { cmd, code, msg: typeof data.msg === 'string' ? data.msg.slice(0, 200) : '' };
    }
    default:
      return undefined;
  }
}

/**
 * A subscribe answer: entries that are not `{did}` objects are skipped one by one (and counted), so that
 * one bad entry does not leave the rest of its batch unsubscribed.
 */
function checkSubscribed(data: JsonObject): ServerFrame | undefined {
  const lists = [data.success ?? [], data.failed ?? []];
  if (!lists.every((list) => Array.isArray(list) && list.length <= MAX_SUBSCRIBE_ENTRIES)) return undefined;
  const [success, failed] = lists as unknown[][];
  let skipped = 0;
  const succeeded: string[] = [];
  for (const entry of success) {
    if (isObject(entry) && isDid(entry.did)) succeeded.push(entry.did);
    else skipped++;
  }
  const failures: SubscribeFailure[] = [];
  for (const entry of failed) {
    if (!isObject(entry) || !isDid(entry.did)) {
      skipped++;
      continue;
    }
    const code = entry.error_code;
    failures.push({
      did: entry.did,
      ...(typeof code === 'number' && Number.isSafeInteger(code) ? { error_code: code } : {}),
      ...(typeof entry.msg === 'string' ? { msg: entry.msg.slice(0, 200) } : {}),
    });
  }
  return { cmd: 'subscribe_res', success: succeeded, failed: failures, skipped };
}

/** The did of an `s2c_raw`, which sometimes carries a suffix (`<22-char did>/usr...`). */
export function cleanDid(did: unknown): string {
  const text = String(did ?? '');
  return text.length > 22 && /^[A-Za-z0-9]{22}\//.test(text) ? text.slice(0, 22) : text;
}
