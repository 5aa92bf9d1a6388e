// One account's devices on MQTT: retained state and availability per device, the bridge's own status,
// Home Assistant discovery, and validated commands (docs/mqtt.md). It listens to the device registry's
// public events and writes through its `write`, the same validation gizwits-device-control uses.
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import type { DeviceRegistry, RegistryState, StatusEvent } from '../client/registry';
import { GizwitsError, keyed } from '../client/errors';
import type { BrokerConnection } from './broker-connection';
import { attrValue, commandRefused, RecentCommands, setValues } from './commands';
import { discoveryConfig, packageOrigin, stateJson, type Origin } from './discovery';
import { isDid, type BridgeTopics } from './topics';

/** What the bridge uses of the registry: its public API only. */
export type BridgeRegistry = Pick<
  DeviceRegistry,
  | 'on'
  | 'off'
  | 'follow'
  | 'list'
  | 'device'
  | 'stateOf'
  | 'schema'
  | 'schemaOfDevice'
  | 'write'
  | 'ready'
  | 'state'
>;

export interface BridgeOptions {
  /** Who follows the devices in the registry (the node's id). */
  owner: string;
  topics: BridgeTopics;
  devices: string[] | 'all';
  discovery: boolean;
  commands: boolean;
  /** The text of a refusal in the runtime's language, for the result topic. */
  describe: (error: unknown) => string;
  origin?: Origin;
  /** How long the same command again counts as its duplicate. */
  duplicateWindowMs?: number;
}

/** A refused or failed command: what the node reports to a Catch node. */
export interface RefusedCommand {
  did?: string;
  topic: string;
  error: GizwitsError;
}

const CLOUD_DOWN: RegistryState[] = ['reconnecting', 'failed', 'closed'];

export class DeviceBridge extends EventEmitter {
  private readonly bridged = new Set<string>();
  /** Retained messages this bridge owns (state, availability), published again after every connect. */
  private readonly retained = new Map<string, string>();
  private readonly recent: RecentCommands;
  private readonly origin: Origin;
  private unfollow: (() => void) | undefined;
  private closed = false;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own event
  private readonly handlers: Record<string, (...args: any[]) => void>;

  constructor(
    private readonly registry: BridgeRegistry,
    private readonly connection: BrokerConnection,
    private readonly options: BridgeOptions,
  ) {
    super();
    this.recent = new RecentCommands(options.duplicateWindowMs);
    this.origin = options.origin ?? packageOrigin();
    this.handlers = {
      status: (event: StatusEvent) => this.onStatus(event),
      online: (event: { did: string }) => this.publishAvailability(event.did),
      binding: (event: { did: string; bind: boolean }) =>
        event.bind ? this.add(event.did) : this.remove(event.did),
      state: () => {
        for (const did of this.bridged) this.publishAvailability(did);
        this.emit('change');
      },
    };
  }

  get count(): number {
    return this.bridged.size;
  }

  /** The dids bridged now (for the node's status; not to be changed). */
  get dids(): ReadonlySet<string> {
    return this.bridged;
  }

  start(): void {
    for (const [event, handler] of Object.entries(this.handlers)) this.registry.on(event, handler);
    this.connection.on('connect', this.onConnect);
    if (this.options.discovery)
      this.connection.subscribe([this.options.topics.discoveryStatus], this.onMessage);
    this.unfollow = this.registry.follow(this.options.owner, this.options.devices);
    if (this.connection.connected) this.onConnect();
    this.registry
      .ready()
      .then(() => {
        for (const device of this.registry.list()) this.add(device.did);
      })
      .catch(() => undefined); // the node shows the registry's failure in its status
  }

  /** Stops following; `offline` on the status topic says the bridge left on purpose. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unfollow?.();
    for (const [event, handler] of Object.entries(this.handlers)) this.registry.off(event, handler);
    this.connection.off('connect', this.onConnect);
    const { topics } = this.options;
    this.connection.unsubscribe(
      [
        ...(this.options.discovery ? [topics.discoveryStatus] : []),
        ...[...this.bridged].flatMap((did) => this.commandTopics(did)),
      ],
      this.onMessage,
    );
    this.connection.publish(topics.bridgeStatus, 'offline', true);
    this.bridged.clear();
    this.retained.clear();
  }

  private wants(did: string): boolean {
    const { devices } = this.options;
    return isDid(did) && (devices === 'all' || devices.includes(did));
  }

  private commandTopics(did: string): string[] {
    const { topics } = this.options;
    return [topics.set(did), topics.set(did, '+')];
  }

  private add(did: string): void {
    if (this.closed || this.bridged.has(did) || !this.wants(did) || !this.registry.device(did)) return;
    this.bridged.add(did);
    // Per device, so that a command reaches only the instance that bridges the device (docs/mqtt.md).
    if (this.options.commands) this.connection.subscribe(this.commandTopics(did), this.onMessage);
    if (this.options.discovery) void this.publishDiscovery(did);
    this.publishAvailability(did);
    const state = this.registry.stateOf(did);
    if (state && state.updatedAt > 0) this.keep(this.options.topics.state(did), stateJson(state.attrs));
    this.emit('change');
  }

  /** An unbound device: its config removed and its state cleared (empty retained payloads). */
  private remove(did: string): void {
    if (!this.bridged.delete(did)) return;
    const { topics } = this.options;
    this.connection.unsubscribe(this.commandTopics(did), this.onMessage);
    for (const topic of [topics.state(did), topics.availability(did)]) {
      this.retained.delete(topic);
      this.connection.publish(topic, '', true);
    }
    if (this.options.discovery) this.connection.publish(topics.discovery(did), '', true);
    this.emit('change');
  }

