// Talks to a real simulator over loopback HTTP, the way any client would.
import assert from 'node:assert/strict';
import {
  SIM_APP_ID,
  SIM_USERS,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';

export interface ApiAnswer {
  status: number;
  // Answers are arbitrary JSON; tests assert on their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  contentType: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  appId?: string | null;
  headers?: Record<string, string>;
}

/** Starts one simulator per suite (no drift unless asked) and closes it afterwards. */
export function useSimulator(options: SimulatorOptions = {}): { readonly sim: Simulator } {
  let started: Simulator | undefined;
  before(async () => {
    started = await startSimulator({ port: 0, driftIntervalMs: 0, ...options });
  });
  afterEach(() => started?.faults.reset());
  after(async () => {
    await started?.close();
  });
  return {
    get sim(): Simulator {
      if (!started) throw new Error('simulator not started');
      return started;
    },
  };
}

/** useSimulator, signed in as a fixture user before the suite's tests: read `.sim` and `.token` inside them. */
export function useSignedIn(user: keyof typeof SIM_USERS = 'demo'): {
  readonly sim: Simulator;
  readonly token: string;
} {
  const ctx = useSimulator();
  let token = '';
  before(async () => {
    token = await login(ctx.sim, user);
  });
  return {
    get sim() {
      return ctx.sim;
    },
    get token() {
      return token;
    },
  };
}

export async function call(
  sim: Simulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.appId !== null) headers['X-Gizwits-Application-Id'] = options.appId ?? SIM_APP_ID;
  if (options.token) headers['X-Gizwits-User-token'] = options.token;
  let payload: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${sim.url}${path}`, { method, headers, body: payload });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let body: unknown = undefined;
  if (contentType.includes('application/json')) body = JSON.parse(text);
  return { status: response.status, body, text, contentType };
}

/** Calls the API and answers the body of its answer, which must be HTTP 200. */
export async function callOk(
  sim: Simulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer['body']> {
  const answer = await call(sim, method, path, options);
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

export async function login(sim: Simulator, user: keyof typeof SIM_USERS = 'demo'): Promise<string> {
  const answer = await call(sim, 'POST', '/app/login', {
    body: { username: SIM_USERS[user].username, password: SIM_USERS[user].password },
  });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`);
  return answer.body.token as string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
