// gizwits-device-in: device events into flows, from the account's device websocket.
import type { DeviceInfo, DeviceRegistry, RawEvent, StatusEvent, UnusableEvent } from '../../client';
import { devicesStatus, throttledStatus } from '../common/device-status';
import { listen } from '../common/listen';
import { listOf, message, pick, statusMessage } from './device-messages';
import { setUpNode } from '../common/node-setup';
import type { Node, NodeAPI, NodeDef } from '../common/red';
import { errorStatus } from '../common/status';

type EventKind = 'status' | 'online' | 'raw' | 'binding';

interface DeviceInDef extends NodeDef {
  account: string;
  devices: string[] | string;
  attrs: string[] | string;
  events: EventKind[] | string;
  onlyChanged: boolean;
  initial: boolean;
  configVersion?: number;
}

export = function (RED: NodeAPI) {
  function GizwitsDeviceIn(this: Node, def: DeviceInDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, 'gizwits-device-in', {
      mirrorState: false,
      // Its status follows the devices' socket, which recovers with the account.
      clearOnRecovery: false,
    });
    const dids = listOf(config.devices);
    const attrNames = new Set(listOf(config.attrs));
    const events = new Set(
      listOf(config.events).length ? (listOf(config.events) as EventKind[]) : (['status'] as EventKind[]),
    );
    const followed = new Set(dids);
    const follows = (did: string) => followed.size === 0 || followed.has(did);
    let registry: DeviceRegistry;
    try {
      registry = account.require().devices();
    } catch (error) {
      node.status(errorStatus(error, say));
      node.error(asError(error).message);
      return;
    }
    // Epoch ms of the last message sent; a Date only when the status is shown.
    let lastUpdate = 0;
    const status = throttledStatus(
      (shown) => node.status(shown),
      () =>
        devicesStatus(
          registry,
          dids.length ? dids : 'all',
          lastUpdate ? new Date(lastUpdate) : undefined,
          say,
        ),
    );
    const showStatus = () => status.update();

    const onStatus = (event: StatusEvent) => {
      if (!events.has('status') || !follows(event.did)) return;
      const out = statusMessage(event, config, attrNames);
      if (!out) return;
      lastUpdate = Date.now();
      node.send(out);
      showStatus();
    };
    const onOnline = (event: { did: string; online: boolean; device: DeviceInfo }) => {
      showStatus();
      if (!events.has('online') || !follows(event.did)) return;
      node.send(message(event.did, event.online ? 'online' : 'offline', event.online, event.device));
    };
    const onRaw = (event: RawEvent) => {
      if (!events.has('raw') || !follows(event.did)) return;
      const out = { ...message(event.did, 'raw', event.raw, event.device), via: 'websocket' };
      // A data-point product's frame decoded with its P0 layout (docs/lan.md §4).
      node.send(event.datapoints ? { ...out, datapoints: pick(event.datapoints, attrNames) } : out);
    };
    // A followed device whose binding gives no usable websocket address: said once (until it changes).
    const warnedAddress = new Map<string, string>();
    const warnAddress = (did: string) => {
      const error = registry.addressError(did);
      if (!error || !follows(did)) return;
      const text = asError(error).message;
      if (warnedAddress.get(did) === text) return;
      warnedAddress.set(did, text);
      node.warn(text);
    };
    const onUnusable = (event: UnusableEvent) => {
      warnAddress(event.did);
      status.now();
    };
    const onBinding = (event: { did: string; bind: boolean; device?: DeviceInfo }) => {
      showStatus();
      if (!events.has('binding') || !follows(event.did)) return;
      node.send(message(event.did, event.bind ? 'bound' : 'unbound', event.did, event.device));
    };

    listen(registry, node, {
      status: onStatus,
      online: onOnline,
      raw: onRaw,
      binding: onBinding,
      unusable: onUnusable,
      state: () => status.now(),
      // A LAN link went up or down (docs/lan.md): the status says which links are up.
      lan: () => status.now(),
      // Failures outside the socket (the device list could not be loaded: wrong password, cloud down).
      error: (error: Error) => status.set(errorStatus(error, say)),
    });
    const unfollow = registry.follow(node.id, dids.length ? dids : 'all');
    showStatus();

    // Bindings loaded before this node started.
    registry
      .ready()
      .then(() => {
        for (const device of registry.list()) warnAddress(device.did);
      })
      .catch(() => undefined); // a load failure shows in the status already

    // State the account already knew before this node started (another node followed the device).
    if (config.initial && events.has('status')) {
      registry
        .ready()
        .then(() => {
          for (const device of registry.list()) {
            const state = registry.stateOf(device.did);
            if (!follows(device.did) || !state) continue;
            node.send({
              ...message(device.did, 'status', pick(state.attrs, attrNames), device),
              changed: {},
              initial: true,
            });
          }
        })
        .catch((error: Error) => status.set(errorStatus(error, say)));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      unfollow();
      status.stop();
      done();
    });
  }

  RED.nodes.registerType('gizwits-device-in', GizwitsDeviceIn as never);
};
