// Part `request-rate`: how hard a failing cloud is hit. Four accounts, each against a simulator of its own,
// each failing in one way: 9003 (wrong AppID), 9020 (wrong password), 9041 (every call throttled) and 5xx
// (every call fails with 503). Each account has gizwits-device-in (every device) running and receives
// MESSAGES_PER_SECOND messages, half writes through gizwits-device-control and half reads through
// gizwits-api (bindings.list: a read that needs the user's token; devices.latest needs only the AppID,
// so a wrong password would not fail it). Over the window, the requests each simulator receives (Open
// API calls and websocket connections) are counted and given per minute. Every message must end in an
// error at the Catch node, and none may hang; one that ends later than the node's timeout plus the
// client's request timeout is late.
//
// The goal is REQUEST_RATE_GOAL requests per minute per failure kind, and no late message: the client's
// per-account budget (docs/budget.md) keeps to it. SOAK_JUDGE_REQUEST_RATE=0 records the figures without
// judging them; SOAK_MAX_REQUESTS_PER_MINUTE changes the goal.
import { performance } from 'node:perf_hooks';
import { SIM_APP_ID } from '../../src/simulator';
import { accountNode, startCloud, writeValues, type SoakCloud } from '../lib/cloud';
import { onTab, sleep, startRuntime, until, watchCrashes, type Json } from '../lib/node-red';
import { Random } from '../lib/random';
import type { SoakPart } from '../types';

const MESSAGES_PER_SECOND = 10;
/** The nodes' timeout, seconds. */
const NODE_TIMEOUT_S = 2;
/**
 * Later than the node's timeout plus one request timeout of the client (15 s), a message is late: the
 * client retried or waited for a login on a cloud that keeps failing. Judged with the rate, as failing
 * fast belongs to the same budget.
 */
const LATE_AFTER_MS = NODE_TIMEOUT_S * 1000 + 15_000;
/** A message that has not ended after this long hangs; the part waits no longer. */
const HUNG_AFTER_MS = 60_000;

/** Requests per minute per failure kind that a failing cloud may receive. */
export const REQUEST_RATE_GOAL = 60;
/** Whether the goal fails the part unless SOAK_JUDGE_REQUEST_RATE says otherwise. */
const JUDGE_BY_DEFAULT = true;

export function requestRateLimit(): { perMinute: number; judged: boolean } {
  const given = process.env.SOAK_MAX_REQUESTS_PER_MINUTE;
  const perMinute = given === undefined || given === '' ? REQUEST_RATE_GOAL : Number(given);
  if (!Number.isFinite(perMinute) || perMinute <= 0)
    throw new Error('SOAK_MAX_REQUESTS_PER_MINUTE must be a number above 0');
  const judge = process.env.SOAK_JUDGE_REQUEST_RATE;
  return { perMinute, judged: judge === undefined || judge === '' ? JUDGE_BY_DEFAULT : judge !== '0' };
}

type Kind = '9003' | '9020' | '9041' | '5xx';
const KINDS: Kind[] = ['9003', '9020', '9041', '5xx'];

interface KindFigures {
  messages: number;
  errors: number;
  outputs: number;
  hung: number;
  late: number;
  restCalls: number;
  socketConnections: number;
  perMinute: number;
  errorCodes: Record<string, number>;
  slowestMs: number;
}

