// The simulated cloud's state: users, virtual devices, bindings and every per-user collection, plus the
// events a websocket server subscribes to. Routes validate requests; the model applies them.
import { EventEmitter } from 'node:events';
import { AccountStore } from './accounts';
import type { StoredValue } from './datapoint-values';
import { driftReadings } from './device-drift';
import { newObjectId } from './ids';
import { RuleEngine, type AutomationFiring } from './rule-engine';
import { ScheduleRunner } from './schedule-runner';
import { SimClock } from './sim-clock';
import type { ProductDefinition } from './product-types';
import type {
  BindingRecord,
  BindingRole,
  GroupRecord,
  MessageRecord,
  RuleRecord,
  SceneRecord,
  SchedulerRecord,
  SharingRecord,
} from './records';
import { logPayload, VirtualDevice, type VirtualDeviceInit } from './virtual-device';

export interface DeviceReportEvent {
  did: string;
  /** The device's whole state in websocket encoding (booleans, scaled numbers, enum labels, byte arrays). */
  attrs: Record<string, boolean | number | string | number[]>;
  /** Names of the data points this report changed. */
  changed: string[];
}

export interface DeviceOnlineEvent {
  did: string;
  online: boolean;
}

export interface BindingChangedEvent {
  uid: string;
  did: string;
  bind: boolean;
}

/** A transparent (P0) frame the device sent on its own; the websocket delivers it as `s2c_raw`. */
export interface DeviceRawEvent {
  did: string;
  raw: number[];
  /** Appended to the did on the wire (`<did>/usr/...`), as real devices sometimes do; '' for none. */
  didSuffix: string;
}

export interface SimulatorEvents {
  report: [DeviceReportEvent];
  online: [DeviceOnlineEvent];
  binding: [BindingChangedEvent];
  raw: [DeviceRawEvent];
}

/** What the simulated devices append to their did in `s2c_raw` unless told otherwise. */
export const DEFAULT_RAW_DID_SUFFIX = '/usr/raw';

/** Who caused a write, for the communication log. */
export interface WriteOrigin {
  uid?: string;
  appid?: string;
  source: 'client' | 'd3';
}

export class SimulatorModel extends EventEmitter<SimulatorEvents> {
  /** Multiplies every scene delay; tests set it small so that a 2 s delay takes milliseconds. */
  timeScale = 1;
  readonly products = new Map<string, ProductDefinition>();
  readonly devices = new Map<string, VirtualDevice>();
  readonly accounts = new AccountStore();
  readonly bindings: BindingRecord[] = [];
  /** The same bindings by `uid did`: a websocket asks for one on every subscribe and read. */
  private readonly bindingIndex = new Map<string, BindingRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly scenes = new Map<string, SceneRecord>();
  readonly rules = new Map<number, RuleRecord>();
  readonly schedulers = new Map<string, SchedulerRecord>();
  readonly sharings = new Map<number, SharingRecord>();
  readonly messages = new Map<string, MessageRecord>();
  /** The clock schedules fire by; tests set it or speed it up. */
  readonly clock = new SimClock();
  /** Rules and schedules that fired, oldest first (the last 1000). */
  readonly firings: AutomationFiring[] = [];
  private readonly ruleEngine = new RuleEngine(this);
  private readonly scheduleRunner = new ScheduleRunner(this);
  private nextRuleId = 8801;
  private nextSharingId = 10401;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pendingSleeps = new Set<() => void>();
  private disposed = false;

  addProduct(product: ProductDefinition): void {
    this.products.set(product.product_key, product);
  }

  addDevice(init: Omit<VirtualDeviceInit, 'product'> & { productKey: string }): VirtualDevice {
    const product = this.products.get(init.productKey);
    if (!product) throw new Error(`simulator bug: unknown product ${init.productKey}`);
    const device = new VirtualDevice({ ...init, product });
    this.devices.set(device.did, device);
    if (device.online) device.record({ type: 'dev_online' });
    return device;
  }

  findDeviceByMac(productKey: string, mac: string): VirtualDevice | undefined {
    for (const device of this.devices.values()) {
      if (device.product.product_key === productKey && device.mac.toLowerCase() === mac.toLowerCase())
        return device;
    }
    return undefined;
  }

  binding(uid: string, did: string): BindingRecord | undefined {
    return this.bindingIndex.get(`${uid} ${did}`);
  }

  bindingsOf(uid: string): BindingRecord[] {
    return this.bindings.filter((entry) => entry.uid === uid);
  }

  bindingsOfDevice(did: string): BindingRecord[] {
    return this.bindings.filter((entry) => entry.did === did);
  }

