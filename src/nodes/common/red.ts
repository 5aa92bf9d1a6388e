// The slice of Node-RED's runtime API the nodes use, typed once.
import fs from 'node:fs';
import path from 'node:path';
import { renderIn, type Catalogue } from '../../client/messages';
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
 * A translator for one node set's catalogue (its locales, which Node-RED's i18n serves): the text in the
 * runtime's language. Where the runtime has no catalogue loaded (as under the unit-test helper), the
 * node's en-US locale file is read instead: the same text, never an English copy in the code.
 */
export function translator(RED: NodeAPI, type: string): Say {
  return (key, params = {}) => {
    const full = `${type}.${key}`;
    const translated = RED._(full, params);
    if (translated && translated !== full) return translated;
    return renderIn(englishLocale(type), { key: full, params }) ?? full;
  };
}

/** Looks `key` up in one node set's catalogue, with `__name__` placeholders filled from `params`. */
export type Say = (key: string, params?: Record<string, string | number>) => string;

const ENGLISH_LOCALES = new Map<string, Catalogue | undefined>();

/** A node set's en-US locale (`<type>/locales/en-US/<type>.json`, beside the built node too). */
function englishLocale(type: string): Catalogue | undefined {
  if (!ENGLISH_LOCALES.has(type)) {
    const file = path.join(__dirname, '..', type, 'locales', 'en-US', `${type}.json`);
    let catalogue: Catalogue | undefined;
    try {
      catalogue = JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue;
    } catch {
      catalogue = undefined;
    }
    ENGLISH_LOCALES.set(type, catalogue);
  }
  return ENGLISH_LOCALES.get(type);
}

/**
 * `say`, remembering the last text of each key with the parameters it was given: a node that shows the
 * same status on every message need not ask i18next again each time (that took longer than all the rest
 * of a gizwits-device-control write). The runtime's language does not change while it runs.
 */
export function remembering(say: Say): Say {
  const last = new Map<string, { signature: string; text: string }>();
  return (key, params) => {
    const signature = params ? JSON.stringify(params) : '';
    const known = last.get(key);
    if (known?.signature === signature) return known.text;
    const text = say(key, params);
    last.set(key, { signature, text });
    return text;
  };
}
