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

/** Replaces every known secret in a text with `***`, so that nothing thrown or logged carries one. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
