// Test-only steering under /_sim/, so that a separate process (Node-RED in end-to-end tests) can flip
// the same switches as SimulatorFaults. Not counted in `calls`, not subject to faults or latency.
import { formInvalid } from '../errors';
import type { FaultSwitches } from '../faults';
import { route, type RequestContext, type RouteDefinition } from '../http/router';
import type { CallRecord } from '../http/server';
import { parseRawPayload, parseWrittenValue, type StoredValue } from '../model/datapoint-values';
import { DEFAULT_RAW_DID_SUFFIX } from '../model/model';
import type { SocketObservations } from '../ws/socket-records';
import { bodyObject, requireDevice } from './fields';
import { simClockRoutes } from './sim-clock';

export function simControlRoutes(
  faults: FaultSwitches,
  calls: ReadonlyArray<CallRecord>,
  sockets: SocketObservations,
): RouteDefinition[] {
  const ok = { ok: true };
  const numberField = (context: RequestContext, key: string, fallback?: number): number => {
    const value = bodyObject(context)[key] ?? fallback;
    if (typeof value !== 'number') throw formInvalid(`${key} must be a number`);
    return value;
  };
  const guarded = (action: () => void): typeof ok => {
    try {
      action();
    } catch (error) {
      throw formInvalid(error instanceof Error ? error.message : String(error));
    }
    return ok;
  };
  /** `POST /_sim/devices/:did/<name>` with `{on: true|false}`: a per-device behaviour turned on or off. */
  const deviceSwitch = (name: string, apply: (did: string, on: boolean) => void) =>
    route('POST', `/_sim/devices/:did/${name}`, 'none', (context) => {
      const on = bodyObject(context).on;
      if (typeof on !== 'boolean') throw formInvalid('on must be true or false');
      requireDevice(context, context.params.did);
      return guarded(() => apply(context.params.did, on));
    });
  return [
    route('POST', '/_sim/faults/expire-tokens', 'none', (context) =>
      guarded(() => faults.expireAllTokens(numberField(context, 'code', 9004) as 9004 | 9006)),
    ),
    route('POST', '/_sim/faults/throttle', 'none', (context) =>
      guarded(() =>
        faults.throttle(numberField(context, 'count'), numberField(context, 'httpStatus', 429) as 400 | 429),
      ),
    ),
    route('POST', '/_sim/faults/fail', 'none', (context) =>
      guarded(() =>
        faults.failNext(
          numberField(context, 'count'),
          numberField(context, 'httpStatus', 503) as 500 | 502 | 503 | 504,
        ),
      ),
    ),
    route('POST', '/_sim/faults/latency', 'none', (context) =>
      guarded(() => faults.setLatency(numberField(context, 'ms'))),
    ),
    route('POST', '/_sim/faults/reset', 'none', () => guarded(() => faults.reset())),
    route('POST', '/_sim/faults/drop-sockets', 'none', () => guarded(() => faults.dropAllSockets())),
    route('POST', '/_sim/faults/socket-invalid', 'none', (context) =>
      guarded(() => faults.sendInvalid(numberField(context, 'code') as 1009 | 1011 | 1003)),
    ),
    route('POST', '/_sim/faults/silence', 'none', (context) => {
      const on = bodyObject(context).on;
      if (typeof on !== 'boolean') throw formInvalid('on must be true or false');
      return guarded(() => faults.stopAnsweringPings(on));
    }),
    route('POST', '/_sim/faults/raw-frame', 'none', (context) => {
      const { text, did, binary } = bodyObject(context);
      if (typeof text !== 'string') throw formInvalid('text must be a string');
      if (did !== undefined && typeof did !== 'string') throw formInvalid('did must be a string when given');
      if (binary !== undefined && typeof binary !== 'boolean')
        throw formInvalid('binary must be true or false');
      return guarded(() => faults.sendRawFrame(text, did, { binary: binary === true }));
    }),
    route('POST', '/_sim/devices/:did/corrupt-binding', 'none', (context) => {
      const patch = bodyObject(context).patch;
      if (patch !== null && (typeof patch !== 'object' || Array.isArray(patch)))
        throw formInvalid('patch must be an object of binding fields, or null to restore');
      requireDevice(context, context.params.did);
      return guarded(() =>
        faults.corruptBinding(context.params.did, patch as Record<string, unknown> | null),
      );
    }),
    route('POST', '/_sim/devices/:did/online', 'none', (context) => {
      const online = bodyObject(context).online;
      if (typeof online !== 'boolean') throw formInvalid('online must be true or false');
      requireDevice(context, context.params.did);
      return guarded(() => faults.setOnline(context.params.did, online));
    }),
    deviceSwitch('ignore-writes', (did, on) => faults.ignoreWrites(did, on)),
    deviceSwitch('hold-readings', (did, on) => faults.holdReadings(did, on)),
    route('POST', '/_sim/devices/:did/report', 'none', deviceReport),
    route('POST', '/_sim/devices/:did/raw', 'none', deviceRaw),
    route('GET', '/_sim/devices/:did', 'none', deviceState),
    route('POST', '/_sim/time-scale', 'none', (context) => {
      const scale = numberField(context, 'scale');
      if (!(scale > 0)) throw formInvalid('scale must be above 0');
      context.model.timeScale = scale;
      return ok;
    }),
    route('GET', '/_sim/calls', 'none', () => calls),
    route('GET', '/_sim/sockets', 'none', () => socketSummary(sockets)),
    ...simClockRoutes,
  ];
}

