// Status of a node that writes to devices, with its devices' LAN links (docs/lan.md) when LAN control is on.
import type { DeviceRegistry } from '../../client';
import { lanLinks } from './lan-links';
import { listen } from './listen';
import type { Node, Say } from './red';

/**
 * The status of a node that writes to devices (gizwits-device-control): its last outcome, with the LAN
 * links of the devices it follows when LAN control is on ("written 14:05:33 · LAN 1/1", or "LAN 0/1"
 * before any write), kept current as the links go up and down (docs/lan.md) unless a write is under way
 * or failed, whose status stays. Texts of the node's catalogue: `status.withLan`, `status.lan`.
 */
export function lanAwareStatus(node: Node, say: Say) {
  let registry: DeviceRegistry | undefined;
  const dids = new Set<string>();
  let outcome: string | undefined;
  let settled = true;
  const show = () => {
    const lan =
      registry?.lan &&
      lanLinks(
        registry.lan,
        [...dids].map((did) => ({ did })),
      );
    if (!lan?.total) {
      if (outcome) node.status({ fill: 'green', shape: 'dot', text: outcome });
      return;
    }
    const { up, total } = lan;
    const text = outcome
      ? say('status.withLan', { text: outcome, up, total })
      : say('status.lan', { up, total });
    node.status({ fill: up === total ? 'green' : 'yellow', shape: up ? 'dot' : 'ring', text });
  };
  return {
    /** The node follows `did` of `devices`: its LAN link is said from now on. */
    follow(devices: DeviceRegistry, did: string) {
      if (!registry) {
        registry = devices;
        listen(devices, node, {
          lan: (event: { did: string }) => {
            if (settled && dids.has(event.did)) show();
          },
        });
      }
      dids.add(did);
      if (settled) show();
    },
    /** A write or read is under way (its own status shows until it ends). */
    busy() {
      settled = false;
    },
    /** It ended well: `text` is said, with the LAN links. */
    done(text: string) {
      outcome = text;
      settled = true;
      show();
    },
  };
}
