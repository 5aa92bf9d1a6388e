import { createHash } from 'node:crypto';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** `X-Gizwits-Signature` for signed calls: lower(md5(product_secret + timestamp)). */
export function productSignature(productSecret: string, timestamp: string): string {
  return md5Hex(productSecret + timestamp);
}

/** `X-Gizwits-Application-Auth` for `POST /app/request_token`: md5(appid + appsecret). */
export function applicationAuth(appId: string, appSecret: string): string {
  return md5Hex(appId + appSecret);
}

/**
 * Replaces every known secret in a text with `***`, so that nothing thrown or logged carries one. This is
 * the one redactor of the package: secrets of any length, the longest first so that a secret inside
 * another cannot leave part of the longer one behind.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  const known = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s !== ''))];
  known.sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of known) out = out.split(secret).join('***');
  return out;
}

/**
 * A value (an error's detail: text, numbers, arrays, plain objects from a parsed answer) with every
 * secret taken out of its strings. Answers the same value when nothing changed. Depth is bounded: what
 * lies deeper than a JSON error detail ever goes is dropped rather than walked.
 */
export function redactValue(value: unknown, secrets: Iterable<string | undefined>, depth = 0): unknown {
  const list = [...secrets];
  if (typeof value === 'string') return redact(value, list);
  if (!value || typeof value !== 'object') return value;
  if (depth >= 8) return '[…]';
  if (Array.isArray(value)) {
    const items = value.map((item) => redactValue(item, list, depth + 1));
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const cleanKey = redact(key, list);
    const clean = redactValue(item, list, depth + 1);
    if (clean !== item || cleanKey !== key) changed = true;
    // defineProperty: a key named __proto__ stays an own property instead of setting the prototype.
    Object.defineProperty(out, cleanKey, {
      value: clean,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return changed ? out : value;
}
