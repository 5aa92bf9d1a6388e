// The device registry of one account: bindings (every page), each product's data points, the last known
// state and online flag of every device, the websockets that keep it current, and a slow REST
// reconciliation so that no flow keeps serving stale state. Bindings are checked like websocket frames:
// a device whose binding names no usable websocket address is read over REST and reported on its own.
import { EventEmitter } from 'node:events';
import { reconnectDelay } from './backoff';
import { checkBinding, socketEndpoint } from './binding-check';
import type { GizwitsClient } from './client';
import {
  decodeReport,
  encodeWrite,
  rawFrame,
  rawPayload,
  reportsMatch,
  toRestAttrs,
  type ProductSchema,
} from './datapoints';
import {
  DeviceSocket,
  type DeviceSocketOptions,
  type NotiEvent,
  type SkippedCounts,
  type SkippedKind,
  type SocketState,
} from './device-socket';
import { GizwitsError, keyed, type ErrorText } from './errors';
import { isPermanentFailure } from './permanent-failure';
import { SchemaCache } from './schema-cache';
import { isAttrName, isObject } from './socket-frames';
import type { AttrValues, Binding } from './types';
import { WarningGate } from './warning-gate';

export interface DeviceInfo {
  did: string;
  productKey: string;
  mac: string;
  alias: string;
  remark: string;
  online: boolean;
}

export interface DeviceState {
  attrs: Record<string, unknown>;
  /** Epoch ms of the last report, 0 when nothing is known yet. */
  updatedAt: number;
}

export interface StatusEvent {
  did: string;
  device: DeviceInfo;
  /** The device's whole state after this update. */
  attrs: Record<string, unknown>;
  changed: Record<string, { old: unknown; new: unknown }>;
  initial: boolean;
  /** The first state known of this device since the registry started. */
  first: boolean;
}

export type Transport = 'auto' | 'rest' | 'websocket';

export interface WriteOptions {
  transport?: Transport;
  confirm?: boolean;
  timeoutMs?: number;
}

export interface RegistryOptions {
  secure: boolean;
  /** How often to look for devices whose state may be stale. */
  reconcileIntervalMs?: number;
  /** A device silent this long (or behind a socket that is down) is read over REST. */
  silentAfterMs?: number;
  socket?: Partial<Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials' | 'tokenGiven'>>;
}

export type RegistryState = SocketState | 'idle';

/** What the registry skipped: the sockets' counts, and bindings with an unusable did or product key. */
export type RegistrySkipped = SkippedCounts & { bindings: number };

/** A followed device whose binding gives no usable websocket address ('unusable' event). */
export interface UnusableEvent {
  did: string;
  device: DeviceInfo;
  error: GizwitsError;
}

const ALL = Symbol('all devices');
type Want = typeof ALL | Set<string>;

function infoOf(binding: Binding): DeviceInfo {
  return {
    did: binding.did,
    productKey: binding.product_key,
    mac: binding.mac,
    alias: binding.dev_alias ?? '',
    remark: binding.remark ?? '',
    online: binding.is_online === true,
  };
}

export class DeviceRegistry extends EventEmitter {
  private readonly bindings = new Map<string, Binding>();
  private readonly devices = new Map<string, DeviceInfo>();
  private readonly states = new Map<string, DeviceState>();
  private readonly schemas: SchemaCache;
  private readonly sockets = new Map<string, DeviceSocket>();
  /** Each device's websocket URL, or why its binding gives none. */
  private readonly endpoints = new Map<string, string>();
  private readonly unusable = new Map<string, GizwitsError>();
  private readonly skippedCounts: RegistrySkipped = { frames: 0, oversized: 0, internal: 0, bindings: 0 };
  private readonly warnings: WarningGate<'bindings'>;
  private readonly wants = new Map<string, Want>();
  private loaded: Promise<void> | undefined;
  /** Loads of the bindings run one after the other, so that an older list never lands last. */
  private loadChain: Promise<void> = Promise.resolve();
  private bindingsKnown = false;
  /** Why the bindings could not be loaded for the followers; permanent ones are not retried. */
  private loadFailure: { error: Error; permanent: boolean } | undefined;
  private loadAttempt = 0;
  private loadRetry: NodeJS.Timeout | undefined;
  /** Local times of the last websocket report and online push, and of the last REST read, per device. */
  private readonly pushedAt = new Map<string, number>();
  private readonly onlinePushedAt = new Map<string, number>();
  private readonly checkedAt = new Map<string, number>();
  /** Confirmations and reads waiting on reports; close() ends them. */
  private readonly waits = new Set<(error: GizwitsError) => void>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private readonly offlineReads = new Set<string>();
  private starting = false;
  private bindingRefresh: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly reconcileIntervalMs: number;
  private readonly silentAfterMs: number;

