// What a device socket is made with, its states, and what it emits; the defaults follow the protocol's
// own (a 60 s ping, a 180 s heartbeat announced at login) and docs/websocket.md.
import type { AttrValues } from './types';

export type SocketState = 'connecting' | 'authenticating' | 'online' | 'reconnecting' | 'failed' | 'closed';

export interface SocketCredentials {
  uid: string;
  token: string;
}

export interface DeviceSocketOptions {
  /** e.g. `ws://m2m.gizwits.com:8080/ws/app/v1` */
  url: string;
  appId: string;
  /** The session's uid and token; `fresh` asks for a new login first (after the socket refused one). */
  credentials: (fresh: boolean) => Promise<SocketCredentials>;
  /** The credentials are a uid + token given in the settings: a refusal of that token is final. */
  tokenGiven?: boolean;
  pingIntervalMs?: number;
  heartbeatInterval?: number;
  loginTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A connection up this long resets the reconnect backoff. */
  stableMs?: number;
  subscribeBatch?: number;
  random?: () => number;
  /** At most one warning of each kind per this interval (default a minute). */
  warnIntervalMs?: number;
}

/** The tuning of a socket with every default filled in. */
export type SocketTuning = Required<
  Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials' | 'tokenGiven'>
>;

export function socketTuning(options: DeviceSocketOptions): SocketTuning {
  return {
    pingIntervalMs: options.pingIntervalMs ?? 60_000,
    heartbeatInterval: options.heartbeatInterval ?? 180,
    loginTimeoutMs: options.loginTimeoutMs ?? 15_000,
    backoffBaseMs: options.backoffBaseMs ?? 1_000,
    backoffCapMs: options.backoffCapMs ?? 60_000,
    stableMs: options.stableMs ?? 60_000,
    subscribeBatch: options.subscribeBatch ?? 100,
    random: options.random ?? Math.random,
    warnIntervalMs: options.warnIntervalMs ?? 60_000,
  };
}

export interface NotiEvent {
  did: string;
  attrs: AttrValues;
  /** True when this answers the read sent after (re)login: state known, not a live change. */
  initial: boolean;
  /** True when this answers a check of a silent device (DeviceSocket.check): news only where it differs. */
  check: boolean;
  /** When the frame came (epoch ms), as the heartbeat took it: one clock reading per frame. */
  at: number;
}
