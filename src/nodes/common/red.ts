// The slice of Node-RED's runtime API the nodes use, typed once.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus };

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type Done = (err?: Error) => void;

/** The npm package name, which prefixes every node set's i18n namespace. */
export const PACKAGE_NAME = '@gizwits-community/node-red-gizwits';

/** A message catalogue key of the shared `gizwits-account` set, usable from any node. */
export function sharedKey(key: string): string {
  return `${PACKAGE_NAME}/gizwits-account:${key}`;
}
