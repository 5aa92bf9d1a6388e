// Part `flow-inputs`: random hostile messages (soak/lib/hostile.ts) into every node type of this package
// that has an input, in a real Node-RED against the simulated cloud. Each message must end: the node
// calls done() or done(err), which Node-RED's onComplete hook reports. Goal: 0 crashes (uncaught
// exceptions, unhandled rejections), 0 unfinished messages, no new key on Object.prototype,
// Array.prototype or Function.prototype. At most CONCURRENCY messages are in flight, so that those that
// pass validation do not flood the simulator.
import { performance } from 'node:perf_hooks';
import { SIM_APP_ID } from '../../src/simulator';
import { accountNode, startCloud } from '../lib/cloud';
import { HostileMessages, POLLUTION_KEY } from '../lib/hostile';
import { onTab, sleep, startRuntime, until, watchCrashes, type Json } from '../lib/node-red';
import { Random } from '../lib/random';
import type { SoakPart } from '../types';

const CONCURRENCY = 16;
/** The nodes' own timeouts are 2 s; a cloud call has the client's 15 s request timeout on top. */
const UNFINISHED_AFTER_MS = 25_000;

/** Every node type with an input, with a configuration that leaves the rest to the message. */
const NODES: Array<Json & { type: string }> = [
  {
    type: 'gizwits-device-control',
    device: '',
    deviceType: 'str',
    transport: 'auto',
    confirm: false,
    timeout: 2,
  },
  { type: 'gizwits-group-control', group: '', action: 'control' },
  { type: 'gizwits-scene-trigger', scene: '', wait: false, timeout: 2 },
  { type: 'gizwits-rule-sync', rules: '[]', mode: 'plan', prune: false },
  {
    type: 'gizwits-scheduler',
    target: 'device',
    targetId: '',
    action: 'sync',
    timezone: 'Asia/Shanghai',
    prune: false,
  },
  { type: 'gizwits-api', operation: '', allPages: false },
];

const prototypes = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
const prototypeKeys = () =>
  Object.entries(prototypes).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String)] as const);