  /** Keeps a retained message and publishes it (again when the broker comes back). */
  private keep(topic: string, payload: string, always = true): void {
    if (!always && this.retained.get(topic) === payload) return;
    this.retained.set(topic, payload);
    this.connection.publish(topic, payload, true);
  }

  private onStatus(event: StatusEvent): void {
    if (!this.bridged.has(event.did)) return;
    this.keep(this.options.topics.state(event.did), stateJson(event.attrs));
    this.emit('event', event.did);
  }

  private publishAvailability(did: string): void {
    if (!this.bridged.has(did)) return;
    const online = !!this.registry.device(did)?.online && !CLOUD_DOWN.includes(this.registry.state);
    this.keep(this.options.topics.availability(did), online ? 'online' : 'offline', false);
  }

  private async publishDiscovery(did: string): Promise<void> {
    const device = this.registry.device(did);
    if (!device) return;
    try {
      const schema = await this.registry.schema(device.productKey);
      if (this.closed || !this.bridged.has(did)) return;
      const config = discoveryConfig(device, schema, this.options.topics, this.origin);
      this.connection.publish(this.options.topics.discovery(did), JSON.stringify(config), true);
    } catch (error) {
      this.emit('warning', error);
    }
  }

  /** After every connect: the bridge is online, then configs, then states and availability. */
  private readonly onConnect = (): void => {
    if (this.closed) return;
    this.connection.publish(this.options.topics.bridgeStatus, 'online', true);
    this.republish();
  };

  /** Configs first, then the states they describe (Home Assistant reads a state with its config). */
  private republish(): void {
    const configs = this.options.discovery
      ? Promise.all([...this.bridged].map((did) => this.publishDiscovery(did)))
      : Promise.resolve([]);
    void configs.then(() => {
      if (this.closed) return;
      for (const [topic, payload] of this.retained) this.connection.publish(topic, payload, true);
    });
  }

  private readonly onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    if (this.closed) return;
    const { topics } = this.options;
    if (topic === topics.discoveryStatus) {
      // Home Assistant (re)started: configs first, then the states they describe.
      if (payload.toString('utf8').trim() === 'online') this.republish();
      return;
    }
    this.command(topic, payload, packet.retain === true).catch((error: unknown) =>
      this.emit('warning', error),
    );
  };

  private async command(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    const { topics } = this.options;
    const target = topics.command(topic);
    const did = target?.did ?? topics.commandDid(topic);
    try {
      if (!target) throw commandRefused('bridge.command.badTopic');
      // A retained command would be acted on by whoever subscribes next, at any time: never.
      if (retained) throw commandRefused('bridge.command.retained');
      if (!this.recent.first(topic, payload)) return;
      if (!this.bridged.has(target.did))
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('bridge.command.unknownDevice', { did: target.did }),
        });
      let values: unknown;
      if (target.attr) {
        const schema = await this.registry.schemaOfDevice(target.did);
        values = { [target.attr]: attrValue(payload, schema.datapoints.get(target.attr)) };
      } else {
        values = setValues(payload);
      }
      await this.registry.write(target.did, values, { transport: 'auto' });
      this.emit('written', target.did);
    } catch (error) {
      const refused =
        error instanceof GizwitsError
          ? error
          : new GizwitsError({
              code: 'INVALID_PARAMS',
              ...keyed('bridge.command.failed', { reason: String(error) }),
            });
      if (did && this.bridged.has(did)) {
        const body = { code: refused.code, message: this.options.describe(refused) };
        this.connection.publish(topics.result(did), JSON.stringify(body), false);
      }
      this.emit('refused', { did, topic, error: refused } satisfies RefusedCommand);
    }
  }
}
