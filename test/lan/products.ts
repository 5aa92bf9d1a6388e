// The three products of docs/lan.md §4 ("Worked examples"), in the shape of `GET /app/datapoint`.
import type { DatapointAttr, ProductDatapoints } from '../../src/client/types';

type Kind = 'status_writable' | 'status_readonly' | 'alert' | 'fault';

function bits(name: string, type: Kind, byte: number, bit: number, len = 1, labels?: string[]) {
  return {
    name,
    type,
    data_type: labels ? 'enum' : 'bool',
    position: { byte_offset: byte, bit_offset: bit, len, unit: 'bit' },
    ...(labels ? { enum: labels } : {}),
  };
}

function uint(
  name: string,
  type: Kind,
  byte: number,
  bytes: 1 | 2 | 4,
  spec: { min?: number; max: number; ratio?: number; addition?: number },
) {
  return {
    name,
    type,
    data_type: `uint${bytes * 8}`,
    position: { byte_offset: byte, bit_offset: 0, len: bytes, unit: 'byte' },
    uint_spec: { min: 0, ratio: 1, addition: 0, ...spec },
  };
}

function product(
  name: string,
  productKey: string,
  attrs: Array<Omit<DatapointAttr, 'id'>>,
): ProductDatapoints {
  return {
    name,
    product_key: productKey,
    protocolType: 'standard',
    packetVersion: '0x00000004',
    entities: [
      { id: 0, name: 'entity0', attrs: attrs.map((attr, id) => ({ id, ...attr }) as DatapointAttr) },
    ],
  };
}

/** A: a pH meter with read-only points only. */
export const PH_METER = product('iMoniter', '2d3d954d9bb741b4a19ba1153104932b', [
  bits('pH_OUT', 'status_readonly', 0, 0),
  bits('mV_OUT', 'status_readonly', 0, 1),
  bits('EC_OUT', 'status_readonly', 0, 2),
  bits('TEMP_OUT', 'status_readonly', 0, 3),
  uint('pH', 'status_readonly', 1, 2, { max: 1400, ratio: 0.01 }),
  uint('mV', 'status_readonly', 3, 2, { max: 4000, addition: -2000 }),
  uint('EC', 'status_readonly', 5, 2, { max: 10000, ratio: 0.01 }),
  uint('TEMP', 'status_readonly', 7, 2, { max: 1000, ratio: 0.1 }),
]);

/** B: the GoKit pet house, all four regions. */
export const PET_HOUSE = product('pet house', 'de9e8d18d9394cce9081b25a531e552b', [
  bits('LED_OnOff', 'status_writable', 0, 0),
  bits('LED_Color', 'status_writable', 0, 1, 2, ['Customize', 'Yellow', 'Purple', 'Pink']),
  uint('LED_R', 'status_writable', 1, 1, { max: 254 }),
  uint('LED_G', 'status_writable', 2, 1, { max: 254 }),
  uint('LED_B', 'status_writable', 3, 1, { max: 254 }),
  uint('Motor_Speed', 'status_writable', 4, 1, { max: 10, addition: -5 }),
  bits('Infrared', 'status_readonly', 5, 0),
  uint('Temperature', 'status_readonly', 6, 1, { max: 100, addition: -13 }),
  uint('Humidity', 'status_readonly', 7, 1, { max: 100 }),
  bits('Alert_1', 'alert', 8, 0),
  bits('Alert_2', 'alert', 8, 1),
  bits('Fault_LED', 'fault', 9, 0),
  bits('Fault_Motor', 'fault', 9, 1),
  bits('Fault_TemHum', 'fault', 9, 2),
  bits('Fault_IR', 'fault', 9, 3),
]);

export const PUMP_MODES = ['经典造浪', '正弦造浪', '随机造浪', '恒流造浪'];

/** C: a wave pump whose writable bit group is two bytes wide. */
export const WAVE_PUMP = product('造浪泵', 'f65982cb65da43baa0c722c84dd2740b', [
  ...['switch', 'master', 'ASYC', 'TimerON', 'Timer', 'FeedSwitch', 'FeedTimer'].map((name, bit) =>
    bits(name, 'status_writable', 0, bit),
  ),
  bits('mode', 'status_writable', 0, 7, 2, PUMP_MODES),
  uint('flow', 'status_writable', 2, 1, { max: 100 }),
  uint('frequency', 'status_writable', 3, 1, { max: 100 }),
  uint('feedTime', 'status_writable', 4, 1, { max: 255 }),
  uint('nightflow', 'status_writable', 5, 1, { max: 100 }),
  ...[
    'Fault_Overcurrent',
    'Fault_Overvoltage',
    'Fault_OverTemp',
    'Fault_4',
    'Fault_5',
    'Fault_6',
    'Fault_7',
  ].map((name, bit) => bits(name, 'fault', 6, bit)),
]);
