// Switches that make the simulated cloud misbehave the way the real one sometimes does.
import { SIM_DEVICE_FIXTURES } from './fixtures';
import type { SimulatorModel } from './model/model';
import type { SocketFaultTarget } from './ws/socket-hub';

export interface SimulatorFaults {
  /**
   * Every token issued so far is refused with that code (HTTP 400); new logins work. Websocket sessions
   * of those tokens get `s2c_invalid_msg` 1009 and must log in again.
   */
  expireAllTokens(code?: 9004 | 9006): void;
  /** The next `count` API calls answer 9041 "request was throttled" (default HTTP 429). */
  throttle(count: number, httpStatus?: 400 | 429): void;
  /** The next `count` calls answer that status (default 503) with a non-Gizwits body. */
  failNext(count: number, httpStatus?: 500 | 502 | 503 | 504): void;
  /** Delay before every API answer. */
  setLatency(ms: number): void;
  /** Also pushes `s2c_online_status` to the device's websocket subscribers. */
  setOnline(did: string, online: boolean): void;
  /**
   * While on, the device takes writes (REST and websocket answer as usual, its log shows them) but
   * neither changes nor reports anything, as a device whose firmware dropped the command.
   */
  ignoreWrites(did: string, on: boolean): void;
  /** While on, the device's readings do not drift: a value it reports stays until something writes it. */
  holdReadings(did: string, on: boolean): void;
  /** Ends every websocket (both endpoints) abruptly, without a close frame. */
  dropAllSockets(): void;
  /** Sends `s2c_invalid_msg` with that code to every logged-in socket and ends its login; 1011 closes it. */
  sendInvalid(code: 1009 | 1011 | 1003): void;
  /** While on, no websocket gets anything at all: no pong, no answer, no push, new sockets included. */
  stopAnsweringPings(on: boolean): void;
  /** While on, every websocket is ended and new ones are closed at once, as when the cloud is down. */
  refuseSockets(on: boolean): void;
  /**
   * Sends exactly `text` as one websocket frame to every logged-in socket, or only to those subscribed to
   * `did`: anything at all, for clients that must survive what a hostile network path could send.
   * `binary` sends the bytes (UTF-8) as a binary frame instead of a text frame.
   */
  sendRawFrame(text: string, did?: string, options?: { binary?: boolean }): void;
  /**
   * From now on `GET /app/bindings` answers that device with these fields replaced (`{ws_port: 99999}`,
   * `{host: 'bad host/../x'}`); `null` restores the true binding.
   */
  corruptBinding(did: string, patch: Record<string, unknown> | null): void;
  /**
   * Clears throttling, failures, latency, websocket silence and refusal, ignored writes, held readings and corrupted bindings, and
   * puts the fixture devices back to their online state.
   */
  reset(): void;
}

export type InjectedFault = { kind: 'fail'; status: number } | { kind: 'throttle'; status: number };

export class FaultSwitches implements SimulatorFaults {
  latencyMs = 0;
  private throttleLeft = 0;
  private throttleStatus = 429;
  private failuresLeft = 0;
  private failureStatus = 503;
  private readonly bindingPatches = new Map<string, Readonly<Record<string, unknown>>>();

  constructor(
    private readonly model: SimulatorModel,
    private readonly sockets: SocketFaultTarget,
  ) {}

  expireAllTokens(code: 9004 | 9006 = 9004): void {
    if (code !== 9004 && code !== 9006) throw new RangeError('expireAllTokens: code must be 9004 or 9006');
    this.model.accounts.refuseIssuedTokens(code);
    this.sockets.endRefusedSessions();
  }

  throttle(count: number, httpStatus: 400 | 429 = 429): void {
    if (httpStatus !== 400 && httpStatus !== 429)
      throw new RangeError('throttle: httpStatus must be 400 or 429');
    this.throttleLeft = wholeCount(count, 'throttle');
    this.throttleStatus = httpStatus;
  }