  constructor(
    private readonly client: GizwitsClient,
    private readonly options: RegistryOptions,
  ) {
    super();
    this.schemas = new SchemaCache(client);
    this.reconcileIntervalMs = options.reconcileIntervalMs ?? 60_000;
    this.silentAfterMs = options.silentAfterMs ?? 10 * 60_000;
    this.warnings = new WarningGate(
      (_kind, count) => this.warnSkippedBindings(count),
      options.socket?.warnIntervalMs,
    );
  }

  /** Loads the bindings once; later calls wait for the same load. */
  ready(): Promise<void> {
    this.loaded ??= this.loadBindings().then(
      () => {
        this.loadFailure = undefined;
        this.loadAttempt = 0;
      },
      (error) => {
        this.loaded = undefined;
        throw error;
      },
    );
    return this.loaded;
  }

  /**
   * Declares which devices `owner` follows ('all' includes devices bound later). Returns a function that
   * withdraws the declaration. The sockets subscribe to the union of all declarations.
   */
  follow(owner: string, dids: 'all' | string[]): () => void {
    this.wants.set(owner, dids === 'all' ? ALL : new Set(dids));
    this.start();
    this.startReconciling();
    return () => {
      this.wants.delete(owner);
      if (!this.closed) this.applyWants();
    };
  }

  list(): DeviceInfo[] {
    return [...this.devices.values()];
  }

  device(did: string): DeviceInfo | undefined {
    return this.devices.get(did);
  }

  stateOf(did: string): DeviceState | undefined {
    return this.states.get(did);
  }

  /** Aggregate connection state: the worst state of the sockets in use (or of loading the bindings). */
  get state(): RegistryState {
    if (this.closed) return 'closed';
    if (this.loadFailure) return this.loadFailure.permanent ? 'failed' : 'reconnecting';
    const states = [...this.sockets.values()].map((s) => s.state);
    for (const s of ['failed', 'reconnecting', 'connecting', 'authenticating'] as const)
      if (states.includes(s)) return s;
    return states.length ? 'online' : 'idle';
  }

  get error(): Error | undefined {
    if (this.loadFailure?.permanent) return this.loadFailure.error;
    return [...this.sockets.values()].find((s) => s.state === 'failed')?.error;
  }

  /** Why the device's binding gives no usable websocket address; undefined when it does. */
  addressError(did: string): GizwitsError | undefined {
    return this.unusable.get(did);
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
    await this.ready();
    const device = this.devices.get(did) ?? (await this.refreshAndFind(did));
    return this.schema(device.productKey);
  }

  /** Validates values against the device's data points (nothing is sent when they are wrong) and writes. */
  async write(did: string, values: unknown, options: WriteOptions = {}): Promise<Record<string, unknown>> {
    const schema = await this.schemaOfDevice(did);
    const attrs = encodeWrite(schema, values, did);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const confirmation = options.confirm ? this.waitForReport(did, attrs, timeoutMs) : undefined;
    try {
      if (await this.useWebsocket(did, options.transport ?? 'auto', timeoutMs)) {
        await this.socketFor(did)!.write(did, attrs, timeoutMs);
      } else {
        await this.client.call('devices.control', { did, attrs: toRestAttrs(schema, attrs) });
      }
    } catch (error) {
      confirmation?.cancel();
      throw error;
    }
    if (!confirmation) return { ...(this.states.get(did)?.attrs ?? {}), ...attrs };
    // Devices report only what changed, so values the device already held bring no report: look now.
    if (reportsMatch(attrs, this.states.get(did)?.attrs ?? {})) confirmation.check();
    return confirmation.done;
  }

  /** Sends raw bytes: the websocket takes the whole frame (checked or built), REST the payload. */
  async writeRaw(did: string, bytes: number[], options: WriteOptions = {}): Promise<void> {
    await this.ready();
    if (!this.devices.has(did)) await this.refreshAndFind(did);
    const frame = rawFrame(bytes, did);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (await this.useWebsocket(did, options.transport ?? 'auto', timeoutMs)) {
      await this.socketFor(did)!.writeRaw(did, frame, timeoutMs);
    } else {
      await this.client.call('devices.control', { did, raw: rawPayload(frame) });
    }
  }

