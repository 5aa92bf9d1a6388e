// Identifier shapes the real cloud uses: 24-hex object ids, 32-hex tokens and uids, 22-char dids.
import { randomBytes } from 'node:crypto';

const DID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let objectIdCounter = 0;

/** Like a MongoDB ObjectId: seconds, then randomness, then a counter, so ids sort by creation. */
export function newObjectId(): string {
  objectIdCounter = (objectIdCounter + 1) % 0xffffff;
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(5).toString('hex') + objectIdCounter.toString(16).padStart(6, '0');
}

export function newHex32(): string {
  return randomBytes(16).toString('hex');
}

export function newDid(): string {
  const bytes = randomBytes(22);
  return Array.from(bytes, (byte) => DID_ALPHABET[byte % DID_ALPHABET.length]).join('');
}

export function newPasscode(): string {
  return Array.from(randomBytes(10), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
}

/** UTC without milliseconds, as the document's examples print it: 2017-09-22T09:57:44Z. */
export function utcText(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
