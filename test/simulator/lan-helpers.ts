// Raw bytes against the simulated devices' LAN side, with no client code in between: the golden bytes of
// docs/lan.md are compared as they are.
import net from 'node:net';
import type {
  DataPointDefinition,
  DataPointKind,
  DataType,
  ProductDefinition,
} from '../../src/simulator/model/product-types';
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
const point = (
  name: string,
  display_name: string,
  kind: DataPointKind,
  data_type: DataType,
  more: Partial<DataPointDefinition> = {},
): DataPointDefinition => ({ name, display_name, kind, data_type, ...more });
/** A number point: 0…max raw, shown as raw × ratio + addition. */
const num = (
  name: string,
  display_name: string,
  kind: DataPointKind,
  data_type: 'uint8' | 'uint16',
  ...spec: Parameters<typeof uint>
) => point(name, display_name, kind, data_type, { uint_spec: uint(...spec) });
const choice = (name: string, display_name: string, values: string[]) =>
  point(name, display_name, 'writable', 'enum', { enum: values });
/** Boolean points of one kind, each shown by its name. */
const bools = (kind: DataPointKind, names: string[]) => names.map((name) => point(name, name, kind, 'bool'));

/** docs/lan.md §4 example B in the simulator's own product shape. */
export const SIM_PET_HOUSE: ProductDefinition = {
  product_key: 'de9e8d18d9394cce9081b25a531e552b',
  product_secret: '0'.repeat(32),
  name: 'pet house',
  typeSpelling: 'words',
  attrs: [
    point('LED_OnOff', 'LED', 'writable', 'bool'),
    choice('LED_Color', 'colour', ['Customize', 'Yellow', 'Purple', 'Pink']),
    num('LED_R', 'R', 'writable', 'uint8', 254),
    num('LED_G', 'G', 'writable', 'uint8', 254),
    num('LED_B', 'B', 'writable', 'uint8', 254),
    num('Motor_Speed', 'motor', 'writable', 'uint8', 10, -5),
    point('Infrared', 'IR', 'readonly', 'bool'),
    num('Temperature', 'T', 'readonly', 'uint8', 100, -13),
    num('Humidity', 'H', 'readonly', 'uint8', 100),
    point('Alert_1', 'A1', 'alert', 'bool'),
    point('Alert_2', 'A2', 'alert', 'bool'),
    ...bools('fault', ['Fault_LED', 'Fault_Motor', 'Fault_TemHum', 'Fault_IR']),
  ],
};

/** docs/lan.md §4 example C: a two-byte writable bit group. */
export const SIM_WAVE_PUMP: ProductDefinition = {
  product_key: 'f65982cb65da43baa0c722c84dd2740b',
  product_secret: '0'.repeat(32),
  name: '造浪泵',
  typeSpelling: 'words',
  attrs: [
    ...bools('writable', ['switch', 'master', 'ASYC', 'TimerON', 'Timer', 'FeedSwitch', 'FeedTimer']),
    choice('mode', 'mode', ['经典造浪', '正弦造浪', '随机造浪', '恒流造浪']),
    num('flow', 'flow', 'writable', 'uint8', 100),
    num('frequency', 'f', 'writable', 'uint8', 100),
    num('feedTime', 'feed', 'writable', 'uint8', 255),
    num('nightflow', 'night', 'writable', 'uint8', 100),
    ...bools('fault', ['Fault_Overcurrent', 'Fault_Overvoltage', 'Fault_OverTemp', 'F4', 'F5', 'F6', 'F7']),
  ],
};

/** docs/lan.md §4 example A, with the identity of the captured discovery reply. */
export const SIM_PH_METER: ProductDefinition = {
  product_key: '2d3d954d9bb741b4a19ba1153104932b',
  product_secret: '0'.repeat(32),
  name: 'iMoniter',
  typeSpelling: 'words',
  attrs: [
    ...bools('readonly', ['pH_OUT', 'mV_OUT', 'EC_OUT', 'TEMP_OUT']),
    num('pH', 'pH', 'readonly', 'uint16', 1400, 0, 0.01),
    num('mV', 'mV', 'readonly', 'uint16', 4000, -2000),
    num('EC', 'EC', 'readonly', 'uint16', 10000, 0, 0.01),
    num('TEMP', 'T', 'readonly', 'uint16', 1000, 0, 0.1),
  ],
};