  failNext(count: number, httpStatus: 500 | 502 | 503 | 504 = 503): void {
    if (![500, 502, 503, 504].includes(httpStatus))
      throw new RangeError('failNext: httpStatus must be 500/502/503/504');
    this.failuresLeft = wholeCount(count, 'failNext');
    this.failureStatus = httpStatus;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, wholeCount(ms, 'setLatency'));
  }

  setOnline(did: string, online: boolean): void {
    if (!this.model.devices.has(did)) throw new RangeError(`setOnline: unknown device ${did}`);
    this.model.setOnline(did, online);
  }

  ignoreWrites(did: string, on: boolean): void {
    const device = this.model.devices.get(did);
    if (!device) throw new RangeError(`ignoreWrites: unknown device ${did}`);
    if (typeof on !== 'boolean') throw new RangeError('ignoreWrites: on must be true or false');
    device.ignoresWrites = on;
  }

  holdReadings(did: string, on: boolean): void {
    const device = this.model.devices.get(did);
    if (!device) throw new RangeError(`holdReadings: unknown device ${did}`);
    if (typeof on !== 'boolean') throw new RangeError('holdReadings: on must be true or false');
    device.holdsReadings = on;
  }

  dropAllSockets(): void {
    this.sockets.dropAllSockets();
  }

  sendInvalid(code: 1009 | 1011 | 1003): void {
    if (code !== 1009 && code !== 1011 && code !== 1003)
      throw new RangeError('sendInvalid: code must be 1009, 1011 or 1003');
    this.sockets.sendInvalid(code);
  }

  stopAnsweringPings(on: boolean): void {
    if (typeof on !== 'boolean') throw new RangeError('stopAnsweringPings: on must be true or false');
    this.sockets.stopAnsweringPings(on);
  }

  refuseSockets(on: boolean): void {
    this.sockets.refuseSockets(on);
  }

  sendRawFrame(text: string, did?: string, options: { binary?: boolean } = {}): void {
    if (typeof text !== 'string') throw new RangeError('sendRawFrame: text must be a string');
    if (did !== undefined && typeof did !== 'string')
      throw new RangeError('sendRawFrame: did must be a string when given');
    this.sockets.sendRawFrame(text, did, options.binary === true);
  }

  corruptBinding(did: string, patch: Record<string, unknown> | null): void {
    if (!this.model.devices.has(did)) throw new RangeError(`corruptBinding: unknown device ${did}`);
    if (patch === null) {
      this.bindingPatches.delete(did);
      return;
    }
    if (typeof patch !== 'object' || Array.isArray(patch))
      throw new RangeError('corruptBinding: patch must be an object or null');
    this.bindingPatches.set(did, { ...patch });
  }

  /** The fields that replace the device's binding in `GET /app/bindings`, if it was corrupted. */
  bindingPatch(did: string): Readonly<Record<string, unknown>> | undefined {
    return this.bindingPatches.get(did);
  }

  reset(): void {
    this.sockets.stopAnsweringPings(false);
    this.sockets.refuseSockets(false);
    this.bindingPatches.clear();
    this.latencyMs = 0;
    this.throttleLeft = 0;
    this.failuresLeft = 0;
    for (const device of this.model.devices.values()) {
      device.ignoresWrites = false;
      device.holdsReadings = false;
    }
    for (const fixture of SIM_DEVICE_FIXTURES) this.model.setOnline(fixture.did, fixture.online);
  }

  /** Consumes one pending fault for the current API call, failures before throttling. */
  takeInjectedFault(): InjectedFault | null {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return { kind: 'fail', status: this.failureStatus };
    }
    if (this.throttleLeft > 0) {
      this.throttleLeft--;
      return { kind: 'throttle', status: this.throttleStatus };
    }
    return null;
  }
}

function wholeCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${what}: expected a whole number ≥ 0, got ${value}`);
  return value;
}
