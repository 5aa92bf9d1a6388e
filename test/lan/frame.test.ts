import assert from 'node:assert/strict';
import {
  FrameReader,
  MAX_FRAME_LENGTH,
  buildFrame,
  decodeLength,
  encodeLength,
  readDatagram,
} from '../../src/client/lan/frame';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const show = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

describe('LAN frames (docs/lan.md §1)', () => {
  it('encodes and decodes the length field of the examples', () => {
    const cases: Array<[number, string]> = [
      [3, '03'],
      [127, '7f'],
      [128, '80 01'],
      [400, '90 03'],
      [802, 'a2 06'],
      [16384, '80 80 01'],
    ];
    for (const [value, bytes] of cases) {
      assert.equal(show(Buffer.from(encodeLength(value))), bytes);
      assert.deepEqual(decodeLength(hex(bytes), 0), { value, size: hex(bytes).length });
    }
    assert.equal(decodeLength(hex('80 80'), 0), 'incomplete');
    assert.equal(decodeLength(hex('80 80 80 80 01'), 0), 'invalid');
  });

  it('builds the frames of the examples', () => {
    assert.equal(show(buildFrame(0x15)), '00 00 00 03 03 00 00 15');
    assert.equal(show(buildFrame(0x90, hex('02'))), '00 00 00 03 04 00 00 90 02');
    assert.equal(
      show(buildFrame(0x08, hex('00 0a 49 50 51 52 53 54 55 56 57 58'))),
      '00 00 00 03 0f 00 00 08 00 0a 49 50 51 52 53 54 55 56 57 58',
    );
    const long = buildFrame(0x91, Buffer.concat([hex('03'), Buffer.alloc(394)]));
    assert.equal(show(long.subarray(0, 10)), '00 00 00 03 8e 03 00 00 91 03');
    assert.equal(long.length, 404);
  });

  it('joins a frame delivered byte by byte, and splits two frames in one chunk', () => {
    const reader = new FrameReader();
    const report = buildFrame(0x91, hex('04 03 02 dc 08 9d 00 00 00 00'));
    const seen = [];
    for (const byte of report) seen.push(...reader.push(Buffer.from([byte])).frames);
    assert.equal(seen.length, 1);
    assert.equal(show(seen[0].payload), '04 03 02 dc 08 9d 00 00 00 00');
    assert.equal(reader.pending, 0);
    const both = reader.push(
      Buffer.concat([hex('00 00 00 03 04 00 00 09 00'), buildFrame(0x94, hex('00 00 00 01'))]),
    );
    assert.deepEqual(
      both.frames.map((frame) => [frame.cmd, show(frame.payload)]),
      [
        [0x09, '00'],
        [0x94, '00 00 00 01'],
      ],
    );
  });

  it('keeps a partial frame across chunks, the length field itself split', () => {
    const reader = new FrameReader();
    const long = buildFrame(0x91, Buffer.alloc(400, 7));
    assert.equal(reader.push(long.subarray(0, 5)).frames.length, 0);
    assert.equal(reader.push(long.subarray(5, 300)).frames.length, 0);
    const [frame] = reader.push(long.subarray(300)).frames;
    assert.equal(frame.payload.length, 400);
  });

  it('accepts any flag', () => {
    const [frame] = new FrameReader().push(hex('00 00 00 03 07 01 00 93 00 00 00 00')).frames;
    assert.deepEqual([frame.flag, frame.cmd], [1, 0x93]);
  });

  it('refuses a bad prefix, a 5-byte length, a length under 3 and an absurd length, without throwing', () => {
    const cases: Array<[string, string]> = [
      ['00 00 00 04 03 00 00 15', 'lan.frame.badPrefix'],
      ['01', 'lan.frame.badPrefix'],
      ['00 00 00 03 80 80 80 80 01', 'lan.frame.badLength'],
      ['00 00 00 03 02 00 00', 'lan.frame.tooShort'],
      ['00 00 00 03 ff ff ff 7f', 'lan.frame.tooLong'],
    ];
    for (const [bytes, key] of cases) {
      const reader = new FrameReader();
      const result = reader.push(hex(bytes));
      assert.equal(result.problem?.key, key, bytes);
      assert.equal(reader.pending, 0, 'nothing is kept for a refused frame');
      assert.equal(reader.push(buildFrame(0x16)).problem?.key, key, 'a refused stream stays refused');
    }
  });

  it('accepts the largest length allowed and keeps only what arrived', () => {
    const reader = new FrameReader();
    const head = Buffer.from([0, 0, 0, 3, ...encodeLength(MAX_FRAME_LENGTH), 0, 0, 0x91]);
    const result = reader.push(head);
    assert.equal(result.problem, undefined);
    assert.equal(reader.pending, head.length);
  });

  it('reads a datagram whose one-byte length disagrees with its size', () => {
    const payload = Buffer.alloc(140, 0x41);
    assert.equal(readDatagram(buildFrame(0x04, payload))?.payload.length, 140);
    // A module writes 143 as the single byte 8f, which a varint reader would take as unfinished.
    const single = readDatagram(Buffer.concat([hex('00 00 00 03 8f 00 00 04'), payload]));
    assert.deepEqual([single?.cmd, single?.payload.length], [0x04, 140]);
    assert.equal(readDatagram(hex('00 00 00 03 03 00')), undefined);
    assert.equal(readDatagram(hex('ff ff ff ff 03 00 00 03')), undefined);
  });
});
