// Whatever comes off the LAN is untrusted: random bytes must be refused or skipped, never thrown, and
// never make the reader hold more than one frame's worth.
import assert from 'node:assert/strict';
import { parseDiscoveryReply } from '../../src/client/lan/discovery';
import { FrameReader, MAX_FRAME_LENGTH, readDatagram } from '../../src/client/lan/frame';
import { readDeviceP0 } from '../../src/client/lan/p0';
import { p0Layout } from '../../src/client/lan/p0-layout';
import { PET_HOUSE, WAVE_PUMP } from './products';

/** A small deterministic generator, so that a failure can be replayed. */
function bytesFrom(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return (max: number) => {
    const length = Math.floor(next() * max);
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
    // Often start like a frame, so that the deeper checks are reached too.
    if (length > 4 && next() < 0.7) bytes.set([0, 0, 0, 3], 0);
    return bytes;
  };
}

describe('LAN input off the wire', () => {
  it('the frame reader refuses or keeps random streams, never throwing, never holding more than a frame', () => {
    const random = bytesFrom(17);
    for (let stream = 0; stream < 300; stream++) {
      const reader = new FrameReader();
      for (let chunk = 0; chunk < 20; chunk++) {
        const { problem } = reader.push(random(64));
        assert.ok(reader.pending <= MAX_FRAME_LENGTH + 8 + 64);
        if (problem) break;
      }
    }
  });

  it('datagrams, discovery replies and P0 of random bytes are skipped, never thrown', () => {
    const random = bytesFrom(99);
    const layouts = [p0Layout(PET_HOUSE), p0Layout(WAVE_PUMP)];
    for (let i = 0; i < 5000; i++) {
      const bytes = random(140);
      const frame = readDatagram(bytes);
      if (frame) parseDiscoveryReply(frame.payload);
      parseDiscoveryReply(bytes);
      for (const layout of layouts) {
        const read = readDeviceP0(layout, bytes);
        if (read.type === 'status')
          assert.ok(
            Object.keys(read.values).every((name) => layout.points.some((point) => point.name === name)),
          );
      }
    }
  });
});
