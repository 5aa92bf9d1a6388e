// Waiting on live behaviour (messages, sockets, timers) without fixed sleeps where an event can be awaited.
import type { Simulator } from '../../src/simulator';

/** Device socket tuning for the client's tests: quick reconnects, a ping a second, a second to log in. */
export const CLIENT_SOCKET = {
  pingIntervalMs: 1000,
  loginTimeoutMs: 1000,
  backoffBaseMs: 20,
  backoffCapMs: 200,
  stableMs: 300,
};

/** Registry tuning for node tests: quicker pings, longer logins, no background reconciliation. */
export const FAST_SOCKET = {
  ...CLIENT_SOCKET,
  pingIntervalMs: 400,
  loginTimeoutMs: 2000,
  reconcileIntervalMs: 60_000,
};

/** Resolves once `check()` is (or resolves to) true; rejects after `ms` with what `describe()` says. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  describe?: () => string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end)
      throw new Error(`condition not met within ${ms} ms${describe ? `: ${describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A message as flows see it: any shape, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

/** Collects the messages a helper node receives, with ways to wait for more. */
export function collect(node: { on(event: 'input', cb: (msg: Msg) => void): void }) {
  const all: Msg[] = [];
  let read = 0;
  node.on('input', (msg) => all.push(msg));
  return {
    all,
    /** Waits until the whole list satisfies `check`, and marks it all read. */
    async until(check: (all: Msg[]) => boolean, ms = 5000): Promise<Msg[]> {
      await waitFor(
        () => check(all),
        ms,
        () => `${all.length} messages: ${JSON.stringify(all.slice(-3))}`,
      );
      read = all.length;
      return all.slice();
    },
    /** The next unread message that matches (default any), marking everything up to it read. */
    async next(match: (msg: Msg) => boolean = () => true, ms = 5000): Promise<[Msg]> {
      let found = -1;
      await waitFor(
        () => {
          for (let i = read; i < all.length; i++)
            if (match(all[i])) {
              found = i;
              return true;
            }
          return false;
        },
        ms,
        () => `${all.length - read} unread: ${JSON.stringify(all.slice(read).slice(-3))}`,
      );
      read = found + 1;
      return [all[found]];
    },
    /** Waits until no message has come for `ms`. */
    async quiet(ms: number): Promise<void> {
      let count = -1;
      while (count !== all.length) {
        count = all.length;
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    },
  };
}

/** The simulated device as the simulator holds it (GET /_sim/devices/{did}). */
export async function deviceState(sim: Simulator, did: string): Promise<Msg> {
  const answer = await fetch(`${sim.url}/_sim/devices/${did}`);
  if (!answer.ok) throw new Error(`GET /_sim/devices/${did}: HTTP ${answer.status}`);
  return (await answer.json()) as Msg;
}

/** Active timers of this process (setTimeout/setInterval handles that keep it alive). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** Open TCP handles of this process (client and server sides of loopback connections). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
}
