// gizwits-mqtt-bridge: an account's devices on MQTT, with Home Assistant discovery and commands
// (docs/mqtt.md). The bridge itself lives in src/bridge; this node reads its configuration, wires it to
// the account's registry and the broker node's connection, and reports.
import { DeviceBridge, type RefusedCommand } from '../../bridge/device-bridge';
import { BridgeTopics, topicPrefixProblem } from '../../bridge/topics';
import { GizwitsError, keyed } from '../../client';
import { findBroker, type MqttBrokerNode } from '../common/broker-node';
import { throttledStatus } from '../common/device-status';
import { lanLinks } from '../common/lan-links';
import { listen } from '../common/listen';
import { setUpNode } from '../common/node-setup';
import type { Node, NodeAPI, NodeDef } from '../common/red';
import { errorStatus } from '../common/status';
import { listOf } from '../gizwits-device-in/device-messages';
import { bridgeStatus } from './bridge-status';

interface BridgeDef extends NodeDef {
  account: string;
  broker: string;
  baseTopic?: string;
  devices?: string[] | string;
  discovery?: boolean | string;
  discoveryPrefix?: string;
  commands?: boolean | string;
  configVersion?: number;
}

const TYPE = 'gizwits-mqtt-bridge';
const on = (value: unknown) => value !== false && value !== 'false';

function topicsOf(config: BridgeDef, id: string): BridgeTopics {
  const base = (config.baseTopic ?? '').trim() || 'gizwits';
  const prefix = (config.discoveryPrefix ?? '').trim() || 'homeassistant';
  for (const [field, value] of [
    ['baseTopic', base],
    ['discoveryPrefix', prefix],
  ] as const)
    if (topicPrefixProblem(value))
      throw new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('bridge.topic', { type: TYPE, field, value }),
      });
  return new BridgeTopics(base, prefix, id);
}

export = function (RED: NodeAPI) {
  function GizwitsMqttBridge(this: Node, def: BridgeDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, {
      mirrorState: false,
      clearOnRecovery: false,
    });
    let broker: MqttBrokerNode | undefined;
    let bridge: DeviceBridge;
    try {
      const registry = account.require().devices();
      broker = findBroker(RED, config.broker);
      if (!broker)
        throw new GizwitsError({ code: 'INVALID_CONFIG', ...keyed('bridge.broker.none', { type: TYPE }) });
      const topics = topicsOf(config, node.id);
      const connection = broker.connection(node, { topic: topics.bridgeStatus, payload: 'offline' });
      const dids = listOf(config.devices);
      bridge = new DeviceBridge(registry, connection, {
        owner: node.id,
        topics,
        devices: dids.length ? dids : 'all',
        discovery: on(config.discovery),
        commands: on(config.commands),
        describe: (error) => asError(error).message,
      });
      const status = throttledStatus(
        (shown) => node.status(shown),
        () =>
          bridgeStatus(
            connection,
            registry,
            bridge.count,
            say,
            registry.lan &&
              lanLinks(
                registry.lan,
                [...bridge.dids].map((did) => ({ did })),
              ),
          ),
      );
      listen(connection, node, { state: () => status.now() });
      listen(registry, node, {
        state: () => status.now(),
        // A bridged device's LAN link went up or down (docs/lan.md).
        lan: () => status.update(),
        error: (error: Error) => status.set(errorStatus(error, say)),
      });
      listen(bridge, node, {
        change: () => status.update(),
        event: () => status.update(),
        // A refused or failed command reaches a Catch node, with what the result topic says.
        refused: ({ did, topic, error }: RefusedCommand) => {
          const worded = asError(error);
          node.error(worded, { topic, did, payload: { code: error.code, message: worded.message } });
        },
        warning: (warning: unknown) => node.warn(asError(warning).message),
      });
      bridge.start();
      status.now();
      node.on('close', (_removed: boolean, done: () => void) => {
        status.stop();
        bridge.close();
        broker!.release(node).then(done, () => done());
      });
    } catch (error) {
      node.status(errorStatus(error, say));
      node.error(asError(error).message);
      if (broker) void broker.release(node);
    }
  }

  RED.nodes.registerType(TYPE, GizwitsMqttBridge as never);
};
