// The device registry of one account: bindings (every page), each product's data points, the last known
// state and online flag of every device, the websockets that keep it current, and a slow REST
// reconciliation so that no flow keeps serving stale state.
import { EventEmitter } from 'node:events';
import type { GizwitsClient } from './client';
import {
  decodeReport,
  encodeWrite,
  rawFrame,
  rawPayload,
  reportsMatch,
  toProductSchema,
  toRestAttrs,
  type ProductSchema,
} from './datapoints';
import { DeviceSocket, type DeviceSocketOptions, type NotiEvent, type SocketState } from './device-socket';
import { GizwitsError } from './errors';
import type { AttrValues, Binding } from './types';

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
  socket?: Partial<Omit<DeviceSocketOptions, 'url' | 'appId' | 'credentials'>>;
}

export type RegistryState = SocketState | 'idle';

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
  private readonly schemas = new Map<string, Promise<ProductSchema>>();
  private readonly sockets = new Map<string, DeviceSocket>();
  private readonly wants = new Map<string, Want>();
  private loaded: Promise<void> | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private bindingRefresh: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly reconcileIntervalMs: number;
  private readonly silentAfterMs: number;

  constructor(
    private readonly client: GizwitsClient,
    private readonly options: RegistryOptions,
  ) {
    super();
    this.reconcileIntervalMs = options.reconcileIntervalMs ?? 60_000;
    this.silentAfterMs = options.silentAfterMs ?? 10 * 60_000;
  }

  /** Loads the bindings once; later calls wait for the same load. */
  ready(): Promise<void> {
    this.loaded ??= this.loadBindings().catch((error) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  /**
   * Declares which devices `owner` follows ('all' includes devices bound later). Returns a function that
   * withdraws the declaration. The sockets subscribe to the union of all declarations.
   */
  follow(owner: string, dids: 'all' | string[]): () => void {
    this.wants.set(owner, dids === 'all' ? ALL : new Set(dids));
    void this.ready()
      .then(() => this.applyWants())
      .catch((error) => this.emit('error', error));
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

  /** Aggregate connection state: the worst state of the sockets in use. */
  get state(): RegistryState {
    const states = [...this.sockets.values()].map((s) => s.state);
    for (const s of ['failed', 'reconnecting', 'connecting', 'authenticating'] as const)
      if (states.includes(s)) return s;
    return states.length ? 'online' : 'idle';
  }

  get error(): Error | undefined {
    return [...this.sockets.values()].find((s) => s.state === 'failed')?.error;
  }

  /** The product's data points (`GET /app/datapoint`), fetched once per product. */
  schema(productKey: string): Promise<ProductSchema> {
    let schema = this.schemas.get(productKey);
    if (!schema) {
      schema = this.client.call('devices.datapoint', { product_key: productKey }).then(toProductSchema);
      schema.catch(() => this.schemas.delete(productKey));
      this.schemas.set(productKey, schema);
    }
    return schema;
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
    confirmation?.catch(() => {});
    const socket = this.socketFor(did);
    if (this.useWebsocket(did, socket, options.transport ?? 'auto')) {
      await socket!.write(did, attrs, timeoutMs);
    } else {
      await this.client.call('devices.control', { did, attrs: toRestAttrs(schema, attrs) });
    }
    if (confirmation) return confirmation;
    return { ...(this.states.get(did)?.attrs ?? {}), ...attrs };
  }

  /** Sends raw bytes: the websocket takes the whole frame (checked or built), REST the payload. */
  async writeRaw(did: string, bytes: number[], options: WriteOptions = {}): Promise<void> {
    await this.ready();
    if (!this.devices.has(did)) await this.refreshAndFind(did);
    const frame = rawFrame(bytes, did);
    const socket = this.socketFor(did);
    if (this.useWebsocket(did, socket, options.transport ?? 'auto')) {
      await socket!.writeRaw(did, frame, options.timeoutMs ?? 10_000);
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
      const answered = new Promise<void>((resolve) => {
        const onStatus = (event: StatusEvent) => {
          if (event.did !== did) return;
          this.off('status', onStatus);
          resolve();
        };
        this.on('status', onStatus);
        setTimeout(() => {
          this.off('status', onStatus);
          resolve();
        }, timeoutMs).unref();
      });
      try {
        await socket.read(did, timeoutMs);
        await answered;
        const state = this.states.get(did);
        if (state) return { ...state.attrs };
      } catch {
        // fall through to REST
      }
    }
    await this.readOverRest(did);
    return { ...(this.states.get(did)?.attrs ?? {}) };
  }

  /** Reads the bindings again (every page) and reports devices bound or unbound since. */
  async refreshBindings(): Promise<void> {
    const before = new Set(this.bindings.keys());
    await this.loadBindings();
    for (const did of this.bindings.keys())
      if (!before.has(did)) this.emit('binding', { did, bind: true, device: this.devices.get(did) });
    for (const did of before) if (!this.bindings.has(did)) this.emit('binding', { did, bind: false });
    this.applyWants();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reconcileTimer);
    clearTimeout(this.bindingRefresh);
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
    this.wants.clear();
    this.removeAllListeners();
  }

  // --- internals

  private async loadBindings(): Promise<void> {
    const all = (await this.client.listAll('bindings.list', { show_disabled: 0 })) as Binding[];
    if (this.closed) return;
    const seen = new Set<string>();
    for (const binding of all) {
      if (binding.is_disabled) continue;
      seen.add(binding.did);
      this.bindings.set(binding.did, binding);
      const known = this.devices.get(binding.did);
      this.devices.set(binding.did, {
        ...infoOf(binding),
        online: known ? known.online : binding.is_online === true,
      });
    }
    for (const did of [...this.bindings.keys()]) {
      if (!seen.has(did)) {
        this.bindings.delete(did);
        this.devices.delete(did);
        this.states.delete(did);
      }
    }
  }

  private async refreshAndFind(did: string): Promise<DeviceInfo> {
    await this.loadBindings();
    const device = this.devices.get(did);
    if (!device) {
      throw new GizwitsError({
        code: 9017,
        message: `Gizwits device ${did} is not bound to this account: check the did, or bind the device first`,
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

  private endpointOf(binding: Binding): string {
    const scheme = this.options.secure ? 'wss' : 'ws';
    const port = this.options.secure ? binding.wss_port : binding.ws_port;
    return `${scheme}://${binding.host}:${port}/ws/app/v1`;
  }

  private socketFor(did: string): DeviceSocket | undefined {
    const binding = this.bindings.get(did);
    return binding ? this.sockets.get(this.endpointOf(binding)) : undefined;
  }

  private useWebsocket(did: string, socket: DeviceSocket | undefined, transport: Transport): boolean {
    if (transport === 'rest') return false;
    if (transport === 'websocket') {
      if (!socket?.isSubscribed(did)) {
        throw new GizwitsError({
          code: 'NETWORK',
          message: `Gizwits device ${did}: the websocket is not connected (${socket?.state ?? 'not started'}); use transport auto or rest`,
        });
      }
      return true;
    }
    return !!socket?.isSubscribed(did) && this.devices.get(did)?.online === true;
  }

  private applyWants(): void {
    if (this.closed) return;
    const byEndpoint = new Map<string, string[]>();
    for (const did of this.wantedDids()) {
      const endpoint = this.endpointOf(this.bindings.get(did)!);
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
  }

  private makeSocket(url: string): DeviceSocket {
    const socket = new DeviceSocket({
      ...this.options.socket,
      url,
      appId: this.client.appId,
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
    socket.on('noti', (event: NotiEvent) => this.onReport(event.did, event.attrs, event.initial));
    socket.on('online', (event: { did: string; online: boolean }) => this.onOnline(event.did, event.online));
    socket.on('raw', (event: { did: string; raw: number[] }) =>
      this.emit('raw', { ...event, device: this.devices.get(event.did) }),
    );
    socket.on('binding', () => this.scheduleBindingRefresh());
    socket.on('login', () => this.emit('login', url));
    return socket;
  }

  private onReport(did: string, attrs: Record<string, unknown>, initial: boolean, at = Date.now()): void {
    const device = this.devices.get(did);
    if (!device) return;
    const first = !this.states.has(did);
    const state = this.states.get(did) ?? { attrs: {}, updatedAt: 0 };
    const changed: StatusEvent['changed'] = {};
    for (const [name, value] of Object.entries(attrs)) {
      const old = state.attrs[name];
      if (JSON.stringify(old) !== JSON.stringify(value)) changed[name] = { old, new: value };
    }
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
    if (!device || device.online === online) return;
    device.online = online;
    this.emit('online', { did, online, device });
  }

  private scheduleBindingRefresh(): void {
    clearTimeout(this.bindingRefresh);
    this.bindingRefresh = setTimeout(() => {
      this.refreshBindings().catch((error) => this.emit('error', error));
    }, 200);
  }

  private waitForReport(did: string, attrs: AttrValues, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onStatus = (event: StatusEvent) => {
        if (event.did === did && reportsMatch(attrs, event.attrs)) finish();
      };
      const finish = () => {
        clearTimeout(timer);
        this.off('status', onStatus);
        resolve({ ...(this.states.get(did)?.attrs ?? {}) });
      };
      const timer = setTimeout(async () => {
        this.off('status', onStatus);
        try {
          await this.readOverRest(did);
          if (reportsMatch(attrs, this.states.get(did)?.attrs ?? {}))
            return resolve({ ...this.states.get(did)!.attrs });
        } catch {
          // reported below
        }
        reject(
          new GizwitsError({
            code: 'TIMEOUT',
            message: `Gizwits device ${did} did not report ${Object.keys(attrs).join(', ')} as written within ${timeoutMs / 1000} s: the device may be offline or refused the values`,
          }),
        );
      }, timeoutMs);
      this.on('status', onStatus);
    });
  }

  private async readOverRest(did: string): Promise<void> {
    const latest = await this.client.call('devices.latest', { did });
    const updated = Number(latest.updated_at);
    const at =
      Number.isFinite(updated) && updated > 0 ? (updated > 1e11 ? updated : updated * 1000) : Date.now();
    const known = this.states.get(did);
    if (!latest.attr || (known && at < known.updatedAt)) return;
    const productKey = this.devices.get(did)?.productKey;
    const schema = productKey ? await this.schema(productKey).catch(() => undefined) : undefined;
    this.onReport(did, decodeReport(schema, latest.attr), !known, at);
  }

  private startReconciling(): void {
    if (this.reconcileTimer || this.closed) return;
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.reconcileIntervalMs);
    this.reconcileTimer.unref();
  }

  /** Reads over REST the followed devices whose socket is down or that have been silent for long. */
  private async reconcile(): Promise<void> {
    const now = Date.now();
    for (const did of this.wantedDids()) {
      if (this.closed) return;
      const socket = this.socketFor(did);
      const state = this.states.get(did);
      const stale = !socket?.isSubscribed(did) || !state || now - state.updatedAt > this.silentAfterMs;
      if (!stale) continue;
      try {
        await this.readOverRest(did);
      } catch {
        // The next round tries again; a dead cloud is reported through the connection state.
      }
    }
  }
}
