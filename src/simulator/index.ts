// The simulated Gizwits cloud: one loopback HTTP server for the Open API and the device websocket
// (/ws/app/v1), a second websocket-only "sandbox" listener, a seeded in-memory model with drifting virtual
// devices, and fault switches.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSwitches, type SimulatorFaults } from './faults';
import { startLan, type SimulatedLan, type SimulatorLanOptions } from './lan';
import { Router } from './http/router';
import { createRequestListener, type CallRecord } from './http/server';
import type { SimulatorModel } from './model/model';
import { createSeededModel } from './model/seed';
import { API_ROUTES } from './routes/api-routes';
import { simControlRoutes } from './routes/sim-control';
import { DeviceSocketHub } from './ws/socket-hub';
import type { TlsMaterial } from './ws/socket-listeners';
import type { SocketObservations } from './ws/socket-records';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** How often virtual devices' readings drift; 0 = never. Default 5000. */
  driftIntervalMs?: number;
  /** Port of the sandbox websocket listener (on `host`); 0 = any free port, the default. */
  sandboxPort?: number;
  /**
   * A key and certificate (PEM): each endpoint then also serves wss on a port of its own, which the
   * bindings announce as `wss_port`, so that `secure: true` accounts can be tried. Without it there is
   * no TLS, and `wss_port` repeats the plain port.
   */
  tls?: TlsMaterial;
  /**
   * Opt-in: the virtual devices also speak the LAN protocol (docs/lan.md), each on a loopback address
   * of its own (127.0.0.2, …), all answering discovery on one UDP port. Without it nothing listens.
   */
  lan?: SimulatorLanOptions;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly faults: SimulatorFaults;
  /** Every Open API request (not /_sim/), for tests such as counting logins. */
  readonly calls: ReadonlyArray<CallRecord>;
  readonly model: SimulatorModel;
  /** The listening server, so that the websocket half can handle upgrades on the same port. */
  readonly httpServer: Server;
  /** The websocket-only listener that serves sandbox devices (SIM_DEVICES.demoLamp2) at /ws/app/v1. */
  readonly sandboxPort: number;
  /** The wss ports of the two endpoints when started with `tls`; undefined otherwise. */
  readonly wssPorts: { main: number; sandbox: number } | undefined;
  /** What the websocket half saw: open sockets per endpoint, logins, received frames, alert acks. */
  readonly ws: SocketObservations;
  /** The devices' LAN side when started with `lan`; undefined otherwise. */
  readonly lan: SimulatedLan | undefined;
  /** Closes the server, every open connection and every timer; calling it again is harmless. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const model = createSeededModel();
  const sockets = new DeviceSocketHub(model);
  const faults = new FaultSwitches(model, sockets);
  const calls: CallRecord[] = [];
  let port = 0;
  let sandboxPort = 0;
  let wssPorts: { main: number; sandbox: number } | undefined;
  let lan: SimulatedLan | undefined;
  const server = createServer(
    createRequestListener({
      model,
      faults,
      calls,
      apiRoutes: new Router(API_ROUTES),
      controlRoutes: new Router(simControlRoutes(faults, calls, sockets)),
      port: () => port,
      sandboxPort: () => sandboxPort,
      wssPorts: () => wssPorts ?? { main: port, sandbox: sandboxPort },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  sockets.attachMain(server);
  try {
    sandboxPort = await sockets.listenSandbox(host, options.sandboxPort ?? 0);
    if (options.tls) {
      wssPorts = {
        main: await sockets.listenTls('main', host, options.tls),
        sandbox: await sockets.listenTls('sandbox', host, options.tls),
      };
    }
    if (options.lan) lan = await startLan(model, options.lan);
  } catch (error) {
    await sockets.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  model.startDrift(options.driftIntervalMs ?? 5000);
  model.startAutomation();

  let closing: Promise<void> | undefined;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    faults,
    calls,
    model,
    httpServer: server,
    sandboxPort,
    wssPorts,
    ws: sockets,
    lan,
    close() {
      // Sockets first: upgraded connections are no longer the HTTP server's to close.
      closing ??= Promise.all([sockets.close(), lan?.close()]).then(
        () =>
          new Promise<void>((resolve) => {
            model.dispose();
            // The listening handle is released one loop turn after the close callback.
            server.close(() => setImmediate(resolve));
            server.closeAllConnections();
          }),
      );
      return closing;
    },
  };
}

export type { CallRecord } from './http/server';
export type { SimulatorFaults } from './faults';
export type { TlsMaterial } from './ws/socket-listeners';
export {
  GAGENT_PROFILE,
  NEWER_FIRMWARE_PROFILE,
  type LanDevice,
  type LanProfile,
  type ReceivedLanFrame,
  type SimulatedLan,
  type SimulatorLanOptions,
} from './lan';
export type { AlertDelivery, ReceivedFrame, SocketEndpoint, SocketObservations } from './ws/socket-records';
export { SOCKET_PATH, p0Frame } from './ws/frames';
export type {
  BindingChangedEvent,
  DeviceOnlineEvent,
  DeviceRawEvent,
  DeviceReportEvent,
  SimulatorEvents,
  SimulatorModel,
  WriteOrigin,
} from './model/model';
export { DEFAULT_RAW_DID_SUFFIX } from './model/model';
export type { DataPointDefinition, ProductDefinition } from './model/product-types';
export { binaryPoint, boolPoint, enumPoint, product, uintPoint } from './model/product-builders';
export { datapointDocument } from './model/datapoint-document';
export { ERROR_TABLE, type ErrorDefinition } from './errors';
export * from './fixtures';
