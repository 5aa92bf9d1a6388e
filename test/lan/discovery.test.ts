import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { GizwitsError } from '../../src/client/errors';
import { defaultTargets, discover, parseDiscoveryReply, parseTargets } from '../../src/client/lan/discovery';
import { readDatagram } from '../../src/client/lan/frame';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** The captured 109-byte reply of docs/lan.md §2. */
const GOLDEN = hex(`
  00 00 00 03 68 00 00 04
  00 16 43 46 71 70 4a 54 53 79 6d 43 45 39 50 4c 6c 70 31 44 70 62 68 59
  00 06 48 3f da 87 dc 47
  00 00
  00 20 32 64 33 64 39 35 34 64 39 62 62 37 34 31 62 34 61 31 39 62 61 31 31 35 33 31 30 34 39 33 32 62
  00 00 00 00 00 00 00 02
  61 70 69 2e 67 69 7a 77 69 74 73 2e 63 6f 6d 3a 38 30 00
  34 2e 30 2e 38 00`);

describe('LAN discovery (docs/lan.md §2)', () => {
  it('reads every field of the captured reply', () => {
    assert.equal(GOLDEN.length, 109);
    const frame = readDatagram(GOLDEN);
    assert.equal(frame?.cmd, 0x04);
    assert.deepEqual(parseDiscoveryReply(frame!.payload), {
      did: 'CFqpJTSymCE9PLlp1DpbhY',
      mac: '483fda87dc47',
      firmware: '',
      productKey: '2d3d954d9bb741b4a19ba1153104932b',
      mcuAttributes: '0000000000000002',
      apiServer: 'api.gizwits.com:80',
      gagentVersion: '4.0.8',
    });
  });

  it('reads a reply without the trailing texts, and refuses truncated or lying ones', () => {
    const payload = readDatagram(GOLDEN)!.payload;
    const core = payload.subarray(0, 2 + 22 + 2 + 6 + 2 + 2 + 32 + 8);
    assert.equal(parseDiscoveryReply(core)?.did, 'CFqpJTSymCE9PLlp1DpbhY');
    assert.equal(parseDiscoveryReply(core)?.apiServer, undefined);
    assert.equal(parseDiscoveryReply(core.subarray(0, core.length - 1)), undefined);
    const lying = Buffer.from(core);
    lying.writeUInt16BE(0xffff, 0);
    assert.equal(parseDiscoveryReply(lying), undefined);
    const badMac = Buffer.from(core);
    badMac.writeUInt16BE(5, 24);
    assert.equal(parseDiscoveryReply(badMac), undefined);
  });

  it('parses lanTargets, defaulting to the broadcast address of every interface', () => {
    assert.deepEqual(parseTargets('127.0.0.2:4000, 127.0.0.3'), [
      { host: '127.0.0.2', port: 4000 },
      { host: '127.0.0.3', port: 12414 },
    ]);
    assert.deepEqual(parseTargets(' '), defaultTargets());
    assert.ok(
      defaultTargets().every((target) => target.port === 12414 && /^\d+\.\d+\.\d+\.\d+$/.test(target.host)),
    );
    for (const bad of ['127.0.0.1:0', '127.0.0.1:70000', 'a b', 'host:port'])
      assert.throws(
        () => parseTargets(bad),
        (error: GizwitsError) => error.text?.key === 'lan.discovery.badTarget',
      );
  });

  it('probes each target, ignores what is not a reply, and keeps the address a reply came from', async () => {
    const device = dgram.createSocket('udp4');
    const requests: string[] = [];
    device.on('message', (message, from) => {
      requests.push(message.toString('hex'));
      device.send(hex('00 00 00 03 03 00 00 03'), from.port, from.address); // an echo of a request
      device.send(hex('00 00 00 03 05 00 00 04 00'), from.port, from.address); // a broken reply
      device.send(GOLDEN, from.port, from.address);
    });
    await new Promise<void>((resolve) => device.bind(0, '127.0.0.2', resolve));
    try {
      const port = device.address().port;
      const found = await discover({
        targets: [{ host: '127.0.0.2', port }],
        bindAddress: '127.0.0.1',
        probes: 2,
        probeIntervalMs: 20,
        listenMs: 5000,
        until: () => requests.length >= 2,
      });
      assert.equal(found.length, 1);
      assert.equal(found[0].ip, '127.0.0.2');
      assert.equal(found[0].did, 'CFqpJTSymCE9PLlp1DpbhY');
      assert.deepEqual(requests.slice(0, 2), ['0000000303000003', '0000000303000003']);
    } finally {
      device.close();
    }
  });
});
