import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

describe('simulator: sharing and messages', () => {
  const ctx = useSimulator();

  it('shares a device with a user, who accepts it and becomes a guest; both get messages', async () => {
    const owner = await login(ctx.sim, 'demo');
    const guest = await login(ctx.sim, 'guest');
    const created = await call(ctx.sim, 'POST', '/app/sharing', {
      token: owner,
      body: { type: 0, did: SIM_DEVICES.demoLamp1, username: 'guest' },
    });
    assert.equal(created.status, 200, created.text);
    assert.ok(Number.isInteger(created.body.id));
    const again = await call(ctx.sim, 'POST', '/app/sharing', {
      token: owner,
      body: { type: 0, did: SIM_DEVICES.demoLamp1, username: 'guest' },
    });
    assert.equal(again.body.error_code, 9087);

    const invitations = await call(ctx.sim, 'GET', '/app/sharing?sharing_type=1', { token: guest });
    assert.equal(invitations.body.meta.total, 1);
    assert.equal(invitations.body.objects[0].uid, SIM_USERS.demo.uid);
    assert.equal(invitations.body.objects[0].status, 0);

    const messages = await call(ctx.sim, 'GET', '/app/messages?type=1&limit=20&skip=0', { token: guest });
    assert.deepEqual(Object.keys(messages.body.meta).sort(), ['limit', 'next', 'previous', 'skip', 'total']);
    assert.equal(messages.body.meta.total, 1);
    assert.equal(messages.body.objects[0].status, 0);

    const accepted = await call(ctx.sim, 'PUT', `/app/sharing/${created.body.id}?status=1`, { token: guest });
    assert.deepEqual(accepted.body, { id: created.body.id });
    const bindings = await call(ctx.sim, 'GET', '/app/bindings', { token: guest });
    assert.deepEqual(
      bindings.body.devices.map((device: { did: string; role: string }) => [device.did, device.role]),
      [[SIM_DEVICES.demoLamp1, 'guest']],
    );
    const guests = await call(ctx.sim, 'GET', `/app/${SIM_DEVICES.demoLamp1}/bindings`, { token: owner });
    assert.equal(guests.body.length, 1);
    assert.equal(guests.body[0].uid, SIM_USERS.guest.uid);
    assert.match(guests.body[0].username, /\*/);

    const read = await call(ctx.sim, 'PUT', `/app/messages/${messages.body.objects[0].id}?status=1`, {
      token: guest,
    });
    assert.equal(read.status, 200);
    const stranger = await call(ctx.sim, 'PUT', `/app/messages/${messages.body.objects[0].id}?status=2`, {
      token: owner,
    });
    assert.equal(stranger.body.error_code, 9101);

    const unbound = await call(
      ctx.sim,
      'DELETE',
      `/app/${SIM_DEVICES.demoLamp1}/bindings?uid=${SIM_USERS.guest.uid}`,
      { token: owner },
    );
    assert.equal(unbound.status, 200);
    assert.deepEqual((await call(ctx.sim, 'GET', '/app/bindings', { token: guest })).body.devices, []);
  });

  it('shares by QR code, and only the owner may share', async () => {
    const owner = await login(ctx.sim, 'demo');
    const guest = await login(ctx.sim, 'guest');
    const created = await call(ctx.sim, 'POST', '/app/sharing', {
      token: owner,
      body: { type: 1, did: SIM_DEVICES.demoPlug1 },
    });
    assert.equal(created.body.id, null);
    const code = String(created.body.qr_content).replace('type=share&code=', '');
    const ownView = await call(ctx.sim, 'GET', `/app/sharing/code/${code}`, { token: owner });
    assert.equal(ownView.body.error_code, 9096);
    const info = await call(ctx.sim, 'GET', `/app/sharing/code/${code}`, { token: guest });
    assert.equal(info.body.dev_alias, '台灯插座');
    assert.equal((await call(ctx.sim, 'POST', `/app/sharing/code/${code}`, { token: guest })).status, 200);
    const reshare = await call(ctx.sim, 'POST', '/app/sharing', {
      token: guest,
      body: { type: 0, did: SIM_DEVICES.demoPlug1, username: 'many' },
    });
    assert.equal(reshare.body.error_code, 9081);
    const toSelf = await call(ctx.sim, 'POST', '/app/sharing', {
      token: owner,
      body: { type: 0, did: SIM_DEVICES.demoAc, uid: SIM_USERS.demo.uid },
    });
    assert.equal(toSelf.body.error_code, 9080);
  });
});
