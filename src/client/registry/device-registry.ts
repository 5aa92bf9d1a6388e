// The device registry of one account, a facade over its parts: the bindings (every page, bindings.ts),
// each product's data points (schema-cache.ts), the last known state of every device (device-states.ts),
// the websockets that keep it current (socket-pool.ts), and a slow reconciliation (reconciler.ts: silent
// devices checked over their socket, REST only where that cannot answer) so that no flow keeps serving
// stale state. A device whose binding names no usable websocket address is
// read over REST and reported on its own (docs/websocket.md, Bindings).
import { EventEmitter } from 'node:events';
import type { GizwitsClient } from '../client';
import type { ProductSchema } from '../datapoints';
import type { DeviceSocket } from '../device-socket';
import { GizwitsError, keyed } from '../errors';
import { SchemaCache } from '../schema-cache';
import type { NotiEvent } from '../socket-options';
import { WarningGate } from '../warning-gate';
import { BindingLoader } from './binding-loader';
import { DeviceCommands } from './commands';
import { ALL_DEVICES, BindingTable, type Want } from './bindings';
import { skippedBindings, takeBindings } from './binding-events';
import { DeviceStates } from './device-states';
import { rawEvent, type RawEvent } from '../lan/raw-decode';
import { LanPool } from './lan-pool';
import type { Via } from './report-origins';
import { Reconciler } from './reconciler';
import { SocketPool } from './socket-pool';
import { StatusWaits } from './status-waits';
import type {
  DeviceInfo,
  DeviceState,
  RegistryOptions,
  RegistrySkipped,
  RegistryState,
  StatusEvent,
  WriteOptions,
} from './types';

export class DeviceRegistry extends EventEmitter {
  private readonly table: BindingTable;
  private readonly states = new DeviceStates();
  private readonly schemas: SchemaCache;
  private readonly sockets: SocketPool;
  private readonly reconciler: Reconciler;
  private readonly commands: DeviceCommands;
  /** Reads and confirmations waiting on reports; close() ends them. */
  private readonly waits = new StatusWaits(this);
  private readonly skippedCounts: RegistrySkipped = { frames: 0, oversized: 0, internal: 0, bindings: 0 };
  private readonly warnings: WarningGate<'bindings'>;
  private readonly wants = new Map<string, Want>();
  private readonly loader: BindingLoader;
  private bindingsKnown = false;
  private bindingRefresh: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly emitRaw = (event: RawEvent) => !this.closed && this.emit('raw', event);
  /** The account's LAN links (docs/lan.md) when LAN control is on; for reading (seen, link, isUp). */
  readonly lan: LanPool | undefined;

  constructor(
    private readonly client: GizwitsClient,
    options: RegistryOptions,
  ) {
    super();
    this.table = new BindingTable(options.secure);
    const socket = options.socket ?? {};
    this.loader = new BindingLoader(() => this.fetchBindings(), {
      baseMs: socket.backoffBaseMs ?? 1_000,
      capMs: socket.backoffCapMs ?? 60_000,
      random: socket.random,
      tokenGiven: client.session.mode === 'token',
    });
    this.schemas = new SchemaCache(client);
    this.warnings = new WarningGate(
      (_kind, count) => this.emit('warning', skippedBindings(count)),
      options.socket?.warnIntervalMs,
    );
    this.sockets = new SocketPool(client, options.socket, {
      state: () => this.emit('state', this.state, this.error),
      skipped: (kind) => this.skippedCounts[kind]++,
      warning: (warning) => this.emit('warning', warning),
      noti: (event: NotiEvent) =>
        this.onReport(event.did, event.attrs, event.initial, event.at, event.check, 'websocket'),
      online: (did, online) => this.onOnline(did, online),
      // With the data points decoded for data-point products (lan/raw-decode.ts).
      raw: (event) => void rawEvent(event, this.table.device(event.did), this.schemas).then(this.emitRaw),
      bindingChanged: () => this.scheduleBindingRefresh(),
      login: (url, again) => {
        // Back after a drop: devices may have gone on- or offline, or been bound, while nobody listened.
        if (again) this.scheduleBindingRefresh();
        this.emit('login', url);
      },
    });
    this.reconciler = new Reconciler(
      client,
      this.states,
      {
        isClosed: () => this.closed,
        wanted: () => this.cloudWanted(),
        device: (did) => this.table.device(did),
        hasAddress: (did) => !this.table.addressError(did),
        isSubscribed: (did) => !!this.socketFor(did)?.isSubscribed(did),
        check: (did, timeoutMs) => this.socketFor(did)?.read(did, timeoutMs, 'check'),
        schema: (productKey) => this.schema(productKey),
        report: (did, attrs, initial, at) => this.onReport(did, attrs, initial, at, true, 'rest'),
      },
      {
        intervalMs: options.reconcileIntervalMs ?? 60_000,
        silentAfterMs: options.silentAfterMs ?? 10 * 60_000,
        checksPerSecond: options.checksPerSecond ?? 50,
        checksInFlight: options.checksInFlight ?? 10,
        checkTimeoutMs: options.checkTimeoutMs ?? 10_000,
      },
    );
    this.commands = new DeviceCommands(client, {
      isClosed: () => this.closed,
      states: this.states,
      waits: this.waits,
      socketFor: (did) => this.socketFor(did),
      device: (did) => this.table.device(did),
      find: (did) => this.find(did),
      schema: (productKey) => this.schema(productKey),
      addressError: (did) => this.table.addressError(did),
      isWanted: (did) => this.wantedDids().has(did),
      readOverRest: (did) => this.reconciler.readOverRest(did),
      lanLink: (did) => this.lan?.forCommand(did),
    });
    this.lan =
      options.lan &&
      new LanPool(client, options.lan, {
        device: (did) => this.table.device(did),
        datapoints: (productKey) => this.schemas.answer(productKey),
        report: (did, values, initial) => this.onReport(did, values, initial, Date.now(), false, 'lan'),
        warning: (warning) => this.emit('warning', warning),
        linkChanged: (did, up) => this.emit('lan', { did, up }),
        online: (did, online) => this.onOnline(did, online),
        reapply: () => this.applyWants(),
      });
  }

