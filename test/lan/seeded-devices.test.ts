// The LAN client and the simulated cloud agree on every seeded product: the positions the cloud announces
// give the client a layout whose reading of each device equals the state the cloud reports.
import assert from 'node:assert/strict';
import { LanLink, type LanReport } from '../../src/client/lan/link';
import { p0Layout } from '../../src/client/lan/p0-layout';
import { SIM_DEVICES, startSimulator, type Simulator } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call } from '../simulator/helpers';

describe('LAN link on the seeded demo devices', () => {
  let sim: Simulator;
  const links: LanLink[] = [];

  before(async () => {
    sim = await startSimulator({ port: 0, driftIntervalMs: 0, lan: { tcpPort: 0, udpPort: 0 } });
  });
  after(async () => {
    await Promise.all(links.map((link) => link.close()));
    await sim.close();
  });

  async function linkTo(did: string) {
    const device = sim.lan!.device(did);
    const productKey = device.device.product.product_key;
    const answer = await call(sim, 'GET', `/app/datapoint?product_key=${productKey}`);
    const link = new LanLink({
      did,
      host: device.host,
      port: device.port,
      passcode: device.device.passcode,
      layout: p0Layout(answer.body as never),
      timing: { loginSettleMs: 0, requestTimeoutMs: 2000 },
    });
    links.push(link);
    const reports: LanReport[] = [];
    link.on('report', (report) => reports.push(report));
    link.start();
    await waitFor(() => reports.some((report) => report.initial));
    return { link, reports };
  }

  for (const [name, did] of Object.entries(SIM_DEVICES)) {
    it(`reads ${name} as the cloud reports it`, async () => {
      const { reports } = await linkTo(did);
      assert.deepEqual(reports[0].values, sim.model.devices.get(did)!.socketSnapshot());
    });
  }

  it('writes every kind of writable point of the lamp and the air conditioner', async () => {
    const lamp = await linkTo(SIM_DEVICES.demoLamp1);
    await lamp.link.write({ mode: '闪烁', LED_G: 7, scene_data: [1, 2, 3], switch: true });
    const state = () => sim.model.devices.get(SIM_DEVICES.demoLamp1)!.socketSnapshot();
    await waitFor(() => state().LED_G === 7);
    assert.deepEqual(
      [state().mode, state().switch, state().scene_data],
      ['闪烁', true, [1, 2, 3, 0, 0, 0, 0, 0]],
    );
    const ac = await linkTo(SIM_DEVICES.demoAc);
    await ac.link.write({ set_temp: 18, fan_speed: 2, off_timing: 1440 });
    await waitFor(() => ac.reports.some((report) => report.values.off_timing === 1440));
    const values = ac.reports.at(-1)!.values;
    assert.deepEqual([values.set_temp, values.fan_speed], [18, '高风']);
    assert.deepEqual(values, sim.model.devices.get(SIM_DEVICES.demoAc)!.socketSnapshot());
  });
});
