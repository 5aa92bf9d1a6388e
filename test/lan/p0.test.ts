import assert from 'node:assert/strict';
import { GizwitsError } from '../../src/client/errors';
import { decodeStatus, encodeP0Write, encodeRead, encodeStatus, readDeviceP0 } from '../../src/client/lan/p0';
import { p0Layout } from '../../src/client/lan/p0-layout';
import type { ProductDatapoints } from '../../src/client/types';
import { PET_HOUSE, PH_METER, PUMP_MODES, WAVE_PUMP } from './products';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const show = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

function refused(run: () => unknown, key: string): void {
  assert.throws(run, (error: GizwitsError) => {
    assert.ok(error instanceof GizwitsError);
    const reason = error.text?.params?.reason;
    const keys = [error.text?.key, typeof reason === 'object' ? reason.key : undefined];
    assert.ok(keys.includes(key), `expected ${key}, got ${keys.join(' / ')}: ${error.message}`);
    return true;
  });
}

describe('P0 codec (docs/lan.md §4)', () => {
  describe('A: pH meter, read-only points', () => {
    const layout = p0Layout(PH_METER);

    it('has a 9-byte status and nothing to write', () => {
      assert.equal(layout.statusSize, 9);
      assert.equal(layout.writable.length, 0);
      assert.equal(layout.flagBytes, 0);
    });

    it('decodes the captured read reply, numbers scaled and rounded to the ratio', () => {
      const read = readDeviceP0(layout, hex('03 03 02 dc 08 9d 00 00 00 00'));
      assert.deepEqual(read, {
        type: 'status',
        action: 3,
        values: {
          pH_OUT: true,
          mV_OUT: true,
          EC_OUT: false,
          TEMP_OUT: false,
          pH: 7.32,
          mV: 205,
          EC: 0,
          TEMP: 0,
        },
      });
    });

    it('encodes the same object back with action 04, byte for byte', () => {
      const values = decodeStatus(layout, hex('03 02 dc 08 9d 00 00 00 00'));
      assert.equal(show(encodeStatus(layout, values, 0x04)), '04 03 02 dc 08 9d 00 00 00 00');
    });

    it('decodes the replayed reports', () => {
      const later = readDeviceP0(layout, hex('04 03 02 ef 09 00 00 00 00 00'));
      assert.equal(later.type, 'status');
      if (later.type !== 'status') return;
      assert.equal(later.action, 4);
      assert.equal(later.values.pH, 7.51);
      assert.equal(later.values.mV, 304);
      const other = readDeviceP0(layout, hex('04 02 02 dc 08 9d 00 00 00 00'));
      assert.ok(other.type === 'status' && other.values.pH_OUT === false && other.values.mV_OUT === true);
    });

    it('refuses a write to a read-only point, with the shared write refusal', () => {
      refused(() => encodeP0Write(layout, { pH: 7 }, {}, 'did1'), 'write.reason.readonly');
    });

    it('a read is the single byte 02', () => {
      assert.equal(show(encodeRead()), '02');
    });
  });

  describe('B: pet house, four regions', () => {
    const layout = p0Layout(PET_HOUSE);

    it('has w = 6, F = 1, V = 5, L = 10', () => {
      assert.deepEqual(
        [layout.writable.length, layout.flagBytes, layout.writableEnd, layout.statusSize],
        [6, 1, 5, 10],
      );
    });

    it('writes on/off, an enum label and an offset number with their flags', () => {
      const { p0, written } = encodeP0Write(layout, { LED_OnOff: true, LED_Color: 'Purple', Motor_Speed: 3 });
      assert.equal(show(p0), '01 23 05 00 00 00 08');
      assert.deepEqual(written, { LED_OnOff: true, LED_Color: 'Purple', Motor_Speed: 3 });
    });

    it('takes an enum index as its label', () => {
      assert.equal(show(encodeP0Write(layout, { LED_Color: 2 }).p0), '01 02 04 00 00 00 00');
    });

    it('decodes the report that follows, and the read reply', () => {
      const expected = {
        LED_OnOff: true,
        LED_Color: 'Purple',
        LED_R: 0,
        LED_G: 0,
        LED_B: 0,
        Motor_Speed: 3,
        Infrared: true,
        Temperature: 21,
        Humidity: 50,
        Alert_1: false,
        Alert_2: true,
        Fault_LED: false,
        Fault_Motor: false,
        Fault_TemHum: false,
        Fault_IR: false,
      };
      assert.deepEqual(readDeviceP0(layout, hex('04 05 00 00 00 08 01 22 32 02 00')), {
        type: 'status',
        action: 4,
        values: expected,
      });
      assert.equal(show(encodeStatus(layout, expected, 0x03)), '03 05 00 00 00 08 01 22 32 02 00');
    });

    it('refuses a value out of the raw range, an unknown label and an unknown name before encoding', () => {
      refused(() => encodeP0Write(layout, { Motor_Speed: 6 }), 'write.reason.range');
      refused(() => encodeP0Write(layout, { LED_Color: 'Green' }), 'write.reason.enum');
      refused(() => encodeP0Write(layout, { nope: 1 }), 'write.reason.unknown');
      refused(() => encodeP0Write(layout, { Alert_1: true }), 'write.reason.alert');
      refused(() => encodeP0Write(layout, {}), 'write.reason.empty');
    });
  });

  describe('C: wave pump, a two-byte bit group', () => {
    const layout = p0Layout(WAVE_PUMP);
    const state = {
      switch: false,
      master: false,
      ASYC: false,
      TimerON: false,
      Timer: false,
      FeedSwitch: false,
      FeedTimer: false,
      mode: PUMP_MODES[0],
      flow: 60,
      frequency: 50,
      feedTime: 10,
      nightflow: 30,
    };

    it('has w = 12, F = 2, a 2-byte group, V = 6, L = 7', () => {
      assert.equal(layout.groupWidths.get(0), 2);
      assert.deepEqual(
        [layout.writable.length, layout.flagBytes, layout.writableEnd, layout.statusSize],
        [12, 2, 6, 7],
      );
    });

    it('writes mode and flow with big-endian flags, carrying the other values over', () => {
      const { p0 } = encodeP0Write(layout, { mode: '随机造浪', flow: 80 }, state);
      assert.equal(show(p0), '01 01 80 01 00 50 32 0a 1e');
    });

    it('decodes the report, where a per-byte reading would be wrong', () => {
      const read = readDeviceP0(layout, hex('04 01 00 50 32 0a 1e 04'));
      assert.ok(read.type === 'status');
      assert.equal(read.values.switch, false);
      assert.equal(read.values.mode, '随机造浪');
      assert.equal(read.values.flow, 80);
      assert.equal(read.values.nightflow, 30);
      assert.equal(read.values.Fault_OverTemp, true);
      assert.equal(read.values.Fault_Overcurrent, false);
    });

    it('puts switch and FeedSwitch in the low byte of the group', () => {
      const block = encodeStatus(layout, { ...state, mode: '随机造浪', switch: true, FeedSwitch: true });
      assert.equal(show(block.subarray(1, 3)), '01 21');
    });
  });

  describe('every other type, and groups over 16 bits', () => {
    const wide: ProductDatapoints = {
      product_key: 'wide',
      protocolType: 'standard',
      entities: [
        {
          id: 0,
          name: 'entity0',
          attrs: [
            { id: 0, name: 'a', type: 'status_writable', data_type: 'bool', position: pos(0, 0, 1, 'bit') },
            { id: 1, name: 'z', type: 'status_writable', data_type: 'bool', position: pos(0, 20, 1, 'bit') },
            ...['w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'].map((name, i) => ({
              id: 2 + i,
              name,
              type: 'status_writable',
              data_type: 'bool',
              position: pos(0, 1 + i, 1, 'bit'),
            })),
            {
              id: 9,
              name: 'energy',
              type: 'status_writable',
              data_type: 'uint32',
              position: pos(3, 0, 4, 'byte'),
              uint_spec: { min: 0, max: 4000000000, ratio: 0.5, addition: -100 },
            },
            {
              id: 10,
              name: 'blob',
              type: 'status_writable',
              data_type: 'binary',
              position: pos(7, 0, 3, 'byte'),
            },
            {
              id: 11,
              name: 'level',
              type: 'status_readonly',
              data_type: 'enum',
              enum: ['low', 'mid', 'high'],
              position: pos(10, 0, 1, 'byte'),
            },
          ],
        },
      ],
    };
    const layout = p0Layout(wide);

    it('places bit 20 of a 3-byte group in the first byte, bit 0 in the last', () => {
      assert.equal(layout.groupWidths.get(0), 3);
      const block = encodeStatus(layout, { a: true, z: true });
      assert.equal(show(block.subarray(1, 4)), '10 00 01');
      assert.deepEqual(decodeStatus(layout, block.subarray(1)).z, true);
    });

    it('writes uint32 with ratio and addition, and pads binary, with two flag bytes', () => {
      const { p0 } = encodeP0Write(layout, { energy: 100, blob: [0xab] });
      // flags: W9 (energy) and W10 (blob) = 0x0600; raw energy (100 + 100) / 0.5 = 400 = 0x190
      assert.equal(show(p0), '01 06 00 00 00 00 00 00 01 90 ab 00 00');
      const values = decodeStatus(layout, Buffer.concat([p0.subarray(3), hex('02')]));
      assert.equal(values.energy, 100);
      assert.deepEqual(values.blob, [0xab, 0, 0]);
      assert.equal(values.level, 'high');
    });

    it('gives an unknown enum index as the number, and leaves points past a short status unset', () => {
      const values = decodeStatus(layout, Buffer.concat([Buffer.alloc(10), hex('07')]));
      assert.equal(values.level, 7);
      const short = decodeStatus(layout, Buffer.alloc(5));
      assert.deepEqual(Object.keys(short).sort(), ['a', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'z']);
    });

    it('refuses binary longer than the point', () => {
      refused(() => encodeP0Write(layout, { blob: [1, 2, 3, 4] }), 'write.reason.binaryLength');
    });
  });

  describe('device frames read tolerantly', () => {
    const layout = p0Layout(PET_HOUSE);
    const status = '05 00 00 00 08 01 22 32 02 00';

    it('an empty P0 is a write acknowledgement', () => {
      assert.deepEqual(readDeviceP0(layout, Buffer.alloc(0)), { type: 'ack' });
    });

    it('finds a status at the tail behind bytes newer firmware inserts', () => {
      const read = readDeviceP0(layout, hex(`aa bb cc dd 03 ${status}`));
      assert.ok(read.type === 'status' && read.action === 3 && read.values.Temperature === 21);
    });

    it('passes transparent data on and skips the rest without throwing', () => {
      assert.deepEqual(readDeviceP0(layout, hex('06 01 02')), { type: 'transparent', bytes: [1, 2] });
      assert.deepEqual(readDeviceP0(layout, hex('77 01 02')), { type: 'unknown' });
      assert.deepEqual(readDeviceP0(layout, hex('01')), { type: 'unknown' });
    });
  });

  describe('definitions that cannot be used on the LAN', () => {
    const base = PET_HOUSE.entities[0].attrs[0];
    const one = (attr: object, extra: Partial<ProductDatapoints> = {}): ProductDatapoints => ({
      product_key: 'pk',
      protocolType: 'standard',
      entities: [{ id: 0, name: 'entity0', attrs: [{ ...base, ...attr }] }],
      ...extra,
    });

    it('refuses var_len products, missing or impossible positions and blocks over 1024 bytes', () => {
      refused(() => p0Layout(one({}, { protocolType: 'var_len' })), 'lan.layout.notStandard');
      refused(() => p0Layout(one({ position: undefined })), 'lan.layout.noPosition');
      refused(() => p0Layout(one({ position: pos(0, 0, 2, 'bit') })), 'lan.layout.badPosition');
      refused(() => p0Layout(one({ position: pos(-1, 0, 1, 'bit') })), 'lan.layout.badPosition');
      refused(() => p0Layout(one({ position: pos(0, 0, 1, 'nibble') })), 'lan.layout.badPosition');
      refused(
        () => p0Layout(one({ data_type: 'uint16', position: pos(0, 0, 4, 'byte') })),
        'lan.layout.badPosition',
      );
      refused(
        () => p0Layout(one({ data_type: 'binary', position: pos(1000, 0, 100, 'byte') })),
        'lan.layout.tooLarge',
      );
    });

    it('refuses a value that passes the range but does not fit its bytes', () => {
      const layout = p0Layout(
        one({ data_type: 'uint8', position: pos(0, 0, 1, 'byte'), uint_spec: { min: 0, max: 300 } }),
      );
      assert.equal(show(encodeP0Write(layout, { LED_OnOff: 255 }).p0), '01 01 ff');
      refused(() => encodeP0Write(layout, { LED_OnOff: 256 }), 'lan.write.doesNotFit');
    });
  });
});

function pos(byte: number, bit: number, len: number, unit: string) {
  return { byte_offset: byte, bit_offset: bit, len, unit };
}
