// What every node that uses an account does when it starts, in one call: Node-RED's createNode, the
// configuration brought up to date, the account looked up and registered with, and the node's translator.
import type { AccountUse } from './account-user';
import { useAccount } from './account-user';
import { errorTranslator } from './error-text';
import { migrateConfig } from './migrate';
import { translator, type Node, type NodeAPI, type NodeDef, type Say } from './red';

export interface NodeSetup<C> {
  config: C & { configVersion: number };
  say: Say;
  account: AccountUse;
  /** The Error for `done(err)`, worded in the runtime's language. */
  asError: (error: unknown) => Error;
}

export function setUpNode<C extends NodeDef & { account?: string }>(
  RED: NodeAPI,
  node: Node,
  def: C,
  type: string,
  accountOptions: Parameters<typeof useAccount>[3] = {},
): NodeSetup<C> {
  RED.nodes.createNode(node, def);
  const config = migrateConfig(type, def);
  const say = translator(RED, type);
  const account = useAccount(RED, node, config.account, accountOptions);
  return { config, say, account, asError: errorTranslator(RED) };
}
