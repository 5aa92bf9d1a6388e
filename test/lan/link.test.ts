// The LAN client against the simulated devices over loopback (docs/lan.md §3).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { inspect } from 'node:util';
import { discover } from '../../src/client/lan/discovery';
import { LanLink, type LanLinkState, type LanReport } from '../../src/client/lan/link';
import { p0Layout, type P0Layout } from '../../src/client/lan/p0-layout';
import type { GizwitsError } from '../../src/client/errors';
import { NEWER_FIRMWARE_PROFILE, startSimulator, type LanDevice, type Simulator } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call } from '../simulator/helpers';
import { SIM_PET_HOUSE } from '../simulator/lan-helpers';

const PASSCODE = 'IPQRSTUVWX';
const TIMING = {
  heartbeatMs: 200,
  connectTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  loginSettleMs: 10,
  reconnectBaseMs: 20,
  reconnectCapMs: 200,
};

describe('LAN link against the simulated devices', () => {
  let sim: Simulator;
  let layout: P0Layout;
  let serial = 0;
  const links: LanLink[] = [];

  /** A fresh pet house with its own module, and a link to it that records what it sees. */
  async function setup(
    options: {
      passcode?: string;
      locate?: boolean;
      timing?: Partial<typeof TIMING>;
      random?: () => number;
    } = {},
  ) {
    const did = `PetHouseLink${String(++serial).padStart(10, '0')}`;
    sim.model.addDevice({
      did,
      productKey: SIM_PET_HOUSE.product_key,
      mac: `a0b1c2d3e5${serial.toString(16).padStart(2, '0')}`,
      passcode: PASSCODE,
      online: true,
    });
    const device = await sim.lan!.addDevice(did);
    const lan = sim.lan!;
    const link = new LanLink({
      did,
      host: device.host,
      port: device.port,
      passcode: options.passcode ?? PASSCODE,
      layout,
      timing: { ...TIMING, ...options.timing },
      random: options.random,
      locate: options.locate
        ? async () => {
            const found = await discover({
              targets: [{ host: lan.broadcastHost, port: lan.udpPort }],
              bindAddress: '127.0.0.1',
              probes: 2,
              probeIntervalMs: 50,
              listenMs: 1000,
              until: (seen) => seen.did === did,
            });
            return found.find((seen) => seen.did === did)?.ip;
          }
        : undefined,
    });
    links.push(link);
    const seen = { states: [] as LanLinkState[], reports: [] as LanReport[], errors: [] as GizwitsError[] };
    link.on('state', (state) => seen.states.push(state));
    link.on('report', (report) => seen.reports.push(report));
    link.on('problem', (error) => seen.errors.push(error));
    link.on('refused', (error) => seen.errors.push(error));
    return { did, device, link, seen };
  }

  const online = (link: LanLink) =>
    waitFor(
      () => link.state === 'online',
      5000,
      () => link.state,
    );
  const logins = (device: LanDevice) => device.received.filter((frame) => frame.cmd === 0x08).length;

  before(async () => {
    sim = await startSimulator({
      port: 0,
      driftIntervalMs: 0,
      lan: { dids: [], tcpPort: 0, udpPort: 0, idleTimeoutMs: 800, strictSingleFrameReads: true },
    });
    sim.model.addProduct(SIM_PET_HOUSE);
    const answer = await call(sim, 'GET', `/app/datapoint?product_key=${SIM_PET_HOUSE.product_key}`);
    layout = p0Layout(answer.body as never);
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.close()));
  });
  after(() => sim.close());

  it('logs in, reads the state, and writes one frame per write with one request in flight', async () => {
    const { did, device, link, seen } = await setup();
    link.start();
    await waitFor(() => seen.reports.some((report) => report.initial));
    assert.equal(link.state, 'online');
    assert.deepEqual(seen.reports[0].values.LED_Color, 'Customize');
    const written = await link.write({ LED_OnOff: true, LED_Color: 'Purple', Motor_Speed: 3 });
    assert.deepEqual(written, { LED_OnOff: true, LED_Color: 'Purple', Motor_Speed: 3 });
    await waitFor(() => seen.reports.some((report) => report.action === 4));
    const report = seen.reports.find((each) => each.action === 4)!;
    assert.equal(report.initial, false);
    assert.equal(report.values.LED_Color, 'Purple');
    assert.equal(report.values.Motor_Speed, 3);
    assert.equal(sim.model.devices.get(did)!.socketSnapshot().Motor_Speed, 3, 'the state the cloud reports');
    const write = device.received.find((frame) => frame.cmd === 0x93);
    assert.equal(write?.body, '00000001' + '01230500000008');
    assert.deepEqual(
      device.received.slice(0, 2).map((frame) => frame.cmd),
      [0x08, 0x90],
      'login, then the read; the strict device saw every frame alone',
    );
  });

  it('keeps one request in flight: calls made together reach a slow device one after another', async () => {
    const { device, link } = await setup();
    device.options.replyDelayMs = 30;
    link.start();
    await online(link);
    const [first, written, second] = await Promise.all([link.read(), link.write({ LED_R: 5 }), link.read()]);
    assert.equal(first.LED_R, 0);
    assert.deepEqual(written, { LED_R: 5 });
    assert.equal(second.LED_R, 5);
    assert.equal(device.overlaps, 0, 'no request was sent before the previous one was answered');
  });

  it('keeps the link up with heartbeats across several of the device idle time-outs', async () => {
    const { device, link, seen } = await setup();
    link.start();
    await online(link);
    const pings = () => device.received.filter((frame) => frame.cmd === 0x15).length;
    await waitFor(
      () => pings() >= 12,
      5000,
      () => `${pings()} pings`,
    );
    assert.equal(
      logins(device),
      1,
      `one session throughout: ${JSON.stringify({ states: seen.states, errors: seen.errors.map((e) => e.message), frames: device.received.map((f) => `${f.connection}:${f.cmd.toString(16)}`) })}`,
    );
    assert.equal(link.state, 'online');
  });

  it('passes on a report caused through the cloud, the same state', async () => {
    const { did, link, seen } = await setup();
    link.start();
    await online(link);
    sim.model.writeAttrs(did, new Map([['LED_R', 200]]), { source: 'client' });
    await waitFor(() => seen.reports.some((report) => report.values.LED_R === 200));
  });

  it('joins frames that arrive byte by byte', async () => {
    const { device, link, seen } = await setup();
    device.options.byteByByte = true;
    link.start();
    await waitFor(() => seen.reports.some((report) => report.initial));
    await link.write({ LED_B: 9 });
    await waitFor(() => seen.reports.some((report) => report.values.LED_B === 9));
  });

  it('works with newer firmware: a doubled login reply in one read, 0093 reports, bytes before P0', async () => {
    const { device, link, seen } = await setup();
    device.options.profile = NEWER_FIRMWARE_PROFILE;
    link.start();
    await waitFor(() => seen.reports.some((report) => report.initial));
    await link.write({ LED_G: 77 });
    await waitFor(() => seen.reports.some((report) => report.values.LED_G === 77 && report.action === 4));
    assert.deepEqual(seen.errors, []);
  });

  it('stops on a refused passcode without retrying, and never shows the passcode', async () => {
    const wrong = 'WRONGPASSX';
    const { device, link, seen } = await setup({ passcode: wrong });
    link.start();
    const [error] = (await once(link, 'refused')) as [GizwitsError];
    assert.equal(error.text?.key, 'lan.link.loginRefused');
    assert.ok(!error.message.includes(wrong) && !JSON.stringify(error).includes(wrong));
    assert.ok(!inspect(link, { depth: 5 }).includes(wrong), 'an inspected (logged) link hides it');
    assert.equal(link.state, 'refused');
    assert.equal(logins(device), 1);
    link.setPasscode(PASSCODE);
    await online(link);
    assert.equal(logins(device), 2, 'one refused login, then the one with the new passcode');
    assert.ok(seen.states.includes('refused'));
  });

  it('notices a silent device, reconnects with a pause, and reads again', async () => {
    const { device, link, seen } = await setup();
    link.start();
    await online(link);
    device.silent = true;
    await waitFor(() => seen.errors.some((error) => error.text?.key === 'lan.link.silent'));
    device.silent = false;
    await waitFor(() => seen.reports.filter((report) => report.initial).length >= 2);
    assert.ok(seen.states.includes('waiting'));
    assert.ok(logins(device) >= 2);
  });

  it('reconnects after the device drops the TCP link', async () => {
    const { device, link, seen } = await setup();
    link.start();
    await online(link);
    device.dropConnections();
    await waitFor(() => seen.states.includes('waiting'));
    await waitFor(
      () => seen.reports.filter((report) => report.initial).length >= 2 && link.state === 'online',
    );
  });

  it('pauses longer before each reconnect while the device stays away', async () => {
    const { device, link } = await setup({ random: () => 1 });
    const attempts: number[] = [];
    link.on('state', (state) => state === 'connecting' && attempts.push(performance.now()));
    link.start();
    await online(link);
    await device.close();
    await waitFor(
      () => attempts.length >= 6,
      8000,
      () => `${attempts.length} attempts`,
    );
    const gaps = attempts.slice(2).map((at, i) => at - attempts[i + 1]);
    // The first pause after the drop is the base (20 ms); with the jitter at its top each failed attempt
    // doubles it up to the cap: 40, 80, 160, 200 ms, never shorter.
    gaps.forEach((gap, n) => assert.ok(gap >= Math.min(200, 40 * 2 ** n) - 2, `pause ${n + 1}: ${gap} ms`));
    await device.moveTo(device.host);
    await online(link);
  });

  it('finds the device again by discovery when its address changes', async () => {
    const { device, link } = await setup({ locate: true });
    link.start();
    await online(link);
    await device.moveTo('127.0.0.77');
    await waitFor(
      () => link.state === 'online' && link.address.startsWith('127.0.0.77:'),
      8000,
      () => link.address,
    );
  });

  it('refuses a malformed frame or an absurd length without throwing, and starts afresh', async () => {
    const { device, link, seen } = await setup();
    link.start();
    await online(link);
    device.inject(Buffer.from('0000000403000091', 'hex'));
    await waitFor(() => seen.errors.length === 1);
    await online(link);
    device.inject(Buffer.from('00000003ffffff7f', 'hex'));
    await waitFor(() => seen.errors.length === 2);
    await online(link);
    const reasons = seen.errors.map((error) => (error.text?.params?.reason as { key: string }).key);
    assert.deepEqual(reasons, ['lan.frame.badPrefix', 'lan.frame.tooLong']);
  });

  it('survives a listener of its own that throws: the connection starts afresh, the process goes on', async () => {
    const { link, seen } = await setup();
    let throws = true;
    link.on('report', () => {
      if (throws) {
        throws = false;
        throw new Error('a bug in whoever listens');
      }
    });
    link.start();
    await waitFor(
      () => seen.reports.filter((report) => report.initial).length >= 2 && link.state === 'online',
    );
    assert.ok(seen.states.includes('waiting'));
  });

  it('times out a write nothing answers, then serves the next request', async () => {
    // A request time-out shorter than the silence that ends a link (two heartbeats), as by default.
    const { device, link } = await setup({ timing: { heartbeatMs: 600, requestTimeoutMs: 400 } });
    device.options.idleTimeoutMs = 2000;
    device.options.profile = { ...device.options.profile, emptyWriteAck: false };
    link.start();
    await online(link);
    // The value it already has: no acknowledgement, and no report either.
    await assert.rejects(
      link.write({ LED_R: 0 }),
      (error: GizwitsError) => error.text?.key === 'lan.link.noAnswer',
    );
    const values = await link.read();
    assert.equal(values.LED_R, 0);
  });

  it('refuses requests while not logged in, and stays closed once closed', async () => {
    const { link } = await setup();
    await assert.rejects(link.read(), (error: GizwitsError) => error.text?.key === 'lan.link.notConnected');
    link.start();
    await online(link);
    await link.close();
    assert.equal(link.state, 'closed');
    await assert.rejects(
      link.write({ LED_R: 1 }),
      (error: GizwitsError) => error.text?.key === 'lan.link.notConnected',
    );
  });
});
