// LAN beside the cloud (docs/lan.md), with the client's device registry and a simulator of its own in
// this thread (its devices' LAN side needs loopback addresses of their own; the figures include the
// simulator's work on both paths alike):
// - confirmed write latency of one lamp over its LAN link and over the websocket, interleaved;
// - reports per second over a LAN link and over a websocket, one burst of reports from the device
//   reaching both at once (the LAN link's reports as it emits them; the websocket's as a second
//   registry without LAN emits them);
// - failover: from the LAN module going away to the first state through the cloud, while the device
//   reports every REPORT_EVERY_MS, and back: from the module's return to the first report over the LAN.
import { performance } from 'node:perf_hooks';
import { DeviceRegistry, GizwitsClient } from '../src/client';
import { SIM_APP_ID, SIM_DEVICES, SIM_USERS, startSimulator } from '../src/simulator';
import { freePort } from '../test/helpers/node-red-process';
import { median, percentile } from './harness';

const LAMP = SIM_DEVICES.demoLamp1;
const REPORT_EVERY_MS = 20;

export interface LanFigures {
  writes: Array<{ write: string; medianMs: number; p95Ms: number; times: number[] }>;
  reportsPerSecond: { lan: number; websocket: number; reports: number };
  failover: { toCloudMs: number[]; backToLanMs: number[] };
}

function until(check: () => boolean, ms = 10_000): Promise<number> {
  const end = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const look = () => {
      if (check()) return resolve(performance.now());
      if (performance.now() > end) return reject(new Error('bench/lan: condition not met in time'));
      setImmediate(look);
    };
    look();
  });
}

export async function lanBench(settings: {
  writes: number;
  reports: number;
  failovers: number;
}): Promise<LanFigures> {
  const tcpPort = await freePort();
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0, lan: { tcpPort, udpPort: 0 } });
  const registries: DeviceRegistry[] = [];
  const clients: GizwitsClient[] = [];
  const registry = (lan: boolean) => {
    const client = new GizwitsClient({
      appId: SIM_APP_ID,
      region: 'custom',
      apiUrl: sim.url,
      credentials: { mode: 'password', username: 'demo', password: SIM_USERS.demo.password },
    });
    const made = new DeviceRegistry(client, {
      secure: false,
      reconcileIntervalMs: 600_000,
      socket: { backoffBaseMs: 20, backoffCapMs: 200 },
      lan: lan
        ? {
            mode: 'prefer',
            targets: [{ host: '127.0.0.1', port: sim.lan!.udpPort }],
            tcpPort,
            listenMs: 300,
            timing: { loginSettleMs: 1, reconnectBaseMs: 20, reconnectCapMs: 100 },
          }
        : undefined,
    });
    made.on('error', () => undefined);
    clients.push(client);
    registries.push(made);
    made.follow('bench', [LAMP]);
    return made;
  };
  try {
    const withLan = registry(true);
    const cloudOnly = registry(false);
    await until(() => withLan.lan!.isUp(LAMP) && withLan.state === 'online' && cloudOnly.state === 'online');

    // Confirmed writes, interleaved.
    const kinds = ['lan', 'websocket'] as const;
    const times: Record<(typeof kinds)[number], number[]> = { lan: [], websocket: [] };
    for (let i = 0; i < settings.writes + 20; i++) {
      for (const transport of kinds) {
        const begun = performance.now();
        await withLan.write(
          LAMP,
          { brightness: (i * 2 + (transport === 'lan' ? 0 : 1)) % 101 },
          {
            transport,
            confirm: true,
          },
        );
        if (i >= 20) times[transport].push(performance.now() - begun);
      }
    }

    // One burst of reports, counted on both links.
    const link = withLan.lan!.link(LAMP)!;
    let lanCount = 0;
    let wsCount = 0;
    link.on('report', () => lanCount++);
    cloudOnly.on('status', () => wsCount++);
    const begun = performance.now();
    for (let i = 0; i < settings.reports; i++)
      sim.model.reportFromDevice(LAMP, new Map([['brightness', i % 101]]) as never);
    const [lanDone, wsDone] = await Promise.all([
      until(() => lanCount >= settings.reports, 60_000),
      until(() => wsCount >= settings.reports, 60_000),
    ]);

    // Failover and back.
    const failover: LanFigures['failover'] = { toCloudMs: [], backToLanMs: [] };
    const device = sim.lan!.device(LAMP);
    let value = 0;
    const reporter = setInterval(
      () => sim.model.reportFromDevice(LAMP, new Map([['brightness', value++ % 101]]) as never),
      REPORT_EVERY_MS,
    );
    let lastVia: string | undefined;
    withLan.on('status', (event: { via?: string }) => (lastVia = event.via));
    let lanReports = 0;
    link.on('report', () => lanReports++);
    try {
      for (let round = 0; round < settings.failovers; round++) {
        lastVia = undefined;
        const lost = performance.now();
        await device.close();
        failover.toCloudMs.push((await until(() => lastVia === 'websocket')) - lost);
        const seen = lanReports;
        const back = performance.now();
        await device.start();
        failover.backToLanMs.push((await until(() => lanReports > seen)) - back);
      }
    } finally {
      clearInterval(reporter);
    }
    const summary = (write: string, values: number[]) => ({
      write,
      medianMs: median(values),
      p95Ms: percentile(values, 95),
      times: values,
    });
    return {
      writes: [summary('LAN (confirmed)', times.lan), summary('websocket (confirmed)', times.websocket)],
      reportsPerSecond: {
        lan: settings.reports / ((lanDone - begun) / 1000),
        websocket: settings.reports / ((wsDone - begun) / 1000),
        reports: settings.reports,
      },
      failover,
    };
  } finally {
    for (const made of registries) made.close();
    for (const client of clients) client.close();
    await sim.close();
  }
}

/** The printed lines of the LAN part. */
export function lanLines(figures: LanFigures): string[] {
  const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(' / ');
  return [
    `8. LAN beside the cloud (one lamp; simulator in this thread)`,
    ...figures.writes.map(
      (row) => `   write ${row.write}: median ${row.medianMs.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms`,
    ),
    `   reports per second, one burst of ${figures.reportsPerSecond.reports.toLocaleString('en-US')}: ` +
      `LAN ${Math.round(figures.reportsPerSecond.lan).toLocaleString('en-US')}, ` +
      `websocket ${Math.round(figures.reportsPerSecond.websocket).toLocaleString('en-US')}`,
    `   failover, LAN module gone → first state through the cloud: ${ms(figures.failover.toCloudMs)} ms ` +
      `(a report every ${REPORT_EVERY_MS} ms)`,
    `   and back, module returns → first report over the LAN: ${ms(figures.failover.backToLanMs)} ms`,
  ];
}