/** Makes the device report values as if it had measured them: any data point, read-only ones included. */
function deviceReport(context: RequestContext) {
  const device = requireDevice(context, context.params.did);
  const attrs = bodyObject(context).attrs;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs))
    throw formInvalid('attrs must be an object');
  const values = new Map<string, StoredValue>();
  for (const [name, value] of Object.entries(attrs)) {
    const point = device.product.attrs.find((candidate) => candidate.name === name);
    if (!point) throw formInvalid(`unknown data point '${name}'`);
    values.set(name, parseWrittenValue(point, value, 'hex'));
  }
  context.model.reportFromDevice(device.did, values);
  return deviceState(context);
}

/** Makes the device send a transparent frame (`s2c_raw`); `didSuffix` ('' for none) follows the did. */
function deviceRaw(context: RequestContext) {
  const device = requireDevice(context, context.params.did);
  const body = bodyObject(context);
  const bytes = parseRawPayload(body.raw, 'decimal');
  const suffix = body.didSuffix ?? DEFAULT_RAW_DID_SUFFIX;
  if (typeof suffix !== 'string' || (suffix !== '' && !suffix.startsWith('/')))
    throw formInvalid("didSuffix must be '' or start with '/'");
  context.model.sendRawFromDevice(device.did, bytes, suffix);
  return { ok: true };
}

/** The websocket observations, for end-to-end tests in another process. */
function socketSummary(sockets: SocketObservations) {
  return {
    openSockets: { main: sockets.openSockets('main'), sandbox: sockets.openSockets('sandbox') },
    connections: { main: sockets.connections('main'), sandbox: sockets.connections('sandbox') },
    logins: sockets.logins,
    failedLogins: sockets.failedLogins,
    received: sockets.received,
    alerts: sockets.alerts,
  };
}

function deviceState(context: RequestContext) {
  const device = requireDevice(context, context.params.did);
  return {
    did: device.did,
    product_key: device.product.product_key,
    mac: device.mac,
    passcode: device.passcode,
    online: device.online,
    updated_at: Math.floor(device.updatedAt / 1000),
    attrs: device.socketSnapshot(),
    latest: device.restSnapshot(),
    bindings: context.model
      .bindingsOfDevice(device.did)
      .map((binding) => ({ uid: binding.uid, role: binding.role })),
  };
}
