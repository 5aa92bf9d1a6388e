// Optional tuning from Node-RED's settings (`gizwits: {...}` in settings.js), read in one place.
import type { ClientOptions, LanPoolOptions, RegistryOptions } from '../../client';
import type { NodeAPI } from './red';

/** The `gizwits` object of Node-RED's settings, or an empty one. */
export function gizwitsSettings(RED: NodeAPI): Record<string, unknown> {
  return ((RED.settings as unknown as Record<string, unknown>).gizwits ?? {}) as Record<string, unknown>;
}

/**
 * Optional tuning from Node-RED's settings (`gizwits: {pingIntervalMs, reconcileIntervalMs, ...}`), for
 * deployments with unusual needs and for tests; the defaults follow the cloud's own clients.
 */
export function registryTuning(RED: NodeAPI): Omit<RegistryOptions, 'secure'> {
  const tuning = gizwitsSettings(RED);
  const num = (key: string) => (typeof tuning[key] === 'number' ? (tuning[key] as number) : undefined);
  return {
    reconcileIntervalMs: num('reconcileIntervalMs'),
    silentAfterMs: num('silentAfterMs'),
    socket: {
      pingIntervalMs: num('pingIntervalMs'),
      loginTimeoutMs: num('loginTimeoutMs'),
      backoffBaseMs: num('backoffBaseMs'),
      backoffCapMs: num('backoffCapMs'),
      stableMs: num('stableMs'),
    },
  };
}

/**
 * The same settings for the account's budget against a failing cloud (docs/budget.md): the longest
 * pauses between failed logins and while the breaker is open. Shorter pauses mean more requests to a
 * failing cloud; the soak shortens them to see recovery in seconds.
 */
export function budgetTuning(
  RED: NodeAPI,
): Pick<ClientOptions, 'loginBackoffBaseMs' | 'loginBackoffCapMs' | 'budget'> {
  const tuning = gizwitsSettings(RED);
  const num = (key: string) =>
    typeof tuning[key] === 'number' && (tuning[key] as number) > 0 ? (tuning[key] as number) : undefined;
  return {
    loginBackoffBaseMs: num('loginBackoffBaseMs'),
    loginBackoffCapMs: num('loginBackoffCapMs'),
    budget: { openBaseMs: num('breakerBaseMs'), openCapMs: num('breakerCapMs') },
  };
}

/**
 * The LAN links' tuning (docs/lan.md): the devices' TCP port (`lanTcpPort`, 12416 on real modules; the
 * simulator's devices may listen elsewhere), discovery (`lanDiscoveryMs`, `lanRediscoverMs`) and the
 * links' timing (`lanHeartbeatMs`, `lanRequestTimeoutMs`, `lanLoginSettleMs`, `lanReconnectBaseMs`,
 * `lanReconnectCapMs`).
 */
export function lanTuning(RED: NodeAPI): Omit<LanPoolOptions, 'mode' | 'targets'> {
  const tuning = gizwitsSettings(RED);
  const num = (key: string) =>
    typeof tuning[key] === 'number' && (tuning[key] as number) > 0 ? (tuning[key] as number) : undefined;
  return {
    tcpPort: num('lanTcpPort'),
    listenMs: num('lanDiscoveryMs'),
    rediscoverMs: num('lanRediscoverMs'),
    timing: Object.fromEntries(
      (
        [
          ['heartbeatMs', 'lanHeartbeatMs'],
          ['requestTimeoutMs', 'lanRequestTimeoutMs'],
          ['loginSettleMs', 'lanLoginSettleMs'],
          ['reconnectBaseMs', 'lanReconnectBaseMs'],
          ['reconnectCapMs', 'lanReconnectCapMs'],
        ] as const
      )
        .map(([name, key]) => [name, num(key)])
        .filter(([, value]) => value !== undefined),
    ),
  };
}
