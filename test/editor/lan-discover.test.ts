// "Discover on LAN" of the account dialog, called as the editor calls it, against the simulated devices'
// LAN side on loopback: a deployed account by id with its saved targets, or the targets typed in a dialog.
import assert from 'node:assert/strict';
import { SIM_DEVICES, startSimulator, type Simulator } from '../../src/simulator';
import { accountNode, helper, simAccount, useNodeRed } from '../helpers/node-red';

describe('gizwits-account: Discover on LAN', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, driftIntervalMs: 0, lan: { tcpPort: 0, udpPort: 0 } });
    helper.settings({ gizwits: { lanDiscoveryMs: 700 } });
  });
  after(async () => {
    helper.settings({ gizwits: undefined });
    await sim.close();
  });
  useNodeRed();

  const targets = () => `127.0.0.1:${sim.lan!.udpPort}`;
  const post = async (route: string, body: object) => {
    const answer = await helper.request().post(`/gizwits/account/${route}`).send(body);
    return { status: answer.status, body: answer.body, text: answer.text };
  };

  beforeEach(async () => {
    const lan = simAccount(sim, { lan: 'prefer', lanTargets: targets(), configVersion: 2 });
    const bad = simAccount(sim, { id: 'badTargets', lanTargets: 'not a host:99999', configVersion: 2 });
    await helper.load([accountNode], [lan.node, bad.node], { ...lan.credentials, ...bad.credentials });
  });

  it('lists did, MAC, product key and IP of every device of a deployed account, and no passcode', async () => {
    const answer = await post('lan-discover', { id: 'account' });
    assert.equal(answer.status, 200, answer.text);
    const found = answer.body as Array<Record<string, string>>;
    assert.deepEqual(found.map((d) => d.did).sort(), Object.values(SIM_DEVICES).sort());
    for (const device of found) {
      const lan = sim.lan!.device(device.did);
      assert.deepEqual(device, {
        did: device.did,
        mac: lan.device.mac,
        productKey: lan.device.product.product_key,
        ip: lan.host,
      });
      assert.ok(!answer.text.includes(lan.device.passcode), 'no passcode in the answer');
    }
  });

  it('marks the devices it found in the account’s device pick-list', async () => {
    const before = await post('devices', { id: 'account' });
    assert.equal(before.status, 200, before.text);
    assert.ok((before.body as Array<{ lan?: boolean }>).every((d) => d.lan === undefined));
    assert.equal((await post('lan-discover', { id: 'account' })).status, 200);
    const after = await post('devices', { id: 'account' });
    assert.ok(
      (after.body as Array<{ lan?: boolean }>).every((d) => d.lan === true),
      after.text,
    );
  });

  it('uses targets typed in the dialog, and finds nothing where no device listens', async () => {
    const typed = await post('lan-discover', { config: { lanTargets: targets() } });
    assert.equal(typed.status, 200, typed.text);
    assert.equal((typed.body as unknown[]).length, Object.keys(SIM_DEVICES).length);
    const elsewhere = await post('lan-discover', { config: { lanTargets: '127.0.0.1:9' } });
    assert.deepEqual(elsewhere.body, []);
  });

  it('refuses bad targets, too many targets, an environment reference and an unknown account', async () => {
    const bad = await post('lan-discover', { config: { lanTargets: 'a b' } });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.message), /"a b" is not host\[:port\]/);
    const many = Array.from({ length: 17 }, (_, i) => `127.0.0.1:${1000 + i}`).join(',');
    const tooMany = await post('lan-discover', { config: { lanTargets: many } });
    assert.equal(tooMany.status, 400);
    assert.match(String(tooMany.body.message), /are 17; give at most 16/);
    const env = await post('lan-discover', { config: { lanTargets: '${HOME}' } });
    assert.equal(env.status, 400);
    assert.match(String(env.body.message), /environment variable HOME/);
    assert.ok(!env.text.includes(String(process.env.HOME)));
    const saved = await post('lan-discover', { id: 'badTargets' });
    assert.equal(saved.status, 400);
    assert.match(String(saved.body.message), /cannot work with its saved settings/);
    const missing = await post('lan-discover', { id: 'nobody' });
    assert.equal(missing.status, 404);
  });
});
