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

/** A typed input's value for one message (msg, flow, global, env, JSON...), as a promise. */
export function evaluateProperty(
  RED: NodeAPI,
  node: Node,
  value: string,
  type: string,
  msg: NodeMessage,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(value, type, node, msg, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * A translator for one node set's catalogue: the text in the runtime's language, or the English given
 * where no catalogue is loaded (as under the unit-test helper).
 */
export function translator(RED: NodeAPI, type: string): Say {
  return (key, english, params = {}) => {
    const translated = RED._(`${type}.${key}`, params);
    return translated && translated !== `${type}.${key}` ? translated : english;
  };
}

/**
 * Looks `key` up in one node set's catalogue, with `__name__` placeholders filled from `params`; the
 * `english` text (already filled in) where the runtime has no catalogue.
 */
export type Say = (key: string, english: string, params?: Record<string, string | number>) => string;
