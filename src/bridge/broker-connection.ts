// One MQTT connection (MQTT.js), shared by every bridge that names the same broker node: its own
// reconnects with a growing pause, a long pause after the broker refuses the credentials (no reconnect
// storm against a broker that will refuse again), subscriptions replayed after each reconnect, and the
// last will of the bridge status topic. docs/mqtt.md explains the choices (QoS 1, clean session).
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { reconnectDelay } from '../client/backoff';
import { GizwitsError, keyed } from '../client/errors';

export type BrokerState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'failed' | 'closed';

export interface BrokerOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds. */
  keepalive?: number;
  /** TLS options (ca, cert, key, rejectUnauthorized, servername) of a tls-config node. */
  tls?: Record<string, unknown>;
  /** Pauses between attempts: growing from base to cap; after a refusal, `refusedMs`. */
  backoff?: { baseMs?: number; capMs?: number; refusedMs?: number };
  connectTimeoutMs?: number;
}

export type MessageListener = (topic: string, payload: Buffer, packet: IPublishPacket) => void;

/** Whether an MQTT topic filter (with `+` and `#`) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

export interface LastWill {
  topic: string;
  payload: string;
}

const PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
/** CONNACK codes that say the broker will not take these credentials or this client (3.1.1 and 5). */
const REFUSED = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8c]);

/** Checks the broker URL: one of the four schemes, a host, and no credentials inside it. */
export function checkBrokerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GizwitsError({ code: 'INVALID_CONFIG', ...keyed('bridge.broker.badUrl', { url: '' }) });
  }
  // The URL may carry a password: it is never repeated in an error.
  if (parsed.username || parsed.password)
    throw new GizwitsError({ code: 'INVALID_CONFIG', ...keyed('bridge.broker.urlCredentials') });
  if (!PROTOCOLS.includes(parsed.protocol) || !parsed.hostname)
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('bridge.broker.badUrl', { url: `${parsed.protocol}//${parsed.host}` }),
    });
  return parsed;
}

/** The default client id: stable across restarts and deploys, since the broker node's id is. */
export function defaultClientId(nodeId: string): string {
  return `gizwits-${nodeId.replace(/[^A-Za-z0-9_-]/g, '')}`.slice(0, 64);
}

export class BrokerConnection extends EventEmitter {
  private client: MqttClient | undefined;
  /** Each subscription's listeners: a message goes only to those whose own filters match it. */
  private readonly filters = new Map<string, Set<MessageListener>>();
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private current: BrokerState = 'idle';
  private lastError: GizwitsError | undefined;

  constructor(
    private readonly options: BrokerOptions,
    private readonly will?: LastWill,
  ) {
    super();
    checkBrokerUrl(options.url);
  }

  get state(): BrokerState {
    return this.current;
  }

  get error(): GizwitsError | undefined {
    return this.lastError;
  }

  get connected(): boolean {
    return this.current === 'connected';
  }

