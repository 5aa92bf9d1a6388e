import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_PRODUCTS, SIM_USERS, p0Frame, simManyPlugDid } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';
import { socketLogin, socketUrl, subscribe, useSockets, type TestSocket } from './ws-helpers';

describe('simulator websocket: subscriptions, reads, writes and pushes', () => {
  const ctx = useSimulator();
  const sockets = useSockets();

  async function subscribed(dids: string[], user: keyof typeof SIM_USERS = 'demo'): Promise<TestSocket> {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket, user);
    const answer = await subscribe(socket, dids);
    assert.equal(answer.data.failed.length, 0, JSON.stringify(answer));
    return socket;
  }

  it('subscribes bound devices and refuses others with 9017 (not bound) or 9014 (unknown)', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket);
    const answer = await subscribe(socket, [SIM_DEVICES.demoAc, simManyPlugDid(1), 'NoSuchDevice0000000000']);
    assert.deepEqual(answer, {
      cmd: 'subscribe_res',
      data: {
        success: [{ did: SIM_DEVICES.demoAc, error_code: 0, msg: 'ok' }],
        failed: [
          { did: simManyPlugDid(1), error_code: 9017, msg: 'device not bound!' },
          { did: 'NoSuchDevice0000000000', error_code: 9014, msg: 'device not found!' },
        ],
      },
    });
  });

  it('answers c2s_read with the whole state and res_sn = req_sn; without req_sn, no res_sn', async () => {
    const socket = await subscribed([SIM_DEVICES.demoAc]);
    socket.send({ cmd: 'c2s_read', req_sn: 41, data: { did: SIM_DEVICES.demoAc } });
    const answer = await socket.next('s2c_noti');
    assert.equal(answer.res_sn, 41);
    assert.equal(answer.req_sn, undefined);
    assert.equal(answer.data.did, SIM_DEVICES.demoAc);
    assert.deepEqual(
      Object.keys(answer.data.attrs).sort(),
      SIM_PRODUCTS.airConditioner.attrs.map((point) => point.name).sort(),
    );
    assert.equal(answer.data.attrs.mode, '制冷');
    assert.equal(answer.data.attrs.set_temp, 26);
    assert.equal(answer.data.attrs.switch, false);

    socket.send({ cmd: 'c2s_read', data: { did: SIM_DEVICES.demoAc } });
    const plain = await socket.next('s2c_noti');
    assert.equal('res_sn' in plain, false);
  });

  it('answers a read of an offline device with 9042 and of a foreign device with 9017', async () => {
    const socket = await subscribed([SIM_DEVICES.demoPlug2Offline]);
    socket.send({ cmd: 'c2s_read', req_sn: 1, data: { did: SIM_DEVICES.demoPlug2Offline } });
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9042);
    socket.send({ cmd: 'c2s_read', req_sn: 2, data: { did: simManyPlugDid(2) } });
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9017);
  });

  it('acks a write to the writer and reports the changed attrs to every subscriber', async () => {
    const writer = await subscribed([SIM_DEVICES.demoLamp1]);
    const watcher = await subscribed([SIM_DEVICES.demoLamp1]);
    const bystander = await subscribed([SIM_DEVICES.demoAc]);
    writer.send({
      cmd: 'c2s_write',
      req_sn: 9,
      data: { did: SIM_DEVICES.demoLamp1, attrs: { switch: true, mode: '呼吸', scene_data: [1, 2] } },
    });
    assert.deepEqual(await writer.next('s2c_ack'), { cmd: 's2c_ack', res_sn: 9, did: SIM_DEVICES.demoLamp1 });
    const expected = {
      cmd: 's2c_noti',
      data: {
        did: SIM_DEVICES.demoLamp1,
        attrs: { switch: true, mode: '呼吸', scene_data: [1, 2, 0, 0, 0, 0, 0, 0] },
      },
    };
    assert.deepEqual(await watcher.next('s2c_noti'), expected);
    assert.deepEqual(await writer.next('s2c_noti'), expected);
    assert.deepEqual(await bystander.collect(100), []);
    const state = await call(ctx.sim, 'GET', `/_sim/devices/${SIM_DEVICES.demoLamp1}`);
    assert.equal(state.body.attrs.mode, '呼吸');
  });

  it('sends no ack for a write without req_sn, but still reports it', async () => {
    const socket = await subscribed([SIM_DEVICES.demoLamp1]);
    socket.send({ cmd: 'c2s_write', data: { did: SIM_DEVICES.demoLamp1, attrs: { brightness: 17 } } });
    assert.deepEqual((await socket.next('s2c_noti')).data.attrs, { brightness: 17 });
    assert.deepEqual(await socket.collect(100, (frame) => frame.cmd === 's2c_ack'), []);
  });

  it('refuses a bad write with s2c_invalid_msg and applies none of it', async () => {
    const socket = await subscribed([SIM_DEVICES.demoAc]);
    const before = (await call(ctx.sim, 'GET', `/_sim/devices/${SIM_DEVICES.demoAc}`)).body.attrs;
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ switch: true, no_such_point: 1 }, 9025],
      [{ switch: true, room_temp: 20 }, 9025],
      [{ switch: true, set_temp: 99 }, 9015],
      [{ switch: true, mode: '暴风' }, 9015],
    ];
    for (const [attrs, code] of cases) {
      socket.send({ cmd: 'c2s_write', req_sn: 3, data: { did: SIM_DEVICES.demoAc, attrs } });
      assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, code, JSON.stringify(attrs));
    }
    assert.deepEqual(await socket.collect(100, (frame) => frame.cmd !== 's2c_invalid_msg'), []);
    const after = (await call(ctx.sim, 'GET', `/_sim/devices/${SIM_DEVICES.demoAc}`)).body.attrs;
    assert.deepEqual(after, before);
  });

  it('refuses a write to an offline device with 9042', async () => {
    const socket = await subscribed([SIM_DEVICES.demoPlug2Offline]);
    socket.send({
      cmd: 'c2s_write',
      req_sn: 4,
      data: { did: SIM_DEVICES.demoPlug2Offline, attrs: { switch: true } },
    });
    assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9042);
  });

  it('reports writes made over REST to the websocket subscribers', async () => {
    const socket = await subscribed([SIM_DEVICES.demoPlug1]);
    const token = await login(ctx.sim);
    const answer = await call(ctx.sim, 'POST', `/app/control/${SIM_DEVICES.demoPlug1}`, {
      token,
      body: { attrs: { countdown: 30 } },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(await socket.next('s2c_noti'), {
      cmd: 's2c_noti',
      data: { did: SIM_DEVICES.demoPlug1, attrs: { countdown: 30 } },
    });
  });

  it('pushes s2c_online_status when a subscribed device goes offline and online', async () => {
    const socket = await subscribed([SIM_DEVICES.demoPlug1]);
    ctx.sim.faults.setOnline(SIM_DEVICES.demoPlug1, false);
    assert.deepEqual(await socket.next('s2c_online_status'), {
      cmd: 's2c_online_status',
      data: { did: SIM_DEVICES.demoPlug1, passcode: 'PLUGPASSAA', mac: 'accf23b20001', online: false },
    });
    await fetch(`${ctx.sim.url}/_sim/devices/${SIM_DEVICES.demoPlug1}/online`, {
      method: 'POST',
      body: JSON.stringify({ online: true }),
    });
    assert.equal((await socket.next('s2c_online_status')).data.online, true);
  });

  it('tells every socket of a user when that user binds or unbinds a device', async () => {
    const first = await sockets.open(socketUrl(ctx.sim));
    const second = await sockets.open(socketUrl(ctx.sim, 'sandbox'));
    const other = await sockets.open(socketUrl(ctx.sim));
    const { token } = await socketLogin(ctx.sim, first, 'guest');
    await socketLogin(ctx.sim, second, 'guest');
    await socketLogin(ctx.sim, other, 'demo');
    const qr = `product_key=${SIM_PRODUCTS.plug.product_key}&mac=accf23e50001`;
    const bound = await call(ctx.sim, 'POST', '/app/bind_latest', { token, body: { qr_content: qr } });
    assert.equal(bound.status, 200);
    const did = bound.body.did as string;
    const expected = { cmd: 's2c_binding_changed', data: { did, bind: true } };
    assert.deepEqual(await first.next('s2c_binding_changed'), expected);
    assert.deepEqual(await second.next('s2c_binding_changed'), expected);

    await subscribe(first, [did]);
    await call(ctx.sim, 'DELETE', '/app/bindings', { token, body: { devices: [{ did }] } });
    assert.deepEqual((await first.next('s2c_binding_changed')).data, { did, bind: false });
    // Unbinding ends the subscription.
    await call(ctx.sim, 'POST', `/_sim/devices/${did}/report`, { body: { attrs: { power: 5 } } });
    assert.deepEqual(await first.collect(100, (frame) => frame.cmd === 's2c_noti'), []);
    assert.deepEqual(await other.collect(50), []);
  });

  it('subscribes every bound device of its endpoint when auto_subscribe is not false', async () => {
    const socket = await sockets.open(socketUrl(ctx.sim));
    await socketLogin(ctx.sim, socket, 'demo', { autoSubscribe: true });
    ctx.sim.model.reportFromDevice(SIM_DEVICES.demoAc, new Map([['room_temp', 31]]));
    ctx.sim.model.reportFromDevice(SIM_DEVICES.demoLamp2, new Map([['brightness', 3]]));
    assert.deepEqual((await socket.next('s2c_noti')).data, {
      did: SIM_DEVICES.demoAc,
      attrs: { room_temp: 31 },
    });
    assert.deepEqual(await socket.collect(100, (frame) => frame.cmd === 's2c_noti'), []);
  });

  it('sends alert reports with a req_sn and records whether c2s_ack answered them', async () => {
    const acking = await subscribed([SIM_DEVICES.demoAc]);
    const silent = await subscribed([SIM_DEVICES.demoAc]);
    await call(ctx.sim, 'POST', `/_sim/devices/${SIM_DEVICES.demoAc}/report`, {
      body: { attrs: { alert_full: true } },
    });
    const alert = await acking.next('s2c_noti');
    assert.equal(typeof alert.req_sn, 'number');
    assert.deepEqual(alert.data, { did: SIM_DEVICES.demoAc, attrs: { alert_full: true } });
    const other = await silent.next('s2c_noti');
    assert.notEqual(other.req_sn, alert.req_sn);
    acking.send({ cmd: 'c2s_ack', res_sn: alert.req_sn, did: SIM_DEVICES.demoAc });
    const deadline = Date.now() + 1000;
    const deliveries = () =>
      ctx.sim.ws.alerts.filter((entry) => [alert.req_sn, other.req_sn].includes(entry.req_sn));
    while (!deliveries().some((entry) => entry.ackedAt) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const byReqSn = new Map(deliveries().map((entry) => [entry.req_sn, entry]));
    assert.ok(byReqSn.get(alert.req_sn)?.ackedAt, 'acked alert recorded');
    assert.equal(byReqSn.get(other.req_sn)?.ackedAt, undefined);
    assert.ok(ctx.sim.ws.received.some((frame) => frame.cmd === 'c2s_ack' && frame.res_sn === alert.req_sn));

    // A plain measurement asks for no acknowledgement.
    await call(ctx.sim, 'POST', `/_sim/devices/${SIM_DEVICES.demoAc}/report`, {
      body: { attrs: { room_temp: 20 } },
    });
    assert.equal('req_sn' in (await acking.next('s2c_noti')), false);
  });

  it('checks the P0 envelope of c2s_raw, records it, and acks 0x93 frames', async () => {
    const socket = await subscribed([SIM_DEVICES.demoLamp1]);
    const device = ctx.sim.model.devices.get(SIM_DEVICES.demoLamp1)!;
    const logBefore = device.log.length;
    socket.send({ cmd: 'c2s_raw', data: { did: SIM_DEVICES.demoLamp1, raw: p0Frame(0x90, [1, 2, 3]) } });
    const withAck = p0Frame(0x93, [0, 0, 1, 2, 0x01, 0xff]);
    socket.send({ cmd: 'c2s_raw', data: { did: SIM_DEVICES.demoLamp1, raw: withAck } });
    assert.deepEqual(await socket.next('s2c_ack'), {
      cmd: 's2c_ack',
      res_sn: 258,
      did: SIM_DEVICES.demoLamp1,
    });
    assert.equal(device.log.length, logBefore + 2);
    assert.equal(device.log.at(-1)?.type, 'app2dev');

    const long = p0Frame(0x90, new Array(200).fill(7));
    assert.deepEqual(long.slice(4, 6), [0xcb, 0x01]);
    socket.send({ cmd: 'c2s_raw', data: { did: SIM_DEVICES.demoLamp1, raw: long } });
    const bad = [
      [0, 0, 0, 4, 3, 0, 0, 0x90],
      [0, 0, 0, 3, 9, 0, 0, 0x90, 1],
      [0, 0, 0, 3, 3, 0, 0, 0x91],
      [0, 0, 0, 3, 0x80, 0x80, 0x80, 0x80, 1],
      'AAAAAw==',
    ];
    for (const raw of bad) {
      socket.send({ cmd: 'c2s_raw', data: { did: SIM_DEVICES.demoLamp1, raw } });
      assert.equal((await socket.next('s2c_invalid_msg')).data.error_code, 9015, JSON.stringify(raw));
    }
    assert.equal(device.log.length, logBefore + 3);
  });

  it('delivers device raw frames as s2c_raw with the did suffix devices add', async () => {
    const socket = await subscribed([SIM_DEVICES.demoLamp1]);
    const frame = p0Frame(0x91, [9, 8, 7]);
    const answer = await fetch(`${ctx.sim.url}/_sim/devices/${SIM_DEVICES.demoLamp1}/raw`, {
      method: 'POST',
      body: JSON.stringify({ raw: frame }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(await socket.next('s2c_raw'), {
      cmd: 's2c_raw',
      data: { did: `${SIM_DEVICES.demoLamp1}/usr/raw`, raw: frame },
    });
    ctx.sim.model.sendRawFromDevice(SIM_DEVICES.demoLamp1, Buffer.from(frame), '/usr/abc');
    assert.equal((await socket.next('s2c_raw')).data.did, `${SIM_DEVICES.demoLamp1}/usr/abc`);
    ctx.sim.model.sendRawFromDevice(SIM_DEVICES.demoLamp1, Buffer.from(frame), '');
    assert.equal((await socket.next('s2c_raw')).data.did, SIM_DEVICES.demoLamp1);
  });
});
