// The bridge's status: broker health, cloud health and the number of bridged devices, in one line.
import type { BrokerState } from '../../bridge/broker-connection';
import type { RegistryState } from '../../client';
import type { NodeStatus, Say } from '../common/red';
import { shortReason } from '../common/status';

export function bridgeStatus(
  broker: { state: BrokerState; error?: Error },
  cloud: { state: RegistryState; error?: Error },
  devices: number,
  say: Say,
  /** The bridged devices' LAN links when LAN control is on and some have one (docs/lan.md). */
  lan?: { up: number; total: number },
): NodeStatus {
  if (broker.state === 'refused') return { fill: 'red', shape: 'ring', text: say('status.brokerRefused') };
  const brokerText =
    broker.state === 'connected'
      ? say('status.broker.connected')
      : broker.state === 'reconnecting'
        ? say('status.broker.reconnecting')
        : broker.state === 'closed'
          ? say('status.broker.closed')
          : say('status.broker.connecting');
  if (cloud.state === 'failed')
    return {
      fill: 'red',
      shape: 'ring',
      text: say('status.cloudFailed', { reason: cloud.error ? shortReason(cloud.error, say) : '' }),
    };
  const cloudText =
    cloud.state === 'online' || cloud.state === 'idle'
      ? say('status.cloud.connected')
      : cloud.state === 'reconnecting'
        ? say('status.cloud.reconnecting')
        : cloud.state === 'closed'
          ? say('status.cloud.closed')
          : say('status.cloud.connecting');
  const healthy = broker.state === 'connected' && (cloud.state === 'online' || cloud.state === 'idle');
  const text = say('status.summary', { broker: brokerText, cloud: cloudText, devices });
  return {
    fill: healthy ? 'green' : 'yellow',
    shape: healthy ? 'dot' : 'ring',
    text: lan?.total ? say('status.withLan', { text, up: lan.up, total: lan.total }) : text,
  };
}
