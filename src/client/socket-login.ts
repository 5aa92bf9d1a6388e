// How a device socket logs in, and when it tries again on the same connection rather than reconnecting:
// a refused login once more with a fresh token, a session that died once more (again once it had been
// stable), so that a login refused for good, or a session that dies right after each login, never loops
// without the reconnect backoff.
import type { SocketCredentials } from './socket-options';

/** The login_req frame: attrs_v4 reports, our heartbeat, and no automatic subscription. */
export function loginFrame(
  appId: string,
  credentials: SocketCredentials,
  heartbeatInterval: number,
): Record<string, unknown> {
  return {
    cmd: 'login_req',
    data: {
      appid: appId,
      uid: credentials.uid,
      token: credentials.token,
      p0_type: 'attrs_v4',
      heartbeat_interval: heartbeatInterval,
      auto_subscribe: false,
    },
  };
}

export class LoginRetries {
  private freshTried = false;
  private reloginTried = false;

  /** A new connection: its session may be logged in again once. */
  connected(): void {
    this.reloginTried = false;
  }

  accepted(): void {
    this.freshTried = false;
  }

  /** login_res refused the token: try once with a fresh one (true), else give up (false). */
  retryRefused(): boolean {
    if (this.freshTried) return false;
    this.freshTried = true;
    return true;
  }

  /** The session died on an open socket: log in again on it (true), or reconnect (false). */
  retryDeadSession(stable: boolean): boolean {
    if (this.reloginTried && !stable) return false;
    this.reloginTried = true;
    return true;
  }
}
