// Wiring shared by every node that uses an account: register with it, mirror its connection state in
// the node's status, and let go of it on close so the account can close its client.
import { GizwitsError, keyed, type ClientState } from '../../client';
import { findAccount, type GizwitsAccountNode } from './account-node';
import { logErrorsAsText } from './error-log';
import { translator, type Node, type NodeAPI } from './red';
import { stateStatus } from './status';

export interface AccountUse {
  /** The account, or a clear error when the node has none. */
  require(): GizwitsAccountNode;
}

export function useAccount(
  RED: NodeAPI,
  node: Node,
  accountId: unknown,
  options: {
    mirrorState?: boolean;
    /**
     * For a node that does not mirror the account's state (default true then): a red ring it shows goes
     * when the account signs in again (a fixed password deployed, the cloud back), not at its next
     * message. Off for nodes that compute their status from the account's devices themselves.
     */
    clearOnRecovery?: boolean;
  } = {},
): AccountUse {
  const account = findAccount(RED, accountId);
  // Every node that uses an account has `status.noAccount` and `status.reason.*` in its own catalogue.
  const say = translator(RED, node.type);
  // Its failures read as sentences in the debug sidebar.
  logErrorsAsText(node);
  if (!account) {
    node.status({ fill: 'red', shape: 'ring', text: say('status.noAccount') });
    return {
      require() {
        throw new GizwitsError({
          code: 'INVALID_CONFIG',
          ...keyed('node.noAccount', { type: node.type }),
        });
      },
    };
  }
  account.register(node);
  const stopMirroring =
    options.mirrorState === false
      ? options.clearOnRecovery === false
        ? () => {}
        : clearOnRecovery(node, (listener) => account.onState(listener))
      : account.onState((state, error) => node.status(stateStatus(state, error, say)));
  node.on('close', (_removed: boolean, done: () => void) => {
    stopMirroring();
    account.deregister(node);
    done();
  });
  return { require: () => account };
}

/**
 * A redeployed node starts without the red ring the node it replaces showed (Node-RED keeps a node's
 * last status across deploys); while it runs, the ring the account's failure left goes when the account
 * is ready again (what the node showed since then is its own news, and is cleared with it).
 */
function clearOnRecovery(
  node: Node,
  onState: (listener: (state: ClientState) => void) => () => void,
): () => void {
  node.status({});
  let failed = false;
  return onState((state) => {
    if (state === 'failed') failed = true;
    else if (state === 'ready' && failed) {
      failed = false;
      node.status({});
    }
  });
}