  /** Loads the bindings once; later calls wait for the same load. */
  ready(): Promise<void> {
    return this.loader.ready();
  }

  /**
   * Declares which devices `owner` follows ('all' includes devices bound later). Returns a function that
   * withdraws the declaration. The sockets subscribe to the union of all declarations.
   */
  follow(owner: string, dids: 'all' | string[]): () => void {
    this.wants.set(owner, dids === 'all' ? ALL_DEVICES : new Set(dids));
    this.start();
    this.reconciler.start();
    return () => {
      this.wants.delete(owner);
      if (!this.closed) this.applyWants();
    };
  }

  list(): DeviceInfo[] {
    return this.table.list();
  }

  device(did: string): DeviceInfo | undefined {
    return this.table.device(did);
  }

  stateOf(did: string): DeviceState | undefined {
    return this.states.get(did);
  }

  /** Aggregate connection state: the worst state of the sockets in use (or of loading the bindings). */
  get state(): RegistryState {
    if (this.closed) return 'closed';
    const failure = this.loader.lastFailure;
    if (failure) return failure.permanent ? 'failed' : 'reconnecting';
    return this.sockets.state ?? 'idle';
  }

  get error(): Error | undefined {
    const failure = this.loader.lastFailure;
    if (failure?.permanent) return failure.error;
    return this.sockets.error;
  }

  /** Why the device's binding gives no usable websocket address; undefined when it does. */
  addressError(did: string): GizwitsError | undefined {
    return this.table.addressError(did);
  }

  /** What was skipped since the registry started: malformed frames and bindings, oversized frames. */
  get skipped(): RegistrySkipped {
    return { ...this.skippedCounts };
  }

  /** The product's data points (`GET /app/datapoint`), fetched once per product. */
  schema(productKey: string): Promise<ProductSchema> {
    return this.schemas.get(productKey);
  }

  async schemaOfDevice(did: string): Promise<ProductSchema> {
    return this.schema((await this.find(did)).productKey);
  }

  /** Validates values against the device's data points (nothing is sent when they are wrong) and writes. */
  write(did: string, values: unknown, options: WriteOptions = {}): Promise<Record<string, unknown>> {
    return this.commands.write(did, values, options);
  }

  /** Sends raw bytes: the websocket takes the whole frame (checked or built), REST the payload. */
  writeRaw(did: string, bytes: number[], options: WriteOptions = {}): Promise<void> {
    return this.commands.writeRaw(did, bytes, options);
  }

  /** The device's current state: asked over the websocket when subscribed, else read over REST. */
  read(did: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return this.commands.read(did, timeoutMs);
  }