  start(): void {
    if (this.client || this.current === 'closed') return;
    const { url, clientId, username, password, keepalive, tls, connectTimeoutMs } = this.options;
    const options: IClientOptions = {
      clientId,
      username: username || undefined,
      password: password || undefined,
      keepalive: keepalive ?? 60,
      // Clean session: nothing the broker queued while we were away is delivered late (docs/mqtt.md).
      clean: true,
      protocolVersion: 4,
      // Reconnects are ours: a growing pause, and a long one after a refusal.
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: connectTimeoutMs ?? 10_000,
      will: this.will
        ? { topic: this.will.topic, payload: Buffer.from(this.will.payload), qos: 1, retain: true }
        : undefined,
      ...(tls ?? {}),
    };
    this.setState('connecting');
    let client: MqttClient;
    try {
      client = mqtt.connect(url, options);
    } catch (error) {
      // Options MQTT.js cannot use (a TLS file that does not parse): said, never thrown from a timer.
      this.lastError = new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('bridge.broker.unreachable', {
          reason: String((error as Error)?.message ?? error).slice(0, 120),
        }),
      });
      this.setState('failed');
      return;
    }
    this.client = client;
    client.on('connect', () => {
      this.attempt = 0;
      this.lastError = undefined;
      this.setState('connected');
      if (this.filters.size) this.sendSubscribe([...this.filters.keys()]);
      this.emit('connect');
    });
    client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) =>
      this.deliver(topic, payload, packet),
    );
    client.on('error', (error: Error & { code?: unknown }) => {
      const code = typeof error.code === 'number' ? error.code : undefined;
      if (code !== undefined && REFUSED.has(code)) {
        this.lastError = new GizwitsError({
          code: 'INVALID_CONFIG',
          ...keyed('bridge.broker.refused', { code }),
        });
        this.setState('refused');
      } else {
        this.lastError = new GizwitsError({
          code: 'NETWORK',
          ...keyed('bridge.broker.unreachable', {
            reason: String(error.code ?? error.message).slice(0, 120),
          }),
        });
      }
    });
    client.on('close', () => this.scheduleReconnect());
  }

  /** Publishes when connected (QoS 1); false when not, since everything is published again on connect. */
  publish(topic: string, payload: string | Buffer, retain: boolean): boolean {
    if (!this.client || !this.connected) return false;
    this.client.publish(topic, payload, { qos: 1, retain }, () => undefined);
    return true;
  }

  /** Subscribes `listener` to `filters` (QoS 1), kept across reconnects. */
  subscribe(filters: string[], listener: MessageListener): void {
    const fresh: string[] = [];
    for (const filter of filters) {
      let listeners = this.filters.get(filter);
      if (!listeners) {
        listeners = new Set();
        this.filters.set(filter, listeners);
        fresh.push(filter);
      }
      listeners.add(listener);
    }
    if (fresh.length && this.connected) this.sendSubscribe(fresh);
  }

  unsubscribe(filters: string[], listener: MessageListener): void {
    const gone: string[] = [];
    for (const filter of filters) {
      const listeners = this.filters.get(filter);
      if (!listeners?.delete(listener) || listeners.size > 0) continue;
      this.filters.delete(filter);
      gone.push(filter);
    }
    if (gone.length && this.connected) this.client?.unsubscribe(gone, () => undefined);
  }

  /** A message, to each listener once whose filters match it; a listener's failure is its own. */
  private deliver(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const reached = new Set<MessageListener>();
    for (const [filter, listeners] of this.filters)
      if (topicMatches(filter, topic)) for (const listener of listeners) reached.add(listener);
    for (const listener of reached) {
      try {
        listener(topic, payload, packet);
      } catch (error) {
        this.emit('warning', error);
      }
    }
  }

  /**
   * Ends the connection. A clean DISCONNECT makes the broker drop the last will, so what the will says
   * is published first: stopping Node-RED leaves the bridge `offline` as a crash would.
   */
  close(): Promise<void> {
    clearTimeout(this.timer);
    const client = this.client;
    if (client && this.will && this.connected)
      client.publish(this.will.topic, this.will.payload, { qos: 1, retain: true }, () => undefined);
    this.setState('closed');
    this.client = undefined;
    this.filters.clear();
    if (!client) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.end(true);
        resolve();
      }, 2_000);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private sendSubscribe(filters: string[]): void {
    this.client?.subscribe(filters, { qos: 1 }, (error) => {
      if (error)
        this.emit(
          'warning',
          new GizwitsError({
            code: 'NETWORK',
            ...keyed('bridge.broker.subscribe', { count: filters.length }),
          }),
        );
    });
  }

  private scheduleReconnect(): void {
    if (this.current === 'closed' || this.timer) return;
    const { baseMs = 1_000, capMs = 60_000, refusedMs = 300_000 } = this.options.backoff ?? {};
    const refused = this.current === 'refused';
    const wait = refused ? refusedMs : reconnectDelay(this.attempt++, baseMs, capMs);
    if (!refused) this.setState('reconnecting');
    this.emit('disconnect');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.current === 'closed' || !this.client) return;
      this.setState('connecting');
      this.client.reconnect();
    }, wait);
  }

  private setState(state: BrokerState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit('state', state, this.lastError);
  }
}
