import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { NEWER_FIRMWARE_PROFILE, startSimulator, type LanDevice, type Simulator } from '../../src/simulator';
import type { ProductDefinition } from '../../src/simulator/model/product-types';
import { waitFor } from '../helpers/live';
import { RawPeer, SIM_PET_HOUSE, SIM_PH_METER, SIM_WAVE_PUMP, hex, loginFrame, show } from './lan-helpers';

const PET = 'PetHouseLan00000000001';
const PUMP = 'WavePumpLan00000000001';
const METER = 'CFqpJTSymCE9PLlp1DpbhY';
const PASSCODE = 'IPQRSTUVWX';

describe('simulator: devices on the LAN (docs/lan.md)', () => {
  let sim: Simulator;
  const peers: RawPeer[] = [];

  async function add(did: string, product: ProductDefinition, mac: string, extra = {}): Promise<LanDevice> {
    if (!sim.model.products.has(product.product_key)) sim.model.addProduct(product);
    sim.model.addDevice({ did, productKey: product.product_key, mac, passcode: PASSCODE, online: true });
    return sim.lan!.addDevice(did, extra);
  }

  async function open(device: LanDevice): Promise<RawPeer> {
    const peer = await RawPeer.open(device.host, device.port);
    peers.push(peer);
    return peer;
  }

  async function loggedIn(device: LanDevice): Promise<RawPeer> {
    const peer = await open(device);
    peer.send(loginFrame(PASSCODE));
    assert.equal(await peer.take(9), '00 00 00 03 04 00 00 09 00');
    return peer;
  }

  before(async () => {
    sim = await startSimulator({ port: 0, driftIntervalMs: 0, lan: { dids: [], tcpPort: 0, udpPort: 0 } });
    await add(PET, SIM_PET_HOUSE, 'a0b1c2d3e4f5');
    await add(PUMP, SIM_WAVE_PUMP, 'a0b1c2d3e4f6');
    await add(METER, SIM_PH_METER, '483fda87dc47', {
      identity: { firmware: '', mcuAttributes: hex('00 00 00 00 00 00 00 02'), gagentVersion: '4.0.8' },
    });
  });
  afterEach(() => {
    while (peers.length) peers.pop()!.close();
    for (const device of sim.lan!.devices.values()) {
      device.silent = false;
      device.bindingWindowOpen = true;
      device.passcode = PASSCODE;
    }
  });
  after(() => sim.close());

  it('listens only when asked: a simulator without `lan` has no LAN side', async () => {
    const plain = await startSimulator({ port: 0, driftIntervalMs: 0 });
    assert.equal(plain.lan, undefined);
    await plain.close();
  });

  it('answers discovery from each device address with the captured reply, byte for byte', async () => {
    const socket = dgram.createSocket('udp4');
    const replies: Array<{ from: string; bytes: string }> = [];
    socket.on('message', (message, from) => replies.push({ from: from.address, bytes: show(message) }));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      socket.send(hex('00 00 00 03 03 00 00 03 00'), sim.lan!.udpPort, sim.lan!.broadcastHost); // one byte too many
      socket.send(hex('00 00 00 03 03 00 00 03'), sim.lan!.udpPort, sim.lan!.broadcastHost);
      await waitFor(() => replies.length >= 3);
      const meter = sim.lan!.device(METER);
      const fromMeter = replies.filter((reply) => reply.from === meter.host);
      assert.deepEqual(
        fromMeter.map((reply) => reply.bytes),
        [
          show(
            hex(`00 00 00 03 68 00 00 04
              00 16 43 46 71 70 4a 54 53 79 6d 43 45 39 50 4c 6c 70 31 44 70 62 68 59
              00 06 48 3f da 87 dc 47  00 00
              00 20 32 64 33 64 39 35 34 64 39 62 62 37 34 31 62 34 61 31 39 62 61 31 31 35 33 31 30 34 39 33 32 62
              00 00 00 00 00 00 00 02
              61 70 69 2e 67 69 7a 77 69 74 73 2e 63 6f 6d 3a 38 30 00  34 2e 30 2e 38 00`),
          ),
        ],
      );
      assert.deepEqual(
        new Set(replies.map((reply) => reply.from)).size,
        3,
        'each device from its own address',
      );
      socket.send(hex('00 00 00 03 03 00 00 03'), sim.lan!.udpPort, meter.host);
      await waitFor(() => replies.length >= 4);
      assert.equal(replies[3].from, meter.host);
    } finally {
      socket.close();
    }
  });

  it('example B: takes the golden write, acknowledges it, reports, and reads', async () => {
    const peer = await loggedIn(sim.lan!.device(PET));
    peer.send('00 00 00 03 0e 00 00 93 00 00 00 01 01 23 05 00 00 00 08');
    assert.equal(await peer.take(12), '00 00 00 03 07 00 00 94 00 00 00 01');
    // Temperature's raw 0 is −13 °C until the device measures something.
    assert.equal(await peer.take(19), '00 00 00 03 0e 00 00 91 04 05 00 00 00 08 00 00 00 00 00');
    assert.deepEqual(sim.model.devices.get(PET)!.socketSnapshot().LED_Color, 'Purple');
    sim.model.reportFromDevice(
      PET,
      new Map<string, boolean | number>([
        ['Infrared', true],
        ['Temperature', 21],
        ['Humidity', 50],
        ['Alert_2', true],
      ]),
    );
    assert.equal(await peer.take(19), '00 00 00 03 0e 00 00 91 04 05 00 00 00 08 01 22 32 02 00');
    peer.send('00 00 00 03 08 00 00 93 00 00 00 02 02');
    assert.equal(await peer.take(23), '00 00 00 03 12 00 00 94 00 00 00 02 03 05 00 00 00 08 01 22 32 02 00');
    peer.send('00 00 00 03 04 00 00 90 02');
    assert.equal(await peer.take(19), '00 00 00 03 0e 00 00 91 03 05 00 00 00 08 01 22 32 02 00');
  });

  it('example C: a two-byte bit group, the same state the cloud reports', async () => {
    sim.model.writeAttrs(
      PUMP,
      new Map<string, number>([
        ['flow', 60],
        ['frequency', 50],
        ['feedTime', 10],
        ['nightflow', 30],
      ]),
      { source: 'client' },
    );
    const peer = await loggedIn(sim.lan!.device(PUMP));
    peer.send('00 00 00 03 10 00 00 93 00 00 00 07 01 01 80 01 00 50 32 0a 1e');
    assert.equal(await peer.take(12), '00 00 00 03 07 00 00 94 00 00 00 07');
    assert.equal(await peer.take(16), '00 00 00 03 0b 00 00 91 04 01 00 50 32 0a 1e 00');
    assert.equal(sim.model.devices.get(PUMP)!.socketSnapshot().mode, '随机造浪');
    sim.model.reportFromDevice(PUMP, new Map([['Fault_OverTemp', true]]));
    assert.equal(await peer.take(16), '00 00 00 03 0b 00 00 91 04 01 00 50 32 0a 1e 04');
  });

  it('gives no answer to a write the MCU rejects, nor to an empty P0', async () => {
    const peer = await loggedIn(sim.lan!.device(PET));
    peer.send('00 00 00 03 0a 00 00 90 01 20 00 00 00 00 0b'); // Motor_Speed (W5) raw 11 > max 10
    peer.send('00 00 00 03 08 00 00 90 01 01 00 00 00'); // too short
    peer.send('00 00 00 03 03 00 00 90');
    peer.send('00 00 00 03 03 00 00 15');
    assert.equal(await peer.take(8), '00 00 00 03 03 00 00 16', 'the pong is the first thing back');
  });

  it('closes on anything but login before login, on a wrong passcode, and for a ninth client', async () => {
    const device = sim.lan!.device(PET);
    const early = await open(device);
    early.send('00 00 00 03 03 00 00 15');
    await early.closed();
    assert.equal(early.received.length, 0);
    const wrong = await open(device);
    wrong.send(loginFrame('ABCDEFGHIJ'));
    assert.equal(await wrong.take(9), '00 00 00 03 04 00 00 09 01');
    await wrong.closed();
    const eight = await Promise.all(Array.from({ length: 8 }, () => loggedIn(device)));
    const ninth = await open(device);
    await ninth.closed();
    assert.equal(device.clients, 8);
    for (const peer of eight) peer.close();
    await waitFor(() => device.clients === 0);
    assert.ok(
      device.received.every((frame) => !frame.body.includes(Buffer.from(PASSCODE).toString('hex'))),
      'the frame log never holds the passcode',
    );
  });

  it('closes a client it has not heard from, unless heartbeats keep coming', async () => {
    const device = sim.lan!.device(PET);
    device.options.idleTimeoutMs = 150;
    try {
      const pinging = await loggedIn(device);
      const quiet = await loggedIn(device);
      while (!quiet.ended) {
        pinging.send('00 00 00 03 03 00 00 15');
        assert.equal(await pinging.take(8), '00 00 00 03 03 00 00 16');
      }
      assert.equal(pinging.ended, false);
    } finally {
      device.options.idleTimeoutMs = 14_000;
    }
  });

  it('tells the passcode in its binding window only, with both closed-window replies', async () => {
    const device = sim.lan!.device(PET);
    const open1 = await open(device);
    open1.send('00 00 00 03 03 00 00 06');
    assert.equal(await open1.take(20), '00 00 00 03 0f 00 00 07 00 0a 49 50 51 52 53 54 55 56 57 58');
    device.bindingWindowOpen = false;
    const closed = await open(device);
    closed.send('00 00 00 03 03 00 00 06');
    assert.equal(await closed.take(10), '00 00 00 03 0f 00 00 07 00 00');
    await closed.closed();
    device.options.profile = { ...device.options.profile, closedWindowLengthBug: false };
    const fixed = await open(device);
    fixed.send('00 00 00 03 03 00 00 06');
    assert.equal(await fixed.take(10), '00 00 00 03 05 00 00 07 00 00');
    await fixed.closed();
  });

  it('newer firmware: two login replies, reports as 0093 with flag 1, bytes before the P0 of 0094', async () => {
    const device = sim.lan!.device(PET);
    const saved = device.options.profile;
    device.options.profile = NEWER_FIRMWARE_PROFILE;
    try {
      const peer = await open(device);
      peer.send(loginFrame(PASSCODE));
      assert.equal(await peer.take(18), '00 00 00 03 04 00 00 09 00 00 00 00 03 04 00 00 09 00');
      peer.send('00 00 00 03 08 00 00 93 00 00 00 05 02');
      const reply = await peer.take(29);
      assert.ok(reply.startsWith('00 00 00 03 18 00 00 94 00 00 00 05 5a 17 c3 e8 a0 b1 03 '), reply);
      sim.model.reportFromDevice(PET, new Map([['Humidity', 51]]));
      assert.equal(
        await peer.take(23),
        '00 00 00 03 12 01 00 93 00 00 00 00 04 05 00 00 00 08 01 22 33 02 00',
      );
    } finally {
      device.options.profile = saved;
    }
  });

  it('silent: answers nothing, heartbeats included', async () => {
    const device = sim.lan!.device(PET);
    const peer = await loggedIn(device);
    const pings = () => device.received.filter((frame) => frame.cmd === 0x15).length;
    const before = pings();
    device.silent = true;
    peer.send('00 00 00 03 03 00 00 15');
    await waitFor(() => pings() > before);
    device.silent = false;
    peer.send('00 00 00 03 04 00 00 90 02');
    const next = await peer.take(9);
    assert.equal(next, '00 00 00 03 0e 00 00 91 03', 'the read reply, not a late pong');
  });

  it('strict single-frame reads refuse two frames in one write', async () => {
    const device = sim.lan!.device(PET);
    device.options.strictSingleFrameReads = true;
    try {
      const peer = await loggedIn(device);
      peer.send('00 00 00 03 03 00 00 15 00 00 00 03 03 00 00 15');
      await peer.closed();
    } finally {
      device.options.strictSingleFrameReads = false;
    }
  });

  it('moves to another address, keeping its port', async () => {
    const device = sim.lan!.device(METER);
    const port = device.port;
    await device.moveTo('127.0.0.60');
    assert.equal(device.host, '127.0.0.60');
    assert.equal(device.port, port);
    await loggedIn(device);
  });
});
