// What other nodes may ask of a gizwits-account config node.
import type { ClientOptions, ClientState, DeviceRegistry, GizwitsClient, GizwitsError } from '../../client';
import type { AccountCredentials, LanSettings } from './account-config';
import type { Node, NodeAPI } from './red';

export interface GizwitsAccountNode extends Node<AccountCredentials> {
  readonly region: string;
  readonly secure: boolean;
  /**
   * The client options of the saved settings, credentials' `${VAR}` resolved as the client's are; for the
   * editor's routes, which must use stored credentials only with these. Throws INVALID_CONFIG.
   */
  clientOptions(): ClientOptions;
  /** The saved `lan` and `lanTargets`, checked (docs/lan.md). Throws INVALID_CONFIG. */
  lanSettings(): LanSettings;
  /** Dids that discoveries for this account (the editor's and the registry's) found on the network. */
  lanSeen(): Set<string>;
  /** The shared client; throws a GizwitsError (INVALID_CONFIG) when the configuration cannot work. */
  client(): GizwitsClient;
  /** The shared device registry (websockets, state, data points), made on first use. */
  devices(): DeviceRegistry;
  register(user: Node): void;
  deregister(user: Node): void;
  /** The connection state, for the users' status. Calls `listener` now and on every change. */
  onState(listener: (state: ClientState, error?: GizwitsError) => void): () => void;
}

/** The account a node's configuration names, or undefined when none is set or it is missing. */
export function findAccount(RED: NodeAPI, id: unknown): GizwitsAccountNode | undefined {
  if (typeof id !== 'string' || !id) return undefined;
  const node = RED.nodes.getNode(id) as GizwitsAccountNode | null;
  return node && typeof node.client === 'function' ? node : undefined;
}
