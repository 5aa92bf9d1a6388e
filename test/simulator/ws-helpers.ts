// A raw `ws` client for the simulator's device websocket, with a queue of received frames that tests
// wait on, and helpers to log in the fixture users.
import WebSocket from 'ws';
import { SIM_APP_ID, SIM_USERS, SOCKET_PATH, type Simulator, type SocketEndpoint } from '../../src/simulator';
import { login } from './helpers';

// Frames are arbitrary JSON; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = any;

export class TestSocket {
  readonly frames: Frame[] = [];
  closed = false;
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    socket.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Opens a socket; `options` reach `ws` (for wss: the `ca` to trust). */
  static open(url: string, options?: WebSocket.ClientOptions): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new TestSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Removes and answers the first queued frame that matches, waiting for it up to `timeoutMs`. */
  async next(match: string | ((frame: Frame) => boolean), timeoutMs = 2000): Promise<Frame> {
    const test = typeof match === 'string' ? (frame: Frame) => frame.cmd === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(test);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame in ${timeoutMs} ms; queued: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits `ms` and answers the frames that arrived and match, leaving the queue empty of them. */
  async collect(ms: number, match: (frame: Frame) => boolean = () => true): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const matched = this.frames.filter(match);
    for (const frame of matched) this.frames.splice(this.frames.indexOf(frame), 1);
    return matched;
  }

  async waitClosed(timeoutMs = 2000): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`socket still open after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closeCode;
  }

  close(): void {
    if (!this.closed) this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export function socketUrl(sim: Simulator, endpoint: SocketEndpoint = 'main'): string {
  return `ws://127.0.0.1:${endpoint === 'main' ? sim.port : sim.sandboxPort}${SOCKET_PATH}`;
}

/** Opens sockets for one test and terminates whatever is left open afterwards. */
export function useSockets(): {
  open(url: string, options?: WebSocket.ClientOptions): Promise<TestSocket>;
} {
  const opened: TestSocket[] = [];
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.close();
  });
  return {
    async open(url: string, options?: WebSocket.ClientOptions) {
      const socket = await TestSocket.open(url, options);
      opened.push(socket);
      return socket;
    },
  };
}

export interface LoginFields {
  uid: string;
  token: string;
  autoSubscribe?: boolean;
  heartbeatSeconds?: number;
  appid?: string;
}

export function loginFrame(fields: LoginFields): Frame {
  return {
    cmd: 'login_req',
    data: {
      appid: fields.appid ?? SIM_APP_ID,
      uid: fields.uid,
      token: fields.token,
      p0_type: 'attrs_v4',
      heartbeat_interval: fields.heartbeatSeconds ?? 180,
      auto_subscribe: fields.autoSubscribe ?? false,
    },
  };
}

/** Logs a fixture user in over REST, then on `socket`; fails the test unless login_res says success. */
export async function socketLogin(
  sim: Simulator,
  socket: TestSocket,
  user: keyof typeof SIM_USERS = 'demo',
  options: Partial<LoginFields> = {},
): Promise<{ uid: string; token: string }> {
  const token = options.token ?? (await login(sim, user));
  const uid = SIM_USERS[user].uid;
  socket.send(loginFrame({ uid, token, ...options }));
  const answer = await socket.next('login_res');
  if (answer.data?.success !== true) throw new Error(`socket login refused: ${JSON.stringify(answer)}`);
  return { uid, token };
}

export async function subscribe(socket: TestSocket, dids: string[]): Promise<Frame> {
  socket.send({ cmd: 'subscribe_req', data: dids.map((did) => ({ did })) });
  return socket.next('subscribe_res');
}
