// gizwits-mqtt-broker: the config node of one MQTT connection (docs/mqtt.md), shared by the bridges
// that name it: made when the first asks for it, closed when the last lets go, as the account's client.
import {
  BrokerConnection,
  defaultClientId,
  type BrokerOptions,
  type LastWill,
} from '../../bridge/broker-connection';
import { GizwitsError, keyed } from '../../client';
import { resolveEnvReference } from '../common/account-config';
import type { MqttBrokerNode } from '../common/broker-node';
import { gizwitsSettings } from '../common/settings';
import type { Node, NodeAPI, NodeDef } from '../common/red';

interface BrokerDef extends NodeDef {
  url: string;
  clientId?: string;
  tls?: string;
  keepalive?: number | string;
}

interface BrokerCredentials {
  username?: string;
  password?: string;
}

interface TlsConfigNode extends Node {
  addTLSOptions(options: Record<string, unknown>): void;
}

export = function (RED: NodeAPI) {
  function GizwitsMqttBroker(this: MqttBrokerNode & { credentials?: BrokerCredentials }, def: BrokerDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const users = new Set<string>();
    let connection: BrokerConnection | undefined;
    // `${VAR}` in a property the runtime left as it is (a credential, a value typed as a whole).
    const env = (value: unknown) =>
      resolveEnvReference(
        typeof value === 'string' ? value.trim() : undefined,
        (name) => RED.util.getSetting(node, name) as string | undefined,
      );

    const options = (): BrokerOptions => {
      const keepalive = Number(env(String(def.keepalive ?? '')) || 60);
      if (!Number.isFinite(keepalive) || keepalive < 0 || keepalive > 65535)
        throw new GizwitsError({
          code: 'INVALID_CONFIG',
          ...keyed('bridge.broker.keepalive', { value: String(def.keepalive) }),
        });
      const tuning = gizwitsSettings(RED).mqttBackoff as BrokerOptions['backoff'] | undefined;
      const out: BrokerOptions = {
        url: env(def.url) ?? '',
        clientId: env(def.clientId) || defaultClientId(node.id),
        username: env(node.credentials?.username) || undefined,
        password: env(node.credentials?.password) || undefined,
        keepalive,
        backoff: tuning,
      };
      const tlsNode = def.tls ? (RED.nodes.getNode(def.tls) as TlsConfigNode | null) : null;
      if (tlsNode && typeof tlsNode.addTLSOptions === 'function') {
        const tls: Record<string, unknown> = {};
        tlsNode.addTLSOptions(tls);
        out.tls = tls;
      }
      return out;
    };

    node.connection = (user: Node, will?: LastWill) => {
      users.add(user.id);
      if (!connection) {
        connection = new BrokerConnection(options(), will);
        // A listener's own failure (never a thrown message) is logged, worded in the runtime's language.
        connection.on('warning', (warning: Error) => node.warn(warning.message));
        const started = connection;
        // Every bridge of this deploy registers its listeners first: the connect they wait for comes after.
        setImmediate(() => started.start());
      }
      return connection;
    };

    node.release = async (user: Node) => {
      users.delete(user.id);
      if (users.size > 0 || !connection) return;
      const closing = connection;
      connection = undefined;
      await closing.close();
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      const closing = connection;
      connection = undefined;
      if (!closing) return done();
      closing.close().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('gizwits-mqtt-broker', GizwitsMqttBroker as never, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
