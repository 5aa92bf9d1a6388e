// What a bridge may ask of a gizwits-mqtt-broker config node: its one shared connection.
import type { BrokerConnection, LastWill } from '../../bridge/broker-connection';
import type { Node, NodeAPI } from './red';

export interface MqttBrokerNode extends Node {
  /**
   * The shared connection, made on first use with that user's last will (one will per connection: see
   * docs/mqtt.md, One broker node per bridge). Throws a GizwitsError (INVALID_CONFIG) for bad settings.
   */
  connection(user: Node, will?: LastWill): BrokerConnection;
  /** Lets go of the connection; the last user's leaving closes it. */
  release(user: Node): Promise<void>;
}

/** The broker a node's configuration names, or undefined when none is set or it is missing. */
export function findBroker(RED: NodeAPI, id: unknown): MqttBrokerNode | undefined {
  if (typeof id !== 'string' || !id) return undefined;
  const node = RED.nodes.getNode(id) as MqttBrokerNode | null;
  return node && typeof node.connection === 'function' ? node : undefined;
}