export const run: SoakPart = async ({ full, seed, log }) => {
  const perNode = full ? 10_000 : 500;
  const random = new Random(seed).fork('flow-inputs');
  const begun = performance.now();
  const hardEnd = begun + (full ? 360_000 : 90_000);
  const cloud = await startCloud(random, 6, 1);
  const runtime = await startRuntime({ reconcileIntervalMs: 60_000 });
  const before = prototypeKeys();
  const crashes = watchCrashes();
  const failures: string[] = [];
  try {
    const account = accountNode(cloud);
    // A second account with a wrong AppID: the same messages must also end when every call is refused.
    const refused = accountNode(cloud, 'refused', { appId: SIM_APP_ID.replace(/.$/, '0') });
    await runtime.deploy(
      onTab([
        account.node,
        refused.node,
        ...NODES.flatMap((config) => [
          { ...config, id: config.type, account: 'account', configVersion: 1, wires: [['sink']] },
          {
            ...config,
            id: `${config.type}@refused`,
            account: 'refused',
            configVersion: 1,
            wires: [['sink']],
          },
        ]),
        { id: 'sink', type: 'bench-sink', wires: [] },
      ]),
      { ...account.credentials, ...refused.credentials },
    );

    const hostile = new HostileMessages(random, cloud.dids);
    const pending = new Map<object, { nodeId: string; sentAt: number }>();
    const finished = new WeakSet<object>();
    const sent: Record<string, number> = {};
    const outcome = { done: 0, doneWithError: 0, finishedTwice: 0, unfinished: 0 };
    runtime.onComplete(({ msg, error, nodeId }) => {
      // The sink finishes the messages the nodes send on, the same objects: those are not counted here.
      if (nodeId === 'sink') return;
      if (!pending.delete(msg)) {
        if (finished.has(msg)) outcome.finishedTwice++;
        return;
      }
      finished.add(msg);
      if (error) outcome.doneWithError++;
      else outcome.done++;
    });
    const forget = () => {
      const now = performance.now();
      for (const [msg, entry] of pending)
        if (now - entry.sentAt > UNFINISHED_AFTER_MS) {
          pending.delete(msg);
          outcome.unfinished++;
          if (failures.length < 5) failures.push(`a message to ${entry.nodeId} never finished`);
        }
    };

    let total = 0;
    const target = perNode * NODES.length;
    for (; total < target && performance.now() < hardEnd - UNFINISHED_AFTER_MS; total++) {
      while (pending.size >= CONCURRENCY) {
        await until(() => pending.size < CONCURRENCY, 1000, 2);
        forget();
      }
      const config = NODES[total % NODES.length];
      // One message in ten goes to the node whose account the cloud refuses.
      const nodeId = random.chance(0.1) ? `${config.type}@refused` : config.type;
      const msg = hostile.message();
      msg._msgid = `soak-${total}`;
      pending.set(msg, { nodeId, sentAt: performance.now() });
      sent[config.type] = (sent[config.type] ?? 0) + 1;
      runtime.node(nodeId).receive(msg);
      // Now and then the event loop gets a turn, as it would between messages from the network.
      if (total % 50 === 0) await sleep(0);
      if (total % 10_000 === 9_999) log(`${total + 1} messages, ${crashes.count()} crashes`);
    }
    await until(() => pending.size === 0, UNFINISHED_AFTER_MS, 20);
    outcome.unfinished += pending.size;
    for (const entry of [...pending.values()].slice(0, 5))
      failures.push(`a message to ${entry.nodeId} never finished`);

    const after = prototypeKeys();
    const polluted = after.flatMap(([name, keys]) => {
      const known = new Set(before.find(([other]) => other === name)![1]);
      return keys.filter((key) => !known.has(key)).map((key) => `${name}.prototype.${key}`);
    });
    if (({} as Json)[POLLUTION_KEY] !== undefined) polluted.push(`({}).${POLLUTION_KEY}`);
    const short = Object.values(sent).filter((count) => count < perNode).length;
    if (short > 0)
      failures.push(`${short} node types got fewer than ${perNode} messages within the time limit`);
    if (crashes.count() > 0) failures.unshift(`${crashes.count()} crashes`, ...crashes.lines);
    if (outcome.unfinished > 0) failures.unshift(`${outcome.unfinished} messages never finished`);
    if (outcome.done + outcome.doneWithError + outcome.unfinished !== total)
      failures.push(
        `${total} sent ≠ ${outcome.done} done + ${outcome.doneWithError} done(err) + ${outcome.unfinished} unfinished`,
      );
    if (outcome.finishedTwice > 0) failures.push(`${outcome.finishedTwice} messages finished twice`);
    if (polluted.length > 0) failures.push(`prototype pollution: ${polluted.join(', ')}`);
    const cloudCalls = cloud.sim.calls.length;
    return {
      name: 'flow-inputs',
      goal: `≥ ${perNode.toLocaleString('en-US')} hostile messages per input node: 0 crashes, 0 unfinished messages, no prototype pollution`,
      pass: failures.length === 0,
      figures: {
        'node types': NODES.length,
        'messages sent': total,
        'fewest per node type': Math.min(...Object.values(sent)),
        'ended with done()': outcome.done,
        'ended with done(err)': outcome.doneWithError,
        unfinished: outcome.unfinished,
        'finished twice': outcome.finishedTwice,
        crashes: crashes.count(),
        'prototype keys added': polluted.length,
        'calls that reached the cloud': cloudCalls,
        'process warnings (not failures)': crashes.warnings.join('; ') || 'none',
        'messages per second': Math.round(total / ((performance.now() - begun) / 1000)),
      },
      failures,
    };
  } finally {
    crashes.stop();
    await runtime.stop();
    await cloud.sim.close();
  }
};
