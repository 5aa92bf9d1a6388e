// The simulator with a certificate: each endpoint also serves wss on a port of its own, announced by the
// bindings as wss_port, so that `secure: true` accounts meet TLS as on the real cloud.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SIM_DEVICES, SOCKET_PATH, startSimulator, type Simulator } from '../../src/simulator';
import { selfSignedCertificate, type TestCertificate } from '../helpers/tls';
import { call, login } from './helpers';
import { TestSocket, socketLogin, subscribe, useSockets } from './ws-helpers';

describe('simulator websocket over TLS (wss)', () => {
  let tls: TestCertificate;
  let sim: Simulator;
  const sockets = useSockets();

  before(async () => {
    tls = selfSignedCertificate();
    sim = await startSimulator({ port: 0, driftIntervalMs: 0, tls });
  });
  after(async () => {
    await sim?.close();
    if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
  });

  it('announces a wss port of its own for each endpoint, and keeps ws_port plain', async () => {
    const token = await login(sim);
    const answer = await call(sim, 'GET', '/app/bindings', { token });
    const ports = sim.wssPorts!;
    assert.ok(ports.main !== sim.port && ports.sandbox !== sim.sandboxPort && ports.main !== ports.sandbox);
    for (const binding of answer.body.devices) {
      const sandbox = binding.did === SIM_DEVICES.demoLamp2;
      assert.equal(binding.ws_port, sandbox ? sim.sandboxPort : sim.port, binding.did);
      assert.equal(binding.wss_port, sandbox ? ports.sandbox : ports.main, binding.did);
    }
  });

  it('serves the session over wss to a client that trusts the certificate, on the right endpoint', async () => {
    const before = sim.ws.tlsConnections;
    const main = await sockets.open(`wss://127.0.0.1:${sim.wssPorts!.main}${SOCKET_PATH}`, { ca: tls.cert });
    await socketLogin(sim, main);
    const answer = await subscribe(main, [SIM_DEVICES.demoPlug1, SIM_DEVICES.demoLamp2]);
    assert.deepEqual(
      answer.data.success.map((entry: { did: string }) => entry.did),
      [SIM_DEVICES.demoPlug1],
    );
    assert.equal(answer.data.failed[0].error_code, 9014, 'demoLamp2 lives on the sandbox endpoint');
    assert.equal(sim.ws.tlsConnections, before + 1);
  });

  it('refuses a client that does not trust the certificate, and plain ws on the TLS port', async () => {
    const url = `wss://127.0.0.1:${sim.wssPorts!.main}${SOCKET_PATH}`;
    await assert.rejects(TestSocket.open(url), /self[- ]signed|certificate/i);
    await assert.rejects(TestSocket.open(`ws://127.0.0.1:${sim.wssPorts!.main}${SOCKET_PATH}`));
  });

  it('has no TLS listener without a certificate: wss_port repeats the plain port', async () => {
    const plain = await startSimulator({ port: 0, driftIntervalMs: 0 });
    try {
      assert.equal(plain.wssPorts, undefined);
      const token = await login(plain);
      const answer = await call(plain, 'GET', '/app/bindings', { token });
      for (const binding of answer.body.devices) assert.equal(binding.wss_port, binding.ws_port);
    } finally {
      await plain.close();
    }
  });
});
