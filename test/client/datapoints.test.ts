import assert from 'node:assert/strict';
import {
  GizwitsError,
  encodeWrite,
  rawFrame,
  rawPayload,
  reportsMatch,
  toProductSchema,
  toRestAttrs,
  type ProductDatapoints,
} from '../../src/client';

// A product in the document's datapoint shape, with both spellings of `type` mixed in.
const product: ProductDatapoints = {
  name: 'test heater',
  product_key: 'pk',
  entities: [
    {
      id: 0,
      name: 'entity0',
      attrs: [
        {
          id: 0,
          name: 'switch',
          type: 'status_writable',
          data_type: 'bool',
          position: { byte_offset: 0, bit_offset: 0, len: 1, unit: 'bit' },
        },
        { id: 1, name: 'mode', type: 'W', data_type: 'enum', enum: ['自动', '制冷', '制热'] },
        {
          id: 2,
          name: 'set_temp',
          type: 'status_writable',
          data_type: 'uint8',
          uint_spec: { min: 0, max: 28, ratio: 0.5, addition: 16 },
        },
        {
          id: 3,
          name: 'timer',
          type: 'W',
          data_type: 'uint16',
          uint_spec: { min: 0, max: 1440, ratio: 1, addition: 0 },
        },
        {
          id: 4,
          name: 'energy',
          type: 'status_writable',
          data_type: 'uint32',
          uint_spec: { min: 0, max: 100000, ratio: 1, addition: 0 },
        },
        {
          id: 5,
          name: 'room_temp',
          type: 'status_readonly',
          data_type: 'uint8',
          uint_spec: { min: 0, max: 60, ratio: 1, addition: -10 },
        },
        { id: 6, name: 'alert_full', type: 'N', data_type: 'bool' },
        { id: 7, name: 'fault_sensor', type: 'fault', data_type: 'bool' },
        {
          id: 8,
          name: 'blob',
          type: 'W',
          data_type: 'binary',
          position: { byte_offset: 0, bit_offset: 0, len: 4, unit: 'byte' },
        },
      ],
    },
  ],
};
const schema = toProductSchema(product);

function rejects(values: unknown, pattern: RegExp) {
  assert.throws(
    () => encodeWrite(schema, values, 'did1'),
    (e: GizwitsError) => {
      assert.equal(e.code, 'INVALID_PARAMS');
      assert.match(e.message, /^Cannot write to did1: /);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('data points', () => {
  it('reads both spellings of the point type, and ranges after ratio and addition', () => {
    assert.equal(schema.datapoints.get('mode')?.kind, 'writable');
    assert.equal(schema.datapoints.get('room_temp')?.kind, 'readonly');
    assert.equal(schema.datapoints.get('alert_full')?.kind, 'alert');
    assert.equal(schema.datapoints.get('fault_sensor')?.kind, 'fault');
    assert.deepEqual(
      [schema.datapoints.get('set_temp')?.min, schema.datapoints.get('set_temp')?.max],
      [16, 30],
    );
    assert.equal(schema.datapoints.get('blob')?.bytes, 4);
  });

  it('encodes good values: bool, enum by label or index, numbers on their step, binary padded', () => {
    assert.deepEqual(
      encodeWrite(schema, { switch: 1, mode: 2, set_temp: 22.5, timer: '30', energy: 100000, blob: 'ab01' }),
      {
        switch: true,
        mode: '制热',
        set_temp: 22.5,
        timer: 30,
        energy: 100000,
        blob: [0xab, 0x01, 0, 0],
      },
    );
    assert.deepEqual(encodeWrite(schema, { mode: '制冷', blob: [1, 2, 3, 4] }), {
      mode: '制冷',
      blob: [1, 2, 3, 4],
    });
    assert.deepEqual(encodeWrite(schema, { blob: 'base64:AQI=' }), { blob: [1, 2, 0, 0] });
  });

  it('refuses a bad value of every type, naming the point and what it takes', () => {
    rejects({ switch: 'yes' }, /"switch" takes true or false/);
    rejects({ mode: '送风' }, /"mode" takes one of 0 "自动", 1 "制冷", 2 "制热"; not "送风"/);
    rejects({ mode: 3 }, /"mode" takes one of/);
    rejects({ set_temp: 31 }, /"set_temp" must be between 16 and 30; 31 is out of range/);
    rejects({ set_temp: 22.3 }, /"set_temp" moves in steps of 0.5 from 16/);
    rejects({ timer: 'soon' }, /"timer" takes a number/);
    rejects({ timer: -1 }, /between 0 and 1440/);
    rejects({ energy: 100001 }, /"energy" must be between 0 and 100000/);
    rejects({ blob: 'xyz' }, /"blob" takes hex text/);
    rejects({ blob: [1, 2, 3, 4, 5] }, /"blob" holds 4 bytes; 5 given/);
    rejects({ blob: [1, 300] }, /"blob" takes hex text/);
  });

  it('refuses unknown, read-only, alert and fault points, and empty or non-object writes', () => {
    rejects(
      { turbo: true },
      /"turbo" is not a data point of test heater; writable ones are switch, mode, set_temp, timer, energy, blob/,
    );
    rejects({ room_temp: 20 }, /"room_temp" is read-only and cannot be written/);
    rejects({ alert_full: false }, /"alert_full" is an alert point and cannot be written/);
    rejects({ fault_sensor: false }, /"fault_sensor" is a fault point and cannot be written/);
    rejects({}, /no data point values given/);
    rejects([true], /give an object of data point values/);
    rejects('on', /give an object/);
  });

  it('sends binary as hex over REST and compares reports byte by byte', () => {
    assert.deepEqual(toRestAttrs(schema, { blob: [0xab, 1, 0, 0], switch: true }), {
      blob: 'ab010000',
      switch: true,
    });
    assert.ok(
      reportsMatch({ blob: [1, 2, 0, 0], set_temp: 22.5 }, { blob: '01020000', set_temp: 22.5, other: 1 }),
    );
    assert.ok(!reportsMatch({ switch: true }, { switch: false }));
  });
});

describe('raw frames', () => {
  it('wraps a payload in the [0,0,0,3,len,0,0,0x90] envelope', () => {
    assert.deepEqual(rawFrame([1, 2]), [0, 0, 0, 3, 5, 0, 0, 0x90, 1, 2]);
    const long = new Array(200).fill(7);
    const frame = rawFrame(long);
    assert.deepEqual(frame.slice(0, 9), [0, 0, 0, 3, (203 % 128) | 0x80, 1, 0, 0, 0x90]);
    assert.deepEqual(rawPayload(frame), long);
  });

  it('checks a frame given whole', () => {
    assert.deepEqual(rawFrame([0, 0, 0, 3, 4, 0, 0, 0x93, 9]), [0, 0, 0, 3, 4, 0, 0, 0x93, 9]);
    assert.throws(
      () => rawFrame([0, 0, 0, 3, 9, 0, 0, 0x90, 1]),
      /says 9 bytes follow its length field; 4 do/,
    );
    assert.throws(() => rawFrame([0, 0, 0, 3, 4, 0, 0, 0x91, 1]), /command 0x0090/);
    assert.throws(() => rawFrame([]), /raw data is empty/);
    assert.throws(() => rawFrame([256]), /must be bytes/);
  });
});
