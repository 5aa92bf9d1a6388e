// The registry's LAN links (docs/lan.md, "Joining the registry"): one LanLink per followed device that a
// discovery of the account's targets found, logged in with the passcode of the device's cloud details.
// Like SocketPool, it owns every socket and timer of its kind for one account; what the links hear goes
// to the registry's one report path, so no node knows which link carried it.
import type { GizwitsClient } from '../client';
import { GizwitsError, keyed } from '../errors';
import { discover, type DiscoveredDevice, type DiscoveryTarget } from '../lan/discovery';
import { LanLink } from '../lan/link';
import { LAN_TCP_PORT, LAN_TIMING, type LanLinkState } from '../lan/link-types';
import { p0Layout, type P0Layout } from '../lan/p0-layout';
import { ReportOrigins, type Via } from './report-origins';
import type { DeviceInfo } from './types';

export type LanMode = 'prefer' | 'only';

export interface LanPoolOptions {
  mode: LanMode;
  targets: DiscoveryTarget[];
  /** The devices' TCP port; 12416 on real modules. */
  tcpPort?: number;
  /** How often discovery runs again for followed devices not found yet (default 5 min). */
  rediscoverMs?: number;
  /** How long each discovery listens (default 2.5 s). */
  listenMs?: number;
  timing?: Partial<typeof LAN_TIMING>;
}

/** What the pool tells the registry and asks of it. */
export interface LanPoolHost {
  device(did: string): DeviceInfo | undefined;
  /** The product's `GET /app/datapoint` answer, shared with the registry's schemas. */
  datapoints(productKey: string): Promise<unknown>;
  report(did: string, values: Record<string, unknown>, initial: boolean): void;
  /** A link went up or down: the registry's 'lan' event. */
  linkChanged(did: string, up: boolean): void;
  warning(warning: GizwitsError): void;
  /** `only` mode: the link's state is the device's online flag. */
  online(did: string, online: boolean): void;
  /** `only` mode: which devices the cloud serves changed; the registry subscribes again. */
  reapply(): void;
}

export class LanPool {
  /** Where discovery last saw each did. */
  private readonly found = new Map<string, DiscoveredDevice>();
  private readonly links = new Map<string, LanLink>();
  /** Secrets: read once per device from its cloud details, kept here only, never logged or emitted. */
  private readonly passcodes = new Map<string, string>();
  private readonly layouts = new Map<string, Promise<P0Layout | undefined>>();
  private readonly opening = new Set<string>();
  private wanted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private discovering: Promise<void> | undefined;
  private closed = false;
  private reapplying = false;
  private readonly origins = new ReportOrigins();

  constructor(
    private readonly client: Pick<GizwitsClient, 'call'>,
    readonly options: LanPoolOptions,
    private readonly host: LanPoolHost,
  ) {}

  get mode(): LanMode {
    return this.options.mode;
  }

  /** Dids discovery has found. */
  seen(): Set<string> {
    return new Set(this.found.keys());
  }

  link(did: string): LanLink | undefined {
    return this.links.get(did);
  }

  isUp(did: string): boolean {
    return this.links.get(did)?.state === 'online';
  }

  /** Of these followed devices, those the cloud serves: in `only` mode, all but those with a link. */
  cloudServed(wanted: Set<string>): Set<string> {
    if (this.options.mode === 'only') for (const did of this.links.keys()) wanted.delete(did);
    return wanted;
  }

  /** The link a command may take, and whether it must (`only` mode). */
  forCommand(did: string): { link: LanLink; only: boolean } | undefined {
    const link = this.links.get(did);
    return link && { link, only: this.options.mode === 'only' };
  }

  /** Whether a report is news or the echo over one link of a change another link brought. */
  isNews(did: string, via: Via, changed: boolean, at: number): boolean {
    return this.origins.accept(did, via, changed, at);
  }

  /** Whether a state read after connecting `via` may be older than what another link just brought. */
  isStaleRead(did: string, via: Via, initial: boolean, at: number): boolean {
    return initial && this.origins.staleRead(did, via, at);
  }

