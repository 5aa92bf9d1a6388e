// The account dialog's "Discover on LAN" (docs/lan.md §2): a discovery on the account's targets,
// answered as did, MAC, product key and IP of each device found. A deployed account ({id}) is read with
// read permission and its saved lanTargets; targets typed in a dialog ({config: {lanTargets}}) name
// addresses of the caller's choosing, so they need the permission to edit accounts, as every edited
// value does. Nothing here reads or answers a passcode: discovery replies carry none.
import { GizwitsError, discover, keyed, parseTargets, type DiscoveryTarget } from '../../client';
import { errorTranslator } from '../common/error-text';
import { gizwitsSettings } from '../common/settings';
import type { GizwitsAccountNode } from '../common/account-node';
import type { NodeAPI } from '../common/red';
import {
  RouteRefusal,
  deployedTarget,
  isEdited,
  mayEdit,
  needsEditRefusal,
  type Body,
} from './admin-request';

/** More targets than a dialog needs would make the route a way to spray datagrams. */
export const MAX_LAN_TARGETS = 16;
/** How long a discovery listens for replies, unless settings.gizwits.lanDiscoveryMs says otherwise. */
const LISTEN_MS = 2500;

export interface LanChoice {
  did: string;
  mac: string;
  productKey: string;
  ip: string;
}

function typedTargets(body: Body): DiscoveryTarget[] {
  const config = (body.config && typeof body.config === 'object' ? body.config : {}) as Body;
  const value = typeof config.lanTargets === 'string' ? config.lanTargets.trim() : '';
  const reference = /^\$\{(\S+)\}$/.exec(value);
  if (reference)
    throw new RouteRefusal(
      'invalid',
      'INVALID_PARAMS',
      keyed('admin.envReference', { field: { key: 'admin.field.lanTargets' }, name: reference[1] }),
    );
  return parseTargets(value);
}

function deployedAccount(RED: NodeAPI, body: Body): { node: GizwitsAccountNode; targets: DiscoveryTarget[] } {
  const { deployedId } = deployedTarget(RED, body);
  const node = RED.nodes.getNode(deployedId!) as unknown as GizwitsAccountNode;
  try {
    return { node, targets: node.lanSettings().targets };
  } catch {
    throw new RouteRefusal(
      'invalid',
      'INVALID_CONFIG',
      keyed('admin.deployedInvalid', { id: String(deployedId) }),
    );
  }
}

export function registerLanRoute(RED: NodeAPI): void {
  const translated = errorTranslator(RED);
  RED.httpAdmin.post(
    '/gizwits/account/lan-discover',
    RED.auth.needsPermission('gizwits-account.read'),
    async (req, res) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
      try {
        let targets: DiscoveryTarget[];
        let account: GizwitsAccountNode | undefined;
        if (isEdited(body)) {
          if (!mayEdit(RED, req)) throw needsEditRefusal();
          targets = typedTargets(body);
        } else {
          const deployed = deployedAccount(RED, body);
          account = deployed.node;
          targets = deployed.targets;
        }
        if (targets.length > MAX_LAN_TARGETS)
          throw new RouteRefusal(
            'invalid',
            'INVALID_PARAMS',
            keyed('admin.lanTooMany', { count: targets.length, max: MAX_LAN_TARGETS }),
          );
        const listen = gizwitsSettings(RED).lanDiscoveryMs;
        const found = await discover({ targets, listenMs: typeof listen === 'number' ? listen : LISTEN_MS });
        // An edited dialog of a deployed account still marks what it found in that account's pick-lists.
        const marked = account ?? deployedOrNone(RED, body.id);
        for (const device of found) if (device.did) marked?.lanSeen().add(device.did);
        const answer: LanChoice[] = found
          .map((d) => ({ did: d.did, mac: d.mac, productKey: d.productKey, ip: d.ip }))
          .sort((a, b) => (a.did || a.mac).localeCompare(b.did || b.mac));
        res.json(answer);
      } catch (error) {
        const refusal =
          error instanceof RouteRefusal
            ? error
            : new RouteRefusal(
                'invalid',
                'INVALID_PARAMS',
                error instanceof GizwitsError && error.text
                  ? { message: error.message, text: error.text }
                  : keyed('admin.lanFailed', {}),
              );
        const shown = refusal.error;
        res.status(refusal.status).json({
          code: refusal.code,
          errorName: shown.errorName,
          failure: refusal.failure,
          message: translated(shown).message,
        });
      }
    },
  );
}

function deployedOrNone(RED: NodeAPI, id: unknown): GizwitsAccountNode | undefined {
  if (typeof id !== 'string' || !id) return undefined;
  const node = RED.nodes.getNode(id) as (GizwitsAccountNode & { type?: string }) | null;
  return node?.type === 'gizwits-account' && typeof node.lanSeen === 'function' ? node : undefined;
}