  bind(uid: string, did: string, role: BindingRole, details: Partial<BindingRecord> = {}): BindingRecord {
    const existing = this.binding(uid, did);
    if (existing) return existing;
    const record: BindingRecord = {
      remark: '',
      dev_alias: '',
      dev_label: [],
      ...details,
      uid,
      did,
      role,
      createdAt: Date.now(),
    };
    this.bindings.push(record);
    this.bindingIndex.set(`${uid} ${did}`, record);
    this.emit('binding', { uid, did, bind: true });
    return record;
  }

  unbind(uid: string, did: string): boolean {
    const index = this.bindings.findIndex((entry) => entry.uid === uid && entry.did === did);
    if (index < 0) return false;
    this.bindings.splice(index, 1);
    this.bindingIndex.delete(`${uid} ${did}`);
    for (const group of this.groups.values()) {
      if (group.uid === uid) group.dids = group.dids.filter((member) => member !== did);
    }
    this.emit('binding', { uid, did, bind: false });
    return true;
  }

  /** Applies already validated values, logs both directions and reports the new state. */
  writeAttrs(did: string, values: ReadonlyMap<string, StoredValue>, origin: WriteOrigin): string[] {
    const device = this.requireDevice(did);
    const written = Buffer.from(JSON.stringify(Object.fromEntries(values)));
    device.record({ type: 'app2dev', payload_bin: logPayload(0x90, written), ...origin });
    return device.ignoresWrites ? [] : this.report(device, values);
  }

  /** A raw command reaches the device's log; the simulated devices do not interpret raw bytes. */
  writeRaw(did: string, bytes: Buffer, origin: WriteOrigin): void {
    this.requireDevice(did).record({ type: 'app2dev', payload_bin: logPayload(0x90, bytes), ...origin });
  }

  /** The device sends a transparent frame on its own; the log keeps it as it came. */
  sendRawFromDevice(did: string, bytes: Buffer, didSuffix = DEFAULT_RAW_DID_SUFFIX): void {
    const device = this.requireDevice(did);
    device.record({ type: 'dev2app', payload_bin: bytes.toString('hex') });
    this.emit('raw', { did, raw: [...bytes], didSuffix });
  }

  /** The device reports values on its own (a measurement, an alert): any data point may change. */
  reportFromDevice(did: string, values: ReadonlyMap<string, StoredValue>): string[] {
    return this.report(this.requireDevice(did), values);
  }

  setOnline(did: string, online: boolean): void {
    const device = this.requireDevice(did);
    if (device.online === online) return;
    device.online = online;
    device.record({ type: online ? 'dev_online' : 'dev_offline' });
    this.emit('online', { did, online });
  }

  notify(uid: string, content: string): MessageRecord {
    const now = Date.now();
    const message: MessageRecord = {
      id: newObjectId(),
      uid,
      type: 1,
      status: 0,
      content,
      createdAt: now,
      updatedAt: now,
    };
    this.messages.set(message.id, message);
    return message;
  }

  takeRuleId(): number {
    return this.nextRuleId++;
  }

  takeSharingId(): number {
    return this.nextSharingId++;
  }

  /** Resolves after `ms`, or early when the model is disposed (then it rejects). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.disposed) return reject(new Error('simulator closed'));
      const cancel = (): void => reject(new Error('simulator closed'));
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.pendingSleeps.delete(cancel);
          resolve();
        },
        Math.max(0, ms),
      );
      this.timers.add(timer);
      this.pendingSleeps.add(cancel);
    });
  }

  startDrift(intervalMs: number): void {
    if (intervalMs <= 0 || this.disposed) return;
    const timer = setInterval(() => this.driftAll(intervalMs), intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  driftAll(elapsedMs: number): void {
    for (const device of this.devices.values()) {
      if (!device.online || device.holdsReadings) continue;
      const next = driftReadings(device, elapsedMs);
      if (next.size > 0) this.report(device, next);
    }
  }

  /** Rules start reacting to reports, and schedules fire by the clock, checked every `tickMs`. */
  startAutomation(tickMs = 250): void {
    if (this.disposed) return;
    this.ruleEngine.attach();
    this.scheduleRunner.attach();
    const timer = setInterval(() => this.scheduleRunner.runDue(), tickMs);
    timer.unref();
    this.timers.add(timer);
  }

  dispose(): void {
    this.clock.removeAllListeners();
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const cancel of this.pendingSleeps) cancel();
    this.pendingSleeps.clear();
    this.removeAllListeners();
  }

  private report(device: VirtualDevice, values: ReadonlyMap<string, StoredValue>): string[] {
    const changed = device.apply(values);
    const reported = Buffer.from(JSON.stringify(device.restSnapshot()));
    device.record({ type: 'dev2app', payload_bin: logPayload(0x91, reported) });
    this.emit('report', { did: device.did, attrs: device.socketSnapshot(), changed });
    return changed;
  }

  private requireDevice(did: string): VirtualDevice {
    const device = this.devices.get(did);
    if (!device) throw new Error(`simulator bug: unknown device ${did}`);
    return device;
  }
}