  /** The devices the registry's followers want: links for those found, none for the others. */
  follow(wanted: Set<string>): void {
    if (this.closed) return;
    this.wanted = wanted;
    for (const [did, link] of this.links) {
      if (wanted.has(did)) continue;
      this.links.delete(did);
      void link.close();
      this.origins.forget(did);
      this.changed(did, false, true);
    }
    if (wanted.size === 0) return;
    if (!this.timer && !this.discovering) void this.discoverNow();
    else this.openWanted();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const link of this.links.values()) void link.close();
    this.links.clear();
    this.passcodes.clear();
  }

  private async discoverNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.discovering = discover({ targets: this.options.targets, listenMs: this.options.listenMs })
      .then((devices) => {
        for (const device of devices) if (device.did) this.found.set(device.did, device);
      })
      .catch(() => undefined);
    await this.discovering;
    this.discovering = undefined;
    if (this.closed) return;
    this.openWanted();
    this.timer = setTimeout(() => void this.discoverNow(), this.options.rediscoverMs ?? 300_000);
    this.timer.unref();
  }

  /** Where the device is now, asked before each reconnect (DHCP may have moved it). */
  private async locate(did: string): Promise<string | undefined> {
    const devices = await discover({
      targets: this.options.targets,
      listenMs: this.options.listenMs,
      until: (device) => device.did === did,
    });
    const device = devices.find((d) => d.did === did);
    if (device) this.found.set(did, device);
    return device?.ip;
  }

  private openWanted(): void {
    for (const did of this.wanted)
      if (this.found.has(did) && !this.links.has(did) && !this.opening.has(did)) void this.open(did);
  }

  private async open(did: string): Promise<void> {
    this.opening.add(did);
    try {
      const found = this.found.get(did)!;
      const layout = await this.layoutOf(this.host.device(did)?.productKey ?? found.productKey);
      const passcode = layout && (await this.passcodeOf(did));
      if (!layout || !passcode || this.closed || !this.wanted.has(did) || this.links.has(did)) return;
      const link = new LanLink({
        did,
        host: found.ip,
        port: this.options.tcpPort ?? LAN_TCP_PORT,
        passcode,
        layout,
        timing: this.options.timing,
        locate: () => this.locate(did),
      });
      let up = false;
      link.on('state', (state: LanLinkState) => {
        if (up === (state === 'online')) return;
        up = !up;
        this.changed(did, up, false);
      });
      link.on('report', (report) => this.host.report(did, report.values, report.initial));
      link.on('refused', (error) => {
        this.host.warning(error);
        void this.passcodeAgain(did, link);
      });
      // A malformed frame or silence ends the connection; the link reconnects by itself.
      link.on('problem', () => undefined);
      this.links.set(did, link);
      link.start();
      this.changed(did, false, true);
    } catch (error) {
      // The cloud could not give the passcode now: the next discovery round tries again.
      if (error instanceof GizwitsError) this.host.warning(error);
    } finally {
      this.opening.delete(did);
    }
  }

  /** `servedChanged`: a link was made or removed, so in `only` mode the cloud's share changed. */
  private changed(did: string, up: boolean, servedChanged: boolean): void {
    this.host.linkChanged(did, up);
    if (this.options.mode !== 'only') return;
    if (this.host.device(did)?.online !== up && (up || !servedChanged)) this.host.online(did, up);
    if (!servedChanged || this.reapplying) return;
    // Once, after the caller's own loop (follow() may remove several links).
    this.reapplying = true;
    queueMicrotask(() => {
      this.reapplying = false;
      if (!this.closed) this.host.reapply();
    });
  }

  private async passcodeOf(did: string): Promise<string | undefined> {
    const known = this.passcodes.get(did);
    if (known) return known;
    const detail = (await this.client.call('devices.get', { did })) as { passcode?: unknown };
    const passcode = typeof detail?.passcode === 'string' ? detail.passcode : '';
    if (!passcode || passcode.length > 64) {
      this.host.warning(new GizwitsError({ code: 'BAD_RESPONSE', ...keyed('lan.link.noPasscode', { did }) }));
      return undefined;
    }
    this.passcodes.set(did, passcode);
    return passcode;
  }

  /** A refused login: the passcode may have changed with a Wi-Fi reset; read it once more. */
  private async passcodeAgain(did: string, link: LanLink): Promise<void> {
    const old = this.passcodes.get(did);
    this.passcodes.delete(did);
    const fresh = await this.passcodeOf(did).catch(() => undefined);
    if (fresh && fresh !== old && this.links.get(did) === link) link.setPasscode(fresh);
  }

  /** The product's P0 layout; a product that cannot use the LAN is warned of once and stays on the cloud. */
  private layoutOf(productKey: string): Promise<P0Layout | undefined> {
    let layout = this.layouts.get(productKey);
    if (!layout) {
      layout = this.host.datapoints(productKey).then(
        (answer) => {
          try {
            return p0Layout(answer as never);
          } catch (error) {
            if (error instanceof GizwitsError) this.host.warning(error);
            return undefined;
          }
        },
        (error) => {
          this.layouts.delete(productKey);
          throw error;
        },
      );
      this.layouts.set(productKey, layout);
    }
    return layout;
  }
}
