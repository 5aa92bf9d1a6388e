// Bindings as `GET /app/bindings` answers them are as untrusted as websocket frames: each names the host
// and ports of the device's websocket, so a bad one must neither crash the client nor steer the socket
// anywhere but a `ws`/`wss` URL of a host name or IP literal and a valid port (docs/websocket.md).
import { isIP } from 'node:net';
import { isDid } from './socket-frames';
import type { Binding } from './types';

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PRODUCT_KEY = /^[A-Za-z0-9]{1,64}$/;

/** The binding field that makes a websocket address unusable. */
export type EndpointField = 'host' | 'ws_port' | 'wss_port';

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * The binding with every field the registry uses checked: undefined when its did or product key is
 * unusable (nothing can be done with such a device); host and ports are checked by `socketEndpoint`.
 */
export function checkBinding(value: unknown): Binding | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  if (!isDid(entry.did)) return undefined;
  if (typeof entry.product_key !== 'string' || !PRODUCT_KEY.test(entry.product_key)) return undefined;
  return {
    did: entry.did,
    product_key: entry.product_key,
    mac: text(entry.mac, 64),
    is_online: entry.is_online === true,
    host: typeof entry.host === 'string' ? entry.host : '',
    ws_port: entry.ws_port as number,
    wss_port: entry.wss_port as number,
    is_disabled: entry.is_disabled === true,
    ...(typeof entry.dev_alias === 'string' ? { dev_alias: text(entry.dev_alias, 256) } : {}),
    ...(typeof entry.remark === 'string' ? { remark: text(entry.remark, 1024) } : {}),
  };
}

/** A host name or an IP literal (IPv6 with or without brackets), as it goes into a URL; else undefined. */
export function urlHost(host: unknown): string | undefined {
  if (typeof host !== 'string') return undefined;
  // Brackets only ever enclose an IPv6 literal.
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return isIP(inner) === 6 ? host : undefined;
  }
  if (isIP(host) === 6) return `[${host}]`;
  return isIP(host) === 4 || HOST_NAME.test(host) ? host : undefined;
}

/** A TCP port 1..65535, given as a number or as decimal digits; else undefined. */
export function tcpPort(port: unknown): number | undefined {
  const value = typeof port === 'string' && /^\d{1,5}$/.test(port) ? Number(port) : port;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535
    ? value
    : undefined;
}

/** The device's websocket URL, or the binding field that makes it unusable. */
export function socketEndpoint(
  binding: Pick<Binding, 'host' | 'ws_port' | 'wss_port'>,
  secure: boolean,
): { url: string } | { field: EndpointField } {
  const host = urlHost(binding.host);
  if (!host) return { field: 'host' };
  const port = tcpPort(secure ? binding.wss_port : binding.ws_port);
  if (!port) return { field: secure ? 'wss_port' : 'ws_port' };
  return { url: `${secure ? 'wss' : 'ws'}://${host}:${port}/ws/app/v1` };
}

/**
 * Whether a URL is one the device socket may open: `ws:` or `wss:`, a host name or IP literal, a valid
 * port, no user info. Never throws.
 */
export function isSocketUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return false;
  if (parsed.username || parsed.password || urlHost(parsed.hostname) === undefined) return false;
  return parsed.port === '' || tcpPort(parsed.port) !== undefined;
}
