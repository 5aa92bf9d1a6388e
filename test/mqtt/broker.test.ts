// The broker connection (src/bridge/broker-connection.ts) and the gizwits-mqtt-broker node against a
// real Mosquitto with a password file: refused credentials give a red ring and no reconnect storm, the
// password appears nowhere, the last will fires when the connection dies, bad settings are said clearly.
import assert from 'node:assert/strict';
import {
  BrokerConnection,
  checkBrokerUrl,
  topicMatches,
  type BrokerState,
} from '../../src/bridge/broker-connection';
import { GizwitsError } from '../../src/client';
import { FAST_SOCKET, waitFor } from '../helpers/live';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { watchBroker } from '../helpers/mqtt-watch';
import { bridgeNodes } from '../helpers/flows';
import { accountNode, helper, nodeModule, onTab, simAccount, useNodeRed } from '../helpers/node-red';
import { useSimulator } from '../helpers/simulator';

const PASSWORD = 'Broker-Secret-7731';

describe('MQTT broker connection against a real Mosquitto with a password file', function () {
  this.timeout(20_000);
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto({ users: { bridge: PASSWORD } });
  });
  after(() => broker?.stop());

  it('connects with the right credentials, and waits the long pause between attempts the broker refuses', async () => {
    const good = new BrokerConnection({
      url: broker.url,
      clientId: 'good',
      username: 'bridge',
      password: PASSWORD,
    });
    good.start();
    await waitFor(() => good.connected);
    await good.close();

    const refusedMs = 400;
    const bad = new BrokerConnection({
      url: broker.url,
      clientId: 'bad',
      username: 'bridge',
      password: 'wrong-password',
      backoff: { baseMs: 10, capMs: 20, refusedMs },
    });
    const attempts: number[] = [];
    const states: BrokerState[] = [];
    bad.on('state', (state: BrokerState) => {
      states.push(state);
      if (state === 'connecting') attempts.push(Date.now());
    });
    bad.start();
    try {
      await waitFor(() => attempts.length >= 3, 5_000);
      assert.equal(bad.state === 'refused' || bad.state === 'connecting', true);
      assert.ok(states.includes('refused'));
      assert.ok(!states.includes('reconnecting'), 'a refusal is not retried as a dropped connection');
      // With the ordinary pause (10-20 ms) there would be dozens of attempts by now.
      for (let i = 1; i < attempts.length; i++)
        assert.ok(attempts[i] - attempts[i - 1] >= refusedMs - 5, `attempts ${attempts.join(', ')}`);
      assert.ok(bad.error instanceof GizwitsError);
      assert.match(bad.error!.message, /refused the connection \(CONNACK code 5\)/);
      assert.doesNotMatch(bad.error!.message, /wrong-password/);
    } finally {
      await bad.close();
    }
  });

  it('leaves its last will to the broker when the connection dies', async () => {
    const watch = await watchBroker(broker.url, ['will/#'], { username: 'bridge', password: PASSWORD });
    const connection = new BrokerConnection(
      { url: broker.url, clientId: 'dies', username: 'bridge', password: PASSWORD, keepalive: 5 },
      { topic: 'will/status', payload: 'offline' },
    );
    connection.start();
    await waitFor(() => connection.connected);
    connection.publish('will/status', 'online', true);
    await watch.next((m) => m.payload === 'online');
    // As a killed process: the socket goes without a DISCONNECT.
    (connection as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    const will = await watch.next((m) => m.topic === 'will/status' && m.payload === 'offline');
    assert.equal(will.payload, 'offline');
    await connection.close();
    await watch.close();
  });

  it('says what its last will says when it closes on purpose (the broker drops the will then)', async () => {
    const watch = await watchBroker(broker.url, ['will/#'], { username: 'bridge', password: PASSWORD });
    const connection = new BrokerConnection(
      { url: broker.url, clientId: 'closes', username: 'bridge', password: PASSWORD },
      { topic: 'will/closing', payload: 'offline' },
    );
    connection.start();
    await waitFor(() => connection.connected);
    connection.publish('will/closing', 'online', true);
    await watch.next((m) => m.topic === 'will/closing' && m.payload === 'online');
    await connection.close();
    await watch.next((m) => m.topic === 'will/closing' && m.payload === 'offline');
    await watch.close();
  });

  it('refuses URLs it cannot use, without repeating a password written into them', () => {
    assert.throws(() => checkBrokerUrl('http://127.0.0.1:1883'), /cannot be used/);
    assert.throws(() => checkBrokerUrl('not a url'), /cannot be used/);
    assert.throws(
      () => checkBrokerUrl('mqtt://user:Hidden-Pass@127.0.0.1:1883'),
      (error: Error) => /Username and Password/.test(error.message) && !error.message.includes('Hidden-Pass'),
    );
    for (const url of ['mqtt://127.0.0.1:1883', 'mqtts://h:8883', 'ws://h:9001/mqtt', 'wss://h/mqtt'])
      assert.equal(checkBrokerUrl(url).hostname.length > 0, true);
  });

  it('matches topic filters as MQTT does', () => {
    assert.ok(topicMatches('a/+/set', 'a/b/set'));
    assert.ok(!topicMatches('a/+/set', 'a/b/c/set'));
    assert.ok(topicMatches('a/#', 'a/b/c'));
    assert.ok(!topicMatches('a/b', 'a/b/c'));
  });

  describe('gizwits-mqtt-broker and gizwits-mqtt-bridge nodes', () => {
    const ctx = useSimulator();
    useNodeRed();
    before(() =>
      helper.settings({
        gizwits: { ...FAST_SOCKET, mqttBackoff: { baseMs: 10, capMs: 20, refusedMs: 60_000 } },
      }),
    );
    after(() => helper.settings({}));

    async function start(
      broker: Record<string, unknown>,
      credentials: Record<string, string>,
      env: Record<string, string> = {},
    ) {
      const account = simAccount(ctx.sim);
      for (const [name, value] of Object.entries(env)) process.env[name] = value;
      const flow = onTab([account.node, ...bridgeNodes(broker)]);
      await helper.load(
        [accountNode, nodeModule('gizwits-mqtt-broker'), nodeModule('gizwits-mqtt-bridge')],
        flow,
        { ...account.credentials, broker: credentials },
      );
      const node = helper.getNode('bridge');
      // What it showed while it started, then what it shows from now on.
      const statuses: Array<{ fill?: string; text?: string }> = (
        node.status as unknown as { args: Array<[{ fill?: string; text?: string }]> }
      ).args.map((a) => a[0]);
      node.on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) =>
        statuses.push(call.args[0]),
      );
      return { node, statuses };
    }

    it('shows refused credentials as a red ring, and the password nowhere', async () => {
      const { statuses } = await start({ url: broker.url }, { username: 'bridge', password: PASSWORD + 'x' });
      await waitFor(
        () => statuses.at(-1)?.text === 'broker refused the credentials',
        5_000,
        () => JSON.stringify(statuses),
      );
      assert.equal(statuses.at(-1)!.fill, 'red');
      const log = JSON.stringify(helper.log().args) + JSON.stringify(statuses);
      assert.ok(!log.includes(PASSWORD), 'the password is not in the log or the status');
    });

    it('takes every property and credential from ${ENV}', async () => {
      const watch = await watchBroker(broker.url, ['gizwits/bridge/#'], {
        username: 'bridge',
        password: PASSWORD,
      });
      try {
        const { statuses } = await start(
          {
            url: '${GZ_TEST_MQTT_URL}',
            clientId: '${GZ_TEST_MQTT_ID}',
            keepalive: '${GZ_TEST_MQTT_KEEPALIVE}',
          },
          { username: '${GZ_TEST_MQTT_USER}', password: '${GZ_TEST_MQTT_PASS}' },
          {
            GZ_TEST_MQTT_URL: broker.url,
            GZ_TEST_MQTT_ID: 'from-env',
            GZ_TEST_MQTT_KEEPALIVE: '30',
            GZ_TEST_MQTT_USER: 'bridge',
            GZ_TEST_MQTT_PASS: PASSWORD,
          },
        );
        await watch.next((m) => m.topic === 'gizwits/bridge/bridge/status' && m.payload === 'online');
        await waitFor(
          () => /broker ok/.test(statuses.at(-1)?.text ?? ''),
          5_000,
          () => JSON.stringify(statuses),
        );
      } finally {
        await watch.close();
      }
    });

    it('says what is wrong with a bad URL or a missing broker', async () => {
      const { statuses } = await start({ url: 'http://127.0.0.1:1' }, {});
      assert.equal(statuses.at(-1)?.fill, 'red');
      const errors = helper
        .log()
        .args.filter((a: Array<{ level?: number; msg?: unknown }>) => a[0]?.level === 20);
      assert.ok(
        errors.some((a: Array<{ msg?: unknown }>) => /cannot be used/.test(String(a[0]?.msg))),
        JSON.stringify(errors),
      );
    });
  });
});
