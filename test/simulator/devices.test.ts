import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_PRODUCTS, type DeviceReportEvent } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

describe('simulator: devices', () => {
  const ctx = useSimulator();
  let token = '';
  before(async () => {
    token = await login(ctx.sim);
  });

  const control = (did: string, body: unknown, as = token) =>
    call(ctx.sim, 'POST', `/app/control/${did}`, { token: as, body });

  it('answers data point definitions in the document shape, with word types for the air conditioner', async () => {
    const answer = await call(
      ctx.sim,
      'GET',
      `/app/datapoint?product_key=${SIM_PRODUCTS.airConditioner.product_key}`,
    );
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.product_key, SIM_PRODUCTS.airConditioner.product_key);
    assert.equal(answer.body.protocolType, 'standard');
    const entity = answer.body.entities[0];
    assert.equal(entity.name, 'entity0');
    const byName = Object.fromEntries(entity.attrs.map((attr: { name: string }) => [attr.name, attr]));
    assert.equal(byName.switch.type, 'status_writable');
    assert.equal(byName.room_temp.type, 'status_readonly');
    assert.equal(byName.alert_full.type, 'alert');
    assert.equal(byName.fault_roomtemp.type, 'fault');
    assert.deepEqual(byName.mode.enum, ['自动', '制冷', '制热', '送风', '除湿']);
    assert.deepEqual(byName.room_temp.uint_spec, { min: 0, max: 60, ratio: 1, addition: -10 });
    assert.deepEqual(Object.keys(byName.switch.position).sort(), [
      'bit_offset',
      'byte_offset',
      'len',
      'unit',
    ]);
    assert.ok(answer.body.ui.sections[0].elements.length === entity.attrs.length);
  });

  it('answers W/R/N/E letters for the RGB lamp, and 9002 for an unknown product', async () => {
    const lamp = await call(ctx.sim, 'GET', `/app/datapoint?product_key=${SIM_PRODUCTS.rgbLamp.product_key}`);
    const types = lamp.body.entities[0].attrs.map((attr: { type: string }) => attr.type);
    assert.ok(
      types.every((type: string) => ['W', 'R', 'N', 'E'].includes(type)),
      types.join(),
    );
    const sceneData = lamp.body.entities[0].attrs.find(
      (attr: { name: string }) => attr.name === 'scene_data',
    );
    assert.deepEqual(sceneData.position.len, 8);
    assert.equal(sceneData.position.unit, 'byte');
    const unknown = await call(ctx.sim, 'GET', `/app/datapoint?product_key=${'0'.repeat(32)}`);
    assert.equal(unknown.body.error_code, 9002);
  });

  it('reflects a write in latest: enum labels and indexes, scaled numbers, bools as 0/1', async () => {
    const did = SIM_DEVICES.demoAc;
    assert.deepEqual((await control(did, { attrs: { switch: true, mode: '制热', set_temp: 30 } })).body, {});
    let latest = await call(ctx.sim, 'GET', `/app/devdata/${did}/latest`);
    assert.equal(latest.body.did, did);
    assert.equal(latest.body.attr.mode, '制热');
    assert.equal(latest.body.attr.set_temp, 30);
    assert.equal(latest.body.attr.switch, 1);
    assert.ok(Math.abs(latest.body.updated_at - Date.now() / 1000) < 5, 'updated_at in seconds');
    await control(did, { attrs: { mode: 4, switch: false } });
    latest = await call(ctx.sim, 'GET', `/app/devdata/${did}/latest`);
    assert.equal(latest.body.attr.mode, '除湿');
    assert.equal(latest.body.attr.switch, 0);
  });

  it('pads binary values and emits a report event with what changed', async () => {
    const reports: DeviceReportEvent[] = [];
    const listener = (report: DeviceReportEvent) => reports.push(report);
    ctx.sim.model.on('report', listener);
    try {
      await control(SIM_DEVICES.demoLamp1, { attrs: { scene_data: '1234567', brightness: 99 } });
    } finally {
      ctx.sim.model.off('report', listener);
    }
    const latest = await call(ctx.sim, 'GET', `/app/devdata/${SIM_DEVICES.demoLamp1}/latest`);
    assert.equal(latest.body.attr.scene_data, '1234567000000000');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].did, SIM_DEVICES.demoLamp1);
    assert.deepEqual(reports[0].changed.sort(), ['brightness', 'scene_data']);
    assert.deepEqual(reports[0].attrs.scene_data, [0x12, 0x34, 0x56, 0x70, 0, 0, 0, 0]);
  });

  it('refuses unknown and non-writable data points with 9025', async () => {
    for (const attrs of [{ colour: 1 }, { room_temp: 20 }, { alert_full: true }, { fault_roomtemp: false }]) {
      const answer = await control(SIM_DEVICES.demoAc, { attrs });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error_code, 9025, JSON.stringify(attrs));
      assert.equal(answer.body.error_message, 'attr invalid!');
    }
  });

  it('refuses wrong types and out-of-range values with 9015', async () => {
    const cases = [
      { set_temp: 31 },
      { set_temp: 15 },
      { set_temp: '20' },
      { switch: 'on' },
      { mode: '冷' },
      { mode: 5 },
      { on_timing: 1441 },
    ];
    for (const attrs of cases) {
      const answer = await control(SIM_DEVICES.demoAc, { attrs });
      assert.equal(answer.body.error_code, 9015, JSON.stringify(attrs));
    }
    const tooLong = await control(SIM_DEVICES.demoLamp1, { attrs: { scene_data: '00'.repeat(9) } });
    assert.equal(tooLong.body.error_code, 9015);
    assert.equal((await control(SIM_DEVICES.demoAc, {})).body.error_code, 9015);
  });

  it('answers 9042 for an offline device, 9017 for a device of another user and 9014 for an unknown did', async () => {
    const offline = await control(SIM_DEVICES.demoPlug2Offline, { attrs: { switch: true } });
    assert.equal(offline.body.error_code, 9042);
    const guestToken = await login(ctx.sim, 'guest');
    const notBound = await control(SIM_DEVICES.demoPlug1, { attrs: { switch: true } }, guestToken);
    assert.equal(notBound.body.error_code, 9017);
    const unknown = await control('Unknown0000000000000000', { attrs: { switch: true } });
    assert.equal(unknown.body.error_code, 9014);
    ctx.sim.faults.setOnline(SIM_DEVICES.demoPlug2Offline, true);
    assert.equal((await control(SIM_DEVICES.demoPlug2Offline, { attrs: { switch: true } })).status, 200);
  });

  it('accepts raw commands and logs them in raw_data, with the 48 hour window enforced', async () => {
    const did = SIM_DEVICES.demoPlug1;
    assert.equal((await control(did, { raw: [97, 98, 99] })).status, 200);
    assert.equal((await control(did, { raw: [256] })).body.error_code, 9015);
    const now = Math.floor(Date.now() / 1000) + 1;
    const log = await call(
      ctx.sim,
      'GET',
      `/app/devices/${did}/raw_data?type=cmd&start_time=${now - 3600}&end_time=${now}`,
      { token },
    );
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.meta.type, 'cmd');
    assert.ok(log.body.meta.total >= 1);
    const sent = log.body.objects.find(
      (entry: { type: string; payload_bin: string }) =>
        entry.type === 'app2dev' && entry.payload_bin.endsWith('616263'),
    );
    assert.ok(sent, 'the raw command is in the log');
    assert.equal(sent.source, 'client');
    const tooWide = await call(
      ctx.sim,
      'GET',
      `/app/devices/${did}/raw_data?type=cmd&start_time=${now - 49 * 3600}&end_time=${now}`,
      { token },
    );
    assert.equal(tooWide.body.error_code, 9015);
    const online = await call(
      ctx.sim,
      'GET',
      `/app/devices/${did}/raw_data?type=online&start_time=${now - 3600}&end_time=${now}`,
      { token },
    );
    assert.ok(online.body.objects.every((entry: { type: string }) => entry.type.startsWith('dev_')));
  });

  it('drifts readings on its own when asked to', () => {
    const plug = ctx.sim.model.devices.get(SIM_DEVICES.demoPlug1)!;
    const ac = ctx.sim.model.devices.get(SIM_DEVICES.demoAc)!;
    ac.values.set('switch', true);
    ac.values.set('set_temp', 20);
    ac.values.set('room_temp', 25);
    const energyBefore = plug.values.get('energy') as number;
    ctx.sim.model.driftAll(3_600_000);
    assert.equal(ac.values.get('room_temp'), 24, 'room temperature moves toward the set temperature');
    assert.ok((plug.values.get('energy') as number) > energyBefore, 'a switched-on plug uses energy');
  });

  it('aggregates numeric data points by PUT or GET', async () => {
    const end = Date.now();
    const query = `start_ts=${end - 3 * 3600_000}&end_ts=${end}&attrs=set_temp,room_temp&aggregator=avg&unit=hours`;
    for (const method of ['PUT', 'GET']) {
      const answer = await call(ctx.sim, method, `/app/devdata/${SIM_DEVICES.demoAc}/agg_data?${query}`, {
        token,
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.query.aggregator, 'avg');
      assert.ok(answer.body.data.length >= 3 && answer.body.data.length <= 4);
      assert.equal(typeof answer.body.data[0].attrs.set_temp, 'string');
    }
    const bad = await call(
      ctx.sim,
      'PUT',
      `/app/devdata/${SIM_DEVICES.demoAc}/agg_data?${query.replace('avg', 'median')}`,
      { token },
    );
    assert.equal(bad.body.error_code, 9015);
  });
});
