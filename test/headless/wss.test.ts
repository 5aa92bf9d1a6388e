// `secure: true`, as every real account has it: the device websocket over TLS (wss, on the bindings'
// wss_port), in a real Node-RED process that trusts the simulator's certificate the way a host trusts a
// CA (NODE_EXTRA_CA_CERTS), writing to a device over the websocket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SIM_DEVICES, SIM_USERS, startSimulator, type Simulator } from '../../src/simulator';
import { simAccount } from '../helpers/flows';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { selfSignedCertificate, type TestCertificate } from '../helpers/tls';

describe('secure: true, the device websocket over TLS (real Node-RED process)', function () {
  this.timeout(60_000);
  let tls: TestCertificate;
  let sim: Simulator;
  let red: NodeRedProcess;

  before(async () => {
    tls = selfSignedCertificate();
    sim = await startSimulator({ port: 0, driftIntervalMs: 0, tls });
    red = await startNodeRed({
      env: { NODE_EXTRA_CA_CERTS: tls.certFile },
      flows: [
        { id: 'tab', type: 'tab', label: 'wss' },
        simAccount(sim, { id: 'acct', name: 'sim over TLS', secure: true }).node,
        { id: 'wss-in', type: 'http in', z: 'tab', url: '/write', method: 'post', wires: [['wss-control']] },
        {
          id: 'wss-control',
          type: 'gizwits-device-control',
          z: 'tab',
          account: 'acct',
          device: SIM_DEVICES.demoPlug1,
          transport: 'websocket',
          confirm: true,
          timeout: 10,
          configVersion: 1,
          wires: [['wss-ok']],
        },
        { id: 'wss-ok', type: 'http response', z: 'tab', statusCode: '200', headers: {}, wires: [] },
        { id: 'wss-catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['wss-why']] },
        {
          id: 'wss-why',
          type: 'change',
          z: 'tab',
          rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }],
          wires: [['wss-fail']],
        },
        { id: 'wss-fail', type: 'http response', z: 'tab', statusCode: '400', headers: {}, wires: [] },
      ],
      credentials: { acct: { username: SIM_USERS.demo.username, password: SIM_USERS.demo.password } },
    });
  });

  after(async () => {
    await red?.stop();
    await sim?.close();
    if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
  });

  it('writes over wss, confirmed by the device, with no plain websocket at all', async () => {
    const answer = await fetch(`${red.url}/write`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ countdown: 33 }),
    });
    const text = await answer.text();
    assert.equal(answer.status, 200, `${text}\n${red.output()}`);
    assert.equal(JSON.parse(text).countdown, 33);
    assert.equal(sim.model.devices.get(SIM_DEVICES.demoPlug1)!.values.get('countdown'), 33);
    assert.ok(
      sim.ws.received.some((f) => f.cmd === 'c2s_write' && f.did === SIM_DEVICES.demoPlug1),
      'the write went over the websocket',
    );
    assert.ok(sim.ws.tlsConnections >= 1, 'a wss connection');
    assert.equal(sim.ws.connections('main'), sim.ws.tlsConnections, 'every socket came over TLS');
  });
});
