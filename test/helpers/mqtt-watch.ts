// An MQTT client that watches a broker for the tests (as Home Assistant or mosquitto_sub would): every
// message it receives, the last retained payload per topic, and waits on them without fixed sleeps.
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { waitFor } from './live';
import { startMosquitto, type Mosquitto } from './mosquitto';

export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

export interface Watcher {
  client: MqttClient;
  all: Seen[];
  /** The last payload seen on a topic (retained or live). */
  last(topic: string): string | undefined;
  /** Waits for a message after index `from` (default: any seen) whose topic and payload match. */
  next(match: (m: Seen) => boolean, from?: number, ms?: number): Promise<Seen>;
  publish(topic: string, payload: string | Buffer, options?: IClientPublishOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * Clears every retained message on the broker: they arrive right after the subscription, before a
 * marker published after it (a broker keeps one subscriber's messages in order).
 */
export async function clearRetained(url: string): Promise<void> {
  const cleaner = await watchBroker(url, ['#']);
  try {
    const marker = `test-marker/${process.pid}/${Date.now()}`;
    await cleaner.publish(marker, 'x');
    await cleaner.next((m) => m.topic === marker);
    for (const topic of new Set(cleaner.all.filter((m) => m.retain).map((m) => m.topic)))
      await cleaner.publish(topic, '', { qos: 1, retain: true });
  } finally {
    await cleaner.close();
  }
}

export async function watchBroker(
  url: string,
  filters: string[] = ['#'],
  options: mqtt.IClientOptions = {},
): Promise<Watcher> {
  const client = mqtt.connect(url, { reconnectPeriod: 100, ...options });
  const all: Seen[] = [];
  const lastByTopic = new Map<string, string>();
  client.on('message', (topic, payload, packet) => {
    all.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
    lastByTopic.set(topic, payload.toString('utf8'));
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(filters, { qos: 1 });
  return {
    client,
    all,
    last: (topic) => lastByTopic.get(topic),
    async next(match, from = 0, ms = 8_000) {
      let found: Seen | undefined;
      await waitFor(
        () => {
          found = all.slice(from).find(match);
          return found !== undefined;
        },
        ms,
        () => `${all.length} messages, last: ${JSON.stringify(all.slice(-4))}`,
      );
      return found!;
    },
    async publish(topic, payload, publishOptions = { qos: 1 }) {
      await client.publishAsync(topic, payload, publishOptions);
    },
    async close() {
      await client.endAsync(true);
    },
  };
}

export interface WatchedBroker {
  broker: Mosquitto;
  /** Watches every topic; a fresh one for each test (a test may close it and set another). */
  watch: Watcher;
}

/**
 * A suite's Mosquitto (mocha hooks): started before the suite, stopped after it; a watcher of every topic
 * for each test, closed after it, and what the test left retained cleared, so that it does not look like
 * the next test's news.
 */
export function useWatchedBroker(): WatchedBroker {
  const ctx = {} as WatchedBroker;
  before(async () => {
    ctx.broker = await startMosquitto();
  });
  after(async () => {
    await ctx.broker?.stop();
  });
  beforeEach(async () => {
    ctx.watch = await watchBroker(ctx.broker.url);
  });
  afterEach(async () => {
    await ctx.watch?.close();
    await clearRetained(ctx.broker.url);
  });
  return ctx;
}