  /**
   * Reads the bindings again (every page) and reports devices bound or unbound, and online flags that
   * changed, since the last read.
   */
  async refreshBindings(): Promise<void> {
    await this.loader.load();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reconciler.stop();
    clearTimeout(this.bindingRefresh);
    this.loader.close();
    this.sockets.close();
    this.lan?.close();
    this.wants.clear();
    this.waits.endAll(new GizwitsError({ code: 'CLOSED', ...keyed('device.closed', {}) }));
    this.warnings.close();
    this.removeAllListeners();
  }

  // --- internals

  /** Loads the bindings and opens the sockets the followers need; a transient failure is retried. */
  private start(): void {
    if (this.closed) return;
    this.loader.start({
      loaded: () => this.applyWants(),
      failed: (error) => {
        this.emit('state', this.state, this.error);
        this.reportError(error);
      },
      followed: () => this.wants.size > 0,
    });
  }

  /** 'error' has no default listener: emitting it unheard would throw from a timer or a promise. */
  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private async fetchBindings(): Promise<void> {
    const startedAt = Date.now();
    const all = await this.client.listAll('bindings.list', { show_disabled: 0 });
    if (this.closed) return;
    const first = !this.bindingsKnown;
    this.bindingsKnown = true;
    const { table, states } = this;
    const emit = (event: string, payload: unknown) => this.emit(event, payload);
    const skip = () => {
      this.skippedCounts.bindings++;
      this.warnings.note('bindings');
    };
    takeBindings({ table, states, emit, skip }, all, startedAt, first);
    if (!first) this.applyWants();
  }

  /** The bound device, loading the bindings first (and again when it is not among them). */
  private async find(did: string): Promise<DeviceInfo> {
    await this.ready();
    const known = this.table.device(did);
    if (known) return known;
    await this.loader.load();
    const device = this.table.device(did);
    if (!device) throw new GizwitsError({ code: 9017, ...keyed('device.notBound', { did }) });
    return device;
  }

  private wantedDids(): Set<string> {
    return this.table.wanted(this.wants.values());
  }

  private socketFor(did: string): DeviceSocket | undefined {
    return this.sockets.get(this.table.endpointOf(did));
  }

  private applyWants(): void {
    if (this.closed) return;
    const byEndpoint = new Map<string, string[]>();
    this.lan?.follow(this.wantedDids());
    for (const did of this.cloudWanted()) {
      const endpoint = this.table.endpointOf(did);
      if (!endpoint) continue; // no usable address: read over REST, reported by 'unusable'
      if (!byEndpoint.has(endpoint)) byEndpoint.set(endpoint, []);
      byEndpoint.get(endpoint)!.push(did);
    }
    this.sockets.follow(byEndpoint);
    this.emit('state', this.state, this.error);
    void this.reconciler.readOffline();
  }

  /**
   * Takes a report into the device's state and emits it. `onlyChanges`: a state read over REST, or the
   * answer to a check of a silent device, is no update from the device, so it is emitted only when it
   * differs from what is known. `via`: the link that brought it.
   */
  private onReport(
    did: string,
    attrs: Record<string, unknown>,
    initial: boolean,
    at: number,
    onlyChanges: boolean,
    via: Via,
  ): void {
    const device = this.table.device(did);
    if (!device || this.lan?.isStaleRead(did, via, initial, at)) return;
    // The LAN and the websocket are the device speaking; a REST read is not (device-states.ts).
    const change = this.states.take(did, attrs, at, onlyChanges, via !== 'rest');
    if (!change) return;
    const { attrs: state, changed, first } = change;
    // The same report over the LAN and the cloud gives one message (report-origins.ts).
    if (this.lan && !this.lan.isNews(did, via, first || Object.keys(changed).length > 0, at)) return;
    this.emit('status', { did, device, attrs: state, changed, initial, first, via } satisfies StatusEvent);
  }

  /** The followed devices the cloud serves: in `only` mode, not those on their LAN link alone. */
  private cloudWanted(): Set<string> {
    return this.lan ? this.lan.cloudServed(this.wantedDids()) : this.wantedDids();
  }

  private onOnline(did: string, online: boolean): void {
    this.states.noteOnlinePush(did);
    const device = this.table.setOnline(did, online);
    if (device) this.emit('online', { did, online, device });
  }

  private scheduleBindingRefresh(): void {
    clearTimeout(this.bindingRefresh);
    this.bindingRefresh = setTimeout(() => {
      this.refreshBindings().catch((error) => this.reportError(error));
    }, 200);
  }
}
