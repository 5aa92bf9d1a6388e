// What a LAN link is given and what it tells (docs/lan.md §3); the link itself is in link.ts.
import type { GizwitsError } from '../errors';
import type { P0Value } from './p0';
import type { P0Layout } from './p0-layout';

export const LAN_TCP_PORT = 12416;

/** docs/lan.md §3: ping every 4 s (silence for two periods ends the link), 3 s per request, 200 ms after login. */
export const LAN_TIMING = {
  heartbeatMs: 4000,
  connectTimeoutMs: 3000,
  requestTimeoutMs: 3000,
  loginSettleMs: 200,
  reconnectBaseMs: 2000,
  reconnectCapMs: 128_000,
};

export interface LanLinkOptions {
  did: string;
  host: string;
  port?: number;
  passcode: string;
  layout: P0Layout;
  timing?: Partial<typeof LAN_TIMING>;
  /** Where the device is now (a discovery by did), asked before each reconnect; undefined keeps the address. */
  locate?: () => Promise<string | undefined>;
  random?: () => number;
}

export type LanLinkState = 'idle' | 'connecting' | 'online' | 'waiting' | 'refused' | 'closed';

export interface LanReport {
  did: string;
  /** `3` answers a read, `4` is a report the device sent on its own. */
  action: 0x03 | 0x04;
  values: Record<string, P0Value>;
  /** The state read right after a (re)connect, not a live change. */
  initial: boolean;
}

export interface LanLinkEvents {
  state: [LanLinkState];
  report: [LanReport];
  transparent: [{ did: string; bytes: number[] }];
  /** The device refused the passcode: the link stays down until `setPasscode`. */
  refused: [GizwitsError];
  /** Something that ended a connection (a malformed frame, silence), for a warning. */
  problem: [GizwitsError];
}
