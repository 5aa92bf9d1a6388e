// The registry's websockets: one per cloud endpoint that a followed device is reached through, opened
// when a device there is first wanted and closed when none is. The sockets log in with the account's
// session and hand everything they hear to the registry.
import type { GizwitsClient } from '../client';
import { DeviceSocket } from '../device-socket';
import type { GizwitsError } from '../errors';
import type { NotiEvent, SocketState } from '../socket-options';
import type { SkippedKind } from '../socket-skips';
import type { RegistryOptions } from './types';

/** What the pool's sockets tell the registry. */
export interface SocketEvents {
  state(): void;
  skipped(kind: SkippedKind): void;
  warning(warning: GizwitsError): void;
  noti(event: NotiEvent): void;
  online(did: string, online: boolean): void;
  raw(event: { did: string; raw: number[] }): void;
  bindingChanged(): void;
  /** `again`: a login after a drop, when devices may have changed while nobody listened. */
  login(url: string, again: boolean): void;
}

export class SocketPool {
  private readonly sockets = new Map<string, DeviceSocket>();

  constructor(
    private readonly client: GizwitsClient,
    private readonly options: RegistryOptions['socket'],
    private readonly events: SocketEvents,
  ) {}

  get(url: string | undefined): DeviceSocket | undefined {
    return url === undefined ? undefined : this.sockets.get(url);
  }

  /** The worst state of the sockets in use; undefined when none is. */
  get state(): SocketState | undefined {
    const states = [...this.sockets.values()].map((s) => s.state);
    for (const s of ['failed', 'reconnecting', 'connecting', 'authenticating'] as const)
      if (states.includes(s)) return s;
    return states.length ? 'online' : undefined;
  }

  /** Why a socket failed, when one did. */
  get error(): Error | undefined {
    return [...this.sockets.values()].find((s) => s.state === 'failed')?.error;
  }

  /** Keeps one socket per endpoint of `byEndpoint`, each subscribed to its devices; closes the rest. */
  follow(byEndpoint: Map<string, string[]>): void {
    for (const [url, socket] of this.sockets) {
      if (!byEndpoint.has(url)) {
        socket.close();
        this.sockets.delete(url);
      }
    }
    for (const [url, dids] of byEndpoint) {
      let socket = this.sockets.get(url);
      if (!socket) {
        socket = this.open(url);
        this.sockets.set(url, socket);
      }
      socket.setWanted(dids);
    }
  }

  close(): void {
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }

  private open(url: string): DeviceSocket {
    const session = this.client.session;
    const socket = new DeviceSocket({
      ...this.options,
      url,
      appId: this.client.appId,
      tokenGiven: session.mode === 'token',
      credentials: async (fresh) => {
        if (fresh) {
          const known = session.known;
          if (known) session.invalidate(known.token);
        }
        const token = await session.token();
        return { uid: token.uid, token: token.token };
      },
    });
    const events = this.events;
    socket.on('state', () => events.state());
    socket.on('skipped', (kind: SkippedKind) => events.skipped(kind));
    socket.on('warning', (warning: GizwitsError) => events.warning(warning));
    socket.on('noti', (event: NotiEvent) => events.noti(event));
    socket.on('online', (event: { did: string; online: boolean }) => events.online(event.did, event.online));
    socket.on('raw', (event: { did: string; raw: number[] }) => events.raw(event));
    socket.on('binding', () => events.bindingChanged());
    let loggedIn = false;
    socket.on('login', () => {
      const again = loggedIn;
      loggedIn = true;
      events.login(url, again);
    });
    return socket;
  }
}