  /** The device's current state: asked over the websocket when subscribed, else read over REST. */
  async read(did: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    await this.ready();
    if (!this.devices.has(did)) await this.refreshAndFind(did);
    const socket = this.socketFor(did);
    if (socket?.isSubscribed(did)) {
      let stop = () => {};
      const answered = new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          this.off('status', onStatus);
          this.waits.delete(finish);
          resolve();
        };
        const onStatus = (event: StatusEvent) => {
          if (event.did === did) finish();
        };
        const timer = setTimeout(finish, timeoutMs);
        this.on('status', onStatus);
        this.waits.add(finish);
        stop = finish;
      });
      try {
        await socket.read(did, timeoutMs);
        await answered;
        const state = this.states.get(did);
        if (state) return { ...state.attrs };
      } catch {
        stop(); // and fall through to REST
      }
    }
    await this.readOverRest(did);
    return { ...(this.states.get(did)?.attrs ?? {}) };
  }

  /**
   * Reads the bindings again (every page) and reports devices bound or unbound, and online flags that
   * changed, since the last read.
   */
  async refreshBindings(): Promise<void> {
    await this.loadBindings();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reconcileTimer);
    clearTimeout(this.bindingRefresh);
    clearTimeout(this.loadRetry);
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
    this.wants.clear();
    const closing = new GizwitsError({
      code: 'CLOSED',
      ...keyed('device.closed', {}),
    });
    for (const end of [...this.waits]) end(closing);
    this.warnings.close();
    this.removeAllListeners();
  }

  // --- internals

  /** Loads the bindings and opens the sockets the followers need; a transient failure is retried. */
  private start(): void {
    if (this.starting || this.closed) return; // the load under way serves every follower
    this.starting = true;
    clearTimeout(this.loadRetry);
    this.loadRetry = undefined;
    this.ready().then(
      () => {
        this.starting = false;
        this.applyWants();
      },
      (error: Error) => {
        this.starting = false;
        if (this.closed) return;
        const permanent = isPermanentFailure(error, { tokenGiven: this.client.session.mode === 'token' });
        this.loadFailure = { error, permanent };
        this.emit('state', this.state, this.error);
        this.reportError(error);
        // Refused credentials stay refused: no retry (the session's cooldown also guards the account).
        if (permanent || this.wants.size === 0) return;
        const socket = this.options.socket ?? {};
        const delay = reconnectDelay(
          this.loadAttempt++,
          socket.backoffBaseMs ?? 1_000,
          socket.backoffCapMs ?? 60_000,
          socket.random,
        );
        this.loadRetry = setTimeout(() => this.start(), delay);
      },
    );
  }

  /** 'error' has no default listener: emitting it unheard would throw from a timer or a promise. */
  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private loadBindings(): Promise<void> {
    const run = this.loadChain.catch(() => {}).then(() => this.fetchBindings());
    this.loadChain = run;
    return run;
  }

  private async fetchBindings(): Promise<void> {
    const startedAt = Date.now();
    const all = await this.client.listAll('bindings.list', { show_disabled: 0 });
    if (this.closed) return;
    const first = !this.bindingsKnown;
    this.bindingsKnown = true;
    const seen = new Set<string>();
    const bound: string[] = [];
    const flipped: string[] = [];
    const newlyUnusable: string[] = [];
    for (const entry of all) {
      const binding = checkBinding(entry);
      if (!binding) {
        this.skippedCounts.bindings++;
        this.warnings.note('bindings');
        continue;
      }
      if (binding.is_disabled || seen.has(binding.did)) continue;
      seen.add(binding.did);
      this.bindings.set(binding.did, binding);
      if (this.takeEndpoint(binding)) newlyUnusable.push(binding.did);
      const info = infoOf(binding);
      const known = this.devices.get(binding.did);
      if (!known) {
        this.devices.set(binding.did, info);
        bound.push(binding.did);
        continue;
      }
      // An online push that came while the list was on its way is newer than the list.
      if ((this.onlinePushedAt.get(binding.did) ?? 0) >= startedAt) info.online = known.online;
      if (info.online !== known.online) flipped.push(binding.did);
      Object.assign(known, info);
    }
    const unbound = [...this.bindings.keys()].filter((did) => !seen.has(did));
    for (const did of unbound) {
      this.bindings.delete(did);
      this.endpoints.delete(did);
      this.unusable.delete(did);
      this.devices.delete(did);
      this.states.delete(did);
      this.pushedAt.delete(did);
      this.onlinePushedAt.delete(did);
      this.checkedAt.delete(did);
    }
    for (const did of newlyUnusable) {
      const event: UnusableEvent = { did, device: this.devices.get(did)!, error: this.unusable.get(did)! };
      this.emit('unusable', event);
    }
    if (first) return;
    for (const did of bound) this.emit('binding', { did, bind: true, device: this.devices.get(did) });
    for (const did of unbound) this.emit('binding', { did, bind: false });
    for (const did of flipped) {
      const device = this.devices.get(did)!;
      this.emit('online', { did, online: device.online, device });
    }
    this.applyWants();
  }

  private async refreshAndFind(did: string): Promise<DeviceInfo> {
    await this.loadBindings();
    const device = this.devices.get(did);
    if (!device) {
      throw new GizwitsError({
        code: 9017,
        ...keyed('device.notBound', { did }),
      });
    }
    return device;
  }

  private wantedDids(): Set<string> {
    const wanted = new Set<string>();
    for (const want of this.wants.values()) {
      if (want === ALL) return new Set(this.bindings.keys());
      for (const did of want) if (this.bindings.has(did)) wanted.add(did);
    }
    return wanted;
  }

  /**
   * Notes the device's websocket URL, or why its binding gives none; answers true when the binding just
   * became unusable (or unusable for another reason).
   */
  private takeEndpoint(binding: Binding): boolean {
    const endpoint = socketEndpoint(binding, this.options.secure);
    if ('url' in endpoint) {
      this.endpoints.set(binding.did, endpoint.url);
      this.unusable.delete(binding.did);
      return false;
    }
    this.endpoints.delete(binding.did);
    const before = this.unusable.get(binding.did);
    const error = new GizwitsError({
      code: 'BAD_RESPONSE',
      ...keyed('device.badAddress', { did: binding.did, field: endpoint.field }),
    });
    this.unusable.set(binding.did, error);
    return before?.message !== error.message;
  }

  private warnSkippedBindings(count: number): void {
    const error = new GizwitsError({
      code: 'BAD_RESPONSE',
      ...keyed('device.skipped.bindings', { count }),
    });
    this.emit('warning', error);
  }

  private socketFor(did: string): DeviceSocket | undefined {
    const endpoint = this.endpoints.get(did);
    return endpoint ? this.sockets.get(endpoint) : undefined;
  }

  /**
   * Whether a write goes over the websocket. `websocket` waits (up to `timeoutMs`) for a socket that is
   * still connecting or reconnecting to subscribe the device, rather than failing a message that came
   * just after a deploy or during a reconnect; `auto` takes REST at once instead.
   */
  private async useWebsocket(did: string, transport: Transport, timeoutMs: number): Promise<boolean> {
    if (transport === 'rest') return false;
    const unusable = this.unusable.get(did);
    if (unusable && transport === 'websocket') throw unusable;
    if (transport === 'auto')
      return !!this.socketFor(did)?.isSubscribed(did) && this.devices.get(did)?.online === true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const socket = this.socketFor(did);
      if (socket?.isSubscribed(did)) {
        // The cloud answers a write to an offline device with an s2c_invalid_msg that names no request,
        // so the write would only end at its timeout: refuse it now, as REST does (9042).
        if (this.devices.get(did)?.online === false)
          throw new GizwitsError({
            code: 9042,
            operation: `websocket write to ${did}`,
            retryable: false,
            text: { key: 'device.offline', params: { did } },
          });
        return true;
      }
      const state = socket?.state;
      // No follower wants the device, so no subscription is coming for it: waiting would only delay the error.
      const coming = this.wantedDids().has(did);
      if (this.closed || !coming || state === 'failed' || state === 'closed' || Date.now() >= deadline) {
        const shownState: string | ErrorText = state ?? { key: 'device.notStarted' };
        throw new GizwitsError({
          code: 'NETWORK',
          ...(coming
            ? keyed('device.notConnected', { did, state: shownState })
            : keyed('device.notFollowed', { did })),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
    }
  }

  private applyWants(): void {
    if (this.closed) return;
    const byEndpoint = new Map<string, string[]>();
    for (const did of this.wantedDids()) {
      const endpoint = this.endpoints.get(did);
      if (!endpoint) continue; // no usable address: read over REST, reported by 'unusable'
      if (!byEndpoint.has(endpoint)) byEndpoint.set(endpoint, []);
      byEndpoint.get(endpoint)!.push(did);
    }
    for (const [endpoint, socket] of this.sockets) {
      if (!byEndpoint.has(endpoint)) {
        socket.close();
        this.sockets.delete(endpoint);
      }
    }
    for (const [endpoint, dids] of byEndpoint) {
      let socket = this.sockets.get(endpoint);
      if (!socket) {
        socket = this.makeSocket(endpoint);
        this.sockets.set(endpoint, socket);
      }
      socket.setWanted(dids);
    }
    this.emit('state', this.state, this.error);
    void this.readOffline();
  }

  /**
   * An offline device answers no websocket read, nor is a device without a usable websocket address
   * read over one, so their last known state is read over REST at once: followers get every device's
   * state after a deploy, not only the online ones' (and not a minute on).
   */
  private async readOffline(): Promise<void> {
    for (const did of this.wantedDids()) {
      if (this.closed) return;
      const overRest = this.devices.get(did)?.online === false || this.unusable.has(did);
      if (!overRest || this.states.has(did) || this.offlineReads.has(did)) continue;
      this.offlineReads.add(did);
      try {
        await this.readOverRest(did);
      } catch {
        // The reconcile rounds try again; a dead cloud shows in the connection state.
      } finally {
        this.offlineReads.delete(did);
      }
    }
  }

  private makeSocket(url: string): DeviceSocket {
    const socket = new DeviceSocket({
      ...this.options.socket,
      url,
      appId: this.client.appId,
      tokenGiven: this.client.session.mode === 'token',
      credentials: async (fresh) => {
        if (fresh) {
          const known = this.client.session.known;
          if (known) this.client.session.invalidate(known.token);
        }
        const token = await this.client.session.token();
        return { uid: token.uid, token: token.token };
      },
    });
    socket.on('state', () => this.emit('state', this.state, this.error));
    socket.on('skipped', (kind: SkippedKind) => this.skippedCounts[kind]++);
    socket.on('warning', (warning: GizwitsError) => this.emit('warning', warning));
    socket.on('noti', (event: NotiEvent) => {
      this.pushedAt.set(event.did, Date.now());
      this.onReport(event.did, event.attrs, event.initial);
    });
    socket.on('online', (event: { did: string; online: boolean }) => this.onOnline(event.did, event.online));
    socket.on('raw', (event: { did: string; raw: number[] }) =>
      this.emit('raw', { ...event, device: this.devices.get(event.did) }),
    );
    socket.on('binding', () => this.scheduleBindingRefresh());
    let loggedIn = false;
    socket.on('login', () => {
      // Back after a drop: devices may have gone on- or offline, or been bound, while nobody listened.
      if (loggedIn) this.scheduleBindingRefresh();
      loggedIn = true;
      this.emit('login', url);
    });
    return socket;
  }

  /**
   * Takes a report into the device's state and emits it. `onlyChanges`: a state read over REST is no
   * update from the device, so it is emitted only when it differs from what is known.
   */
  private onReport(
    did: string,
    attrs: Record<string, unknown>,
    initial: boolean,
    at = Date.now(),
    onlyChanges = false,
  ): void {
    const device = this.devices.get(did);
    if (!device) return;
    const first = !this.states.has(did);
    const state = this.states.get(did) ?? { attrs: {}, updatedAt: 0 };
    const changed: StatusEvent['changed'] = {};
    for (const [name, value] of Object.entries(attrs)) {
      const old = state.attrs[name];
      if (JSON.stringify(old) !== JSON.stringify(value)) changed[name] = { old, new: value };
    }
    if (onlyChanges && !first && Object.keys(changed).length === 0) return;
    state.attrs = { ...state.attrs, ...attrs };
    state.updatedAt = at;
    this.states.set(did, state);
    this.emit('status', {
      did,
      device,
      attrs: { ...state.attrs },
      changed,
      initial,
      first,
    } satisfies StatusEvent);
  }

  private onOnline(did: string, online: boolean): void {
    const device = this.devices.get(did);
    this.onlinePushedAt.set(did, Date.now());
    if (!device || device.online === online) return;
    device.online = online;
    this.emit('online', { did, online, device });
  }

  private scheduleBindingRefresh(): void {
    clearTimeout(this.bindingRefresh);
    this.bindingRefresh = setTimeout(() => {
      this.refreshBindings().catch((error) => this.reportError(error));
    }, 200);
  }

  /**
   * Waits until the device reports the written values. `check()` looks over REST at once; `cancel()`
   * gives up (the write failed). On timeout the state is read over REST once before giving up.
   */
  private waitForReport(did: string, attrs: AttrValues, timeoutMs: number) {
    const current = () => ({ ...(this.states.get(did)?.attrs ?? {}) });
    const matches = () => reportsMatch(attrs, this.states.get(did)?.attrs ?? {});
    const readBack = async () => {
      try {
        await this.readOverRest(did);
      } catch {
        // the caller decides with what is known
      }
      return matches();
    };
    let finished = false;
    let settle: (outcome: Record<string, unknown> | GizwitsError) => void = () => {};
    const done = new Promise<Record<string, unknown>>((resolve, reject) => {
      settle = (outcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.off('status', onStatus);
        this.waits.delete(settle);
        if (outcome instanceof GizwitsError) reject(outcome);
        else resolve(outcome);
      };
    });
    done.catch(() => {}); // the caller may have stopped listening (the write itself failed)
    const onStatus = (event: StatusEvent) => {
      if (event.did === did && reportsMatch(attrs, event.attrs)) settle(current());
    };
    const timer = setTimeout(async () => {
      if (await readBack()) return settle(current());
      settle(
        new GizwitsError({
          code: 'TIMEOUT',
          ...keyed('device.notConfirmed', {
            did,
            names: Object.keys(attrs).join(', '),
            seconds: timeoutMs / 1000,
          }),
        }),
      );
    }, timeoutMs);
    this.on('status', onStatus);
    this.waits.add(settle);
    return {
      done,
      cancel: () =>
        settle(
          new GizwitsError({
            code: 'CLOSED',
            ...keyed('device.writeFailed', { did }),
          }),
        ),
      check: () => {
        if (finished) return;
        void readBack().then((ok) => {
          if (ok) settle(current());
        });
      },
    };
  }

  private async readOverRest(did: string): Promise<void> {
    const startedAt = Date.now();
    const latest = await this.client.call('devices.latest', { did });
    const productKey = this.devices.get(did)?.productKey;
    const schema = productKey ? await this.schema(productKey).catch(() => undefined) : undefined;
    if (this.closed || !isObject(latest.attr)) return;
    this.checkedAt.set(did, Date.now());
    // A websocket report that arrived while this answer was on its way is newer than it. (Comparing with
    // `updated_at` cannot tell: it has whole seconds, and comes from the cloud's clock.)
    if ((this.pushedAt.get(did) ?? 0) >= startedAt) return;
    const updated = Number(latest.updated_at);
    const at =
      Number.isFinite(updated) && updated > 0 ? (updated > 1e11 ? updated : updated * 1000) : Date.now();
    // Names that are no data point's (`__proto__`, `constructor`) never reach the device's state.
    const attrs = Object.fromEntries(Object.entries(latest.attr).filter(([name]) => isAttrName(name)));
    this.onReport(did, decodeReport(schema, attrs), !this.states.has(did), at, true);
  }

  private startReconciling(): void {
    if (this.reconcileTimer || this.closed) return;
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.reconcileIntervalMs);
    this.reconcileTimer.unref();
  }

  /** Reads over REST the followed devices whose socket is down or that have been silent for long. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) return; // a slow round is still going: no second one beside it
    this.reconciling = true;
    try {
      for (const did of this.wantedDids()) {
        if (this.closed) return;
        if (!this.isStale(did, Date.now())) continue;
        try {
          await this.readOverRest(did);
        } catch {
          // The next round tries again; a dead cloud is reported through the connection state.
        }
      }
    } finally {
      this.reconciling = false;
    }
  }

  /** Not subscribed, nothing known, or nothing heard (pushed or read) for `silentAfterMs`. */
  private isStale(did: string, now: number): boolean {
    if (!this.socketFor(did)?.isSubscribed(did) || !this.states.has(did)) return true;
    const heard = Math.max(this.pushedAt.get(did) ?? 0, this.checkedAt.get(did) ?? 0);
    return now - heard > this.silentAfterMs;
  }
}
