// gizwits-device-control: validated writes to a device (over the LAN, the websocket or REST), raw writes, reads.
import { GizwitsError, keyed, toBytes, type Transport } from '../../client';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { evaluateProperty, remembering } from '../common/red';
import { clockTime, errorStatus } from '../common/status';
import { lanAwareStatus } from '../common/lan-status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

interface DeviceControlDef extends NodeDef {
  account: string;
  device: string;
  /** Typed input kind of `device`: str (a did), msg, flow, global or env. */
  deviceType?: string;
  /** Optional data point: when set, a write is `{[attr]: value}` with `value` a typed input. */
  attr?: string;
  value?: string;
  valueType?: string;
  transport: Transport;
  confirm: boolean;
  timeout: number | string;
  configVersion?: number;
}

type ControlMessage = NodeMessageInFlow & { did?: unknown; action?: unknown; raw?: unknown };

const TRANSPORTS: Transport[] = ['auto', 'rest', 'websocket', 'lan'];

export = function (RED: NodeAPI) {
  function GizwitsDeviceControl(this: Node, def: DeviceControlDef) {
    const node = this;
    const setup = setUpNode(RED, node, def, 'gizwits-device-control', { mirrorState: false });
    const { config, account, asError } = setup;
    const say = remembering(setup.say); // the same status texts on every write
    const transport: Transport = TRANSPORTS.includes(config.transport) ? config.transport : 'auto';
    const timeoutSec = Number(config.timeout);
    const timeoutMs = Number.isFinite(timeoutSec) && timeoutSec > 0 ? timeoutSec * 1000 : 10_000;
    const deviceType = config.deviceType || 'str';
    const attr = (config.attr ?? '').trim();
    const followed = new Set<string>();
    // Says the followed devices' LAN links too when LAN control is on (docs/lan.md).
    const status = lanAwareStatus(node, say);
    let unfollow: (() => void) | undefined;

    /** Keeps the devices this node writes to subscribed, so writes can go over the websocket and be confirmed. */
    const follow = (did: string) => {
      if (followed.has(did)) return;
      followed.add(did);
      unfollow?.();
      const registry = account.require().devices();
      unfollow = registry.follow(node.id, [...followed]);
      status.follow(registry, did);
    };
    if (deviceType === 'str' && config.device) {
      try {
        follow(config.device);
      } catch (error) {
        node.status(errorStatus(error, say));
      }
    }

    onInput<ControlMessage>(node, { say, asError }, async (msg) => {
      const configured =
        deviceType === 'str'
          ? config.device
          : await evaluateProperty(RED, node, config.device, deviceType, msg);
      const did =
        typeof msg.did === 'string' && msg.did ? msg.did : typeof configured === 'string' ? configured : '';
      if (!did)
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('control.noDevice'),
        });
      const registry = account.require().devices();
      follow(did);
      status.busy();
      const raw =
        msg.raw !== undefined
          ? msg.raw
          : !attr && (Array.isArray(msg.payload) || Buffer.isBuffer(msg.payload))
            ? msg.payload
            : undefined;
      if (msg.action === 'read') {
        node.status({ fill: 'blue', shape: 'dot', text: say('status.reading') });
        msg.payload = await registry.read(did, timeoutMs);
      } else if (raw !== undefined) {
        const bytes = toBytes(raw);
        if (!bytes)
          throw new GizwitsError({
            code: 'INVALID_PARAMS',
            ...keyed('control.rawNotBytes', { did }),
          });
        node.status({ fill: 'blue', shape: 'dot', text: say('status.writing') });
        await registry.writeRaw(did, bytes, { transport, timeoutMs });
      } else if (msg.action !== undefined && msg.action !== 'write') {
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('control.unknownAction', { action: String(msg.action) }),
        });
      } else {
        node.status({
          fill: 'blue',
          shape: 'dot',
          text: config.confirm ? say('status.confirming') : say('status.writing'),
        });
        const values = attr
          ? {
              [attr]: await evaluateProperty(
                RED,
                node,
                config.value ?? 'payload',
                config.valueType || 'msg',
                msg,
              ),
            }
          : msg.payload;
        msg.payload = await registry.write(did, values, {
          transport,
          confirm: config.confirm === true,
          timeoutMs,
        });
      }
      msg.did = did;
      const time = clockTime();
      const outcome = msg.action === 'read' ? 'read' : config.confirm ? 'confirmed' : 'written';
      status.done(say(`status.${outcome}`, { time }));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      unfollow?.();
      done();
    });
  }

  RED.nodes.registerType('gizwits-device-control', GizwitsDeviceControl as never);
};