export const run: SoakPart = async ({ full, seed, log }) => {
  const windowMs = full ? 60_000 : 6_000;
  const limit = requestRateLimit();
  const random = new Random(seed).fork('request-rate');
  const clouds = new Map<Kind, SoakCloud>();
  for (const kind of KINDS) clouds.set(kind, await startCloud(random, 3, 0));
  const runtime = await startRuntime({ pingIntervalMs: 1000, reconcileIntervalMs: 5000 });
  const crashes = watchCrashes();
  try {
    const nodes: Json[] = [];
    const credentials: Json = {};
    for (const kind of KINDS) {
      const cloud = clouds.get(kind)!;
      const account = accountNode(
        cloud,
        `account-${kind}`,
        kind === '9003'
          ? { appId: SIM_APP_ID.replace(/.$/, '0') }
          : kind === '9020'
            ? { password: `${cloud.password}-wrong` }
            : {},
      );
      if (kind === '9041') cloud.sim.faults.throttle(1_000_000_000);
      if (kind === '5xx') cloud.sim.faults.failNext(1_000_000_000, 503);
      Object.assign(credentials, account.credentials);
      nodes.push(
        account.node,
        {
          id: `in-${kind}`,
          type: 'gizwits-device-in',
          account: account.node.id,
          devices: [],
          attrs: [],
          events: ['status', 'online'],
          onlyChanged: false,
          initial: true,
          wires: [['sink']],
        },
        {
          id: `control-${kind}`,
          type: 'gizwits-device-control',
          account: account.node.id,
          device: cloud.dids[0],
          deviceType: 'str',
          transport: 'auto',
          confirm: false,
          timeout: NODE_TIMEOUT_S,
          wires: [['sink']],
        },
        {
          id: `api-${kind}`,
          type: 'gizwits-api',
          account: account.node.id,
          operation: 'bindings.list',
          allPages: false,
          wires: [['sink']],
        },
      );
    }
    nodes.push(
      { id: 'sink', type: 'bench-sink', wires: [] },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['catch-sink']] },
      { id: 'catch-sink', type: 'bench-sink', wires: [] },
    );

    const figures = new Map<Kind, KindFigures>(
      KINDS.map((kind) => [
        kind,
        {
          messages: 0,
          errors: 0,
          outputs: 0,
          hung: 0,
          late: 0,
          restCalls: 0,
          socketConnections: 0,
          perMinute: 0,
          errorCodes: {},
          slowestMs: 0,
        },
      ]),
    );
    const pending = new Map<string, { kind: Kind; sentAt: number }>();
    const end = (id: unknown, how: 'output' | 'error', code?: unknown) => {
      const entry = typeof id === 'string' ? pending.get(id) : undefined;
      if (!entry) return;
      pending.delete(id as string);
      const row = figures.get(entry.kind)!;
      const took = performance.now() - entry.sentAt;
      row.slowestMs = Math.max(row.slowestMs, took);
      if (took > LATE_AFTER_MS) row.late++;
      if (took > HUNG_AFTER_MS) row.hung++;
      else if (how === 'output') row.outputs++;
      else {
        row.errors++;
        const name = String(code ?? 'no code');
        row.errorCodes[name] = (row.errorCodes[name] ?? 0) + 1;
      }
    };
    runtime.onSink((nodeId, msg) => {
      if (nodeId === 'catch-sink') end(msg.soakMessage, 'error', (msg.error as Json | undefined)?.code);
      else if (nodeId === 'sink' && typeof msg.soakMessage === 'string') end(msg.soakMessage, 'output');
    });

    const connectionsBefore = new Map(
      KINDS.map((kind) => [kind, clouds.get(kind)!.sim.ws.connections('main')] as const),
    );
    const started = Date.now();
    const begun = performance.now();
    await runtime.deploy(onTab(nodes), credentials);
    // MESSAGES_PER_SECOND to each account, on a steady beat, until the window closes.
    let sent = 0;
    while (performance.now() - begun < windowMs) {
      for (const kind of KINDS) {
        const cloud = clouds.get(kind)!;
        const id = `${kind}-${sent}`;
        pending.set(id, { kind, sentAt: performance.now() });
        figures.get(kind)!.messages++;
        if (sent % 2 === 0)
          runtime
            .node(`control-${kind}`)
            .receive({ payload: writeValues(cloud, cloud.dids[0], random), soakMessage: id });
        else runtime.node(`api-${kind}`).receive({ payload: {}, soakMessage: id });
      }
      sent++;
      const nextAt = begun + (sent * 1000) / MESSAGES_PER_SECOND;
      await sleep(Math.max(0, nextAt - performance.now()));
      if (sent % (MESSAGES_PER_SECOND * 15) === 0) log(`${sent / MESSAGES_PER_SECOND} s`);
    }
    const windowEnded = Date.now();
    const minutes = (windowEnded - started) / 60_000;
    for (const kind of KINDS) {
      const sim = clouds.get(kind)!.sim;
      const row = figures.get(kind)!;
      row.restCalls = sim.calls.filter((call) => call.at >= started && call.at <= windowEnded).length;
      row.socketConnections = sim.ws.connections('main') - connectionsBefore.get(kind)!;
      row.perMinute = (row.restCalls + row.socketConnections) / minutes;
    }
    await until(() => pending.size === 0, HUNG_AFTER_MS, 50);
    for (const entry of pending.values()) figures.get(entry.kind)!.hung++;

    const failures: string[] = [];
    const overGoal: string[] = [];
    for (const [kind, row] of figures) {
      if (row.perMinute > limit.perMinute) {
        const over = `${kind}: ${Math.round(row.perMinute)} requests/min (goal ≤ ${limit.perMinute})`;
        if (limit.judged) failures.push(over);
        else overGoal.push(over);
      }
      if (row.hung > 0) failures.push(`${kind}: ${row.hung} messages hung`);
      if (row.late > 0) {
        const late = `${kind}: ${row.late} messages ended later than ${LATE_AFTER_MS / 1000} s`;
        if (limit.judged) failures.push(late);
        else overGoal.push(late);
      }
      if (row.outputs > 0)
        failures.push(`${kind}: ${row.outputs} messages got an answer from a failing cloud`);
      if (row.errors + row.outputs + row.hung !== row.messages)
        failures.push(
          `${kind}: ${row.messages} sent ≠ ${row.errors} errors + ${row.outputs} outputs + ${row.hung} hung`,
        );
    }
    if (crashes.count() > 0) failures.push(`${crashes.count()} crashes`, ...crashes.lines);
    const out: Json = {
      'window (s)': Math.round(windowMs / 1000),
      'messages per second per account': MESSAGES_PER_SECOND,
      'goal (requests/min per kind)': limit.perMinute,
      'goal judged': limit.judged,
      'over the goal': overGoal.length ? overGoal.join('; ') : failures.length ? 'see failures' : 'none',
    };
    for (const [kind, row] of figures) {
      out[`${kind}: requests/min (REST + websocket)`] = Math.round(row.perMinute);
      out[`${kind}: REST calls / websocket connections`] = `${row.restCalls} / ${row.socketConnections}`;
      out[`${kind}: messages → errors / outputs / hung`] =
        `${row.messages} → ${row.errors} / ${row.outputs} / ${row.hung}`;
      out[`${kind}: slowest message (ms)`] = Math.round(row.slowestMs);
      out[`${kind}: messages later than ${LATE_AFTER_MS / 1000} s`] = row.late;
      out[`${kind}: error codes`] = Object.entries(row.errorCodes)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ');
    }
    out.crashes = crashes.count();
    return {
      name: 'request-rate',
      goal:
        `to a failing cloud (9003, 9020, 9041, 5xx) under ${MESSAGES_PER_SECOND} msg/s: ≤ ${limit.perMinute} requests/min ` +
        `per failure kind and no message later than ${LATE_AFTER_MS / 1000} s` +
        `${limit.judged ? '' : ' (both recorded, not judged yet)'}; every message ends in an error; none hangs`,
      pass: failures.length === 0,
      figures: out as Record<string, number | string>,
      failures,
    };
  } finally {
    crashes.stop();
    await runtime.stop();
    for (const cloud of clouds.values()) await cloud.sim.close();
  }
};
