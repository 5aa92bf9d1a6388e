// Raw bytes against the simulated devices' LAN side, with no client code in between: the golden bytes of
// docs/lan.md are compared as they are.
import net from 'node:net';
import type { ProductDefinition } from '../../src/simulator/model/product-types';
import { waitFor } from '../helpers/live';

export const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
export const show = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/** A TCP connection that keeps every byte it receives. */
export class RawPeer {
  received = Buffer.alloc(0);
  ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => undefined);
  }

  static async open(host: string, port: number): Promise<RawPeer> {
    const socket = net.createConnection({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawPeer(socket);
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? hex(bytes) : bytes);
  }

  /** Waits for `count` bytes after what was already taken, and takes them. */
  async take(count: number): Promise<string> {
    await waitFor(
      () => this.received.length >= count,
      3000,
      () => `got ${show(this.received)}`,
    );
    const taken = this.received.subarray(0, count);
    this.received = this.received.subarray(count);
    return show(taken);
  }

  async closed(): Promise<void> {
    await waitFor(
      () => this.ended,
      3000,
      () => 'the device kept the socket open',
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The login frame for a passcode. */
export function loginFrame(passcode: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, passcode.length]), Buffer.from(passcode)]);
  return Buffer.concat([
    hex(`00 00 00 03 ${(body.length + 3).toString(16).padStart(2, '0')} 00 00 08`),
    body,
  ]);
}

const uint = (max: number, addition = 0, ratio = 1) => ({ min: 0, max, ratio, addition });

/** docs/lan.md §4 example B in the simulator's own product shape. */
export const SIM_PET_HOUSE: ProductDefinition = {
  product_key: 'de9e8d18d9394cce9081b25a531e552b',
  product_secret: '0'.repeat(32),
  name: 'pet house',
  typeSpelling: 'words',
  attrs: [
    { name: 'LED_OnOff', display_name: 'LED', kind: 'writable', data_type: 'bool' },
    {
      name: 'LED_Color',
      display_name: 'colour',
      kind: 'writable',
      data_type: 'enum',
      enum: ['Customize', 'Yellow', 'Purple', 'Pink'],
    },
    { name: 'LED_R', display_name: 'R', kind: 'writable', data_type: 'uint8', uint_spec: uint(254) },
    { name: 'LED_G', display_name: 'G', kind: 'writable', data_type: 'uint8', uint_spec: uint(254) },
    { name: 'LED_B', display_name: 'B', kind: 'writable', data_type: 'uint8', uint_spec: uint(254) },
    {
      name: 'Motor_Speed',
      display_name: 'motor',
      kind: 'writable',
      data_type: 'uint8',
      uint_spec: uint(10, -5),
    },
    { name: 'Infrared', display_name: 'IR', kind: 'readonly', data_type: 'bool' },
    {
      name: 'Temperature',
      display_name: 'T',
      kind: 'readonly',
      data_type: 'uint8',
      uint_spec: uint(100, -13),
    },
    { name: 'Humidity', display_name: 'H', kind: 'readonly', data_type: 'uint8', uint_spec: uint(100) },
    { name: 'Alert_1', display_name: 'A1', kind: 'alert', data_type: 'bool' },
    { name: 'Alert_2', display_name: 'A2', kind: 'alert', data_type: 'bool' },
    ...['Fault_LED', 'Fault_Motor', 'Fault_TemHum', 'Fault_IR'].map((name) => ({
      name,
      display_name: name,
      kind: 'fault' as const,
      data_type: 'bool' as const,
    })),
  ],
};

/** docs/lan.md §4 example C: a two-byte writable bit group. */
export const SIM_WAVE_PUMP: ProductDefinition = {
  product_key: 'f65982cb65da43baa0c722c84dd2740b',
  product_secret: '0'.repeat(32),
  name: '造浪泵',
  typeSpelling: 'words',
  attrs: [
    ...['switch', 'master', 'ASYC', 'TimerON', 'Timer', 'FeedSwitch', 'FeedTimer'].map((name) => ({
      name,
      display_name: name,
      kind: 'writable' as const,
      data_type: 'bool' as const,
    })),
    {
      name: 'mode',
      display_name: 'mode',
      kind: 'writable',
      data_type: 'enum',
      enum: ['经典造浪', '正弦造浪', '随机造浪', '恒流造浪'],
    },
    { name: 'flow', display_name: 'flow', kind: 'writable', data_type: 'uint8', uint_spec: uint(100) },
    { name: 'frequency', display_name: 'f', kind: 'writable', data_type: 'uint8', uint_spec: uint(100) },
    { name: 'feedTime', display_name: 'feed', kind: 'writable', data_type: 'uint8', uint_spec: uint(255) },
    { name: 'nightflow', display_name: 'night', kind: 'writable', data_type: 'uint8', uint_spec: uint(100) },
    ...['Fault_Overcurrent', 'Fault_Overvoltage', 'Fault_OverTemp', 'F4', 'F5', 'F6', 'F7'].map((name) => ({
      name,
      display_name: name,
      kind: 'fault' as const,
      data_type: 'bool' as const,
    })),
  ],
};

/** docs/lan.md §4 example A, with the identity of the captured discovery reply. */
export const SIM_PH_METER: ProductDefinition = {
  product_key: '2d3d954d9bb741b4a19ba1153104932b',
  product_secret: '0'.repeat(32),
  name: 'iMoniter',
  typeSpelling: 'words',
  attrs: [
    ...['pH_OUT', 'mV_OUT', 'EC_OUT', 'TEMP_OUT'].map((name) => ({
      name,
      display_name: name,
      kind: 'readonly' as const,
      data_type: 'bool' as const,
    })),
    { name: 'pH', display_name: 'pH', kind: 'readonly', data_type: 'uint16', uint_spec: uint(1400, 0, 0.01) },
    { name: 'mV', display_name: 'mV', kind: 'readonly', data_type: 'uint16', uint_spec: uint(4000, -2000) },
    {
      name: 'EC',
      display_name: 'EC',
      kind: 'readonly',
      data_type: 'uint16',
      uint_spec: uint(10000, 0, 0.01),
    },
    { name: 'TEMP', display_name: 'T', kind: 'readonly', data_type: 'uint16', uint_spec: uint(1000, 0, 0.1) },
  ],
};
