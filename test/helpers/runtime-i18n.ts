// The i18n of the Node-RED runtime under test (4, or 5 under NODE_RED_RUNTIME), for tests that register
// the package's real message catalogues and give nodes the `RED._` Node-RED's registry would build.
import path from 'node:path';
import { RUNTIME } from './node-red';

const RUNTIME_DIR = path.dirname(require.resolve(`${RUNTIME}/package.json`));

/** A module of the runtime under test, not of this package. */
export function fromRuntime<T>(id: string): T {
  return require(require.resolve(id, { paths: [RUNTIME_DIR] })) as T;
}

export interface RuntimeI18n {
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  i: { language: string | undefined; changeLanguage(lang: string | undefined): Promise<unknown> };
}

export const { i18n } = fromRuntime<{ i18n: RuntimeI18n }>('@node-red/util');

/** The `RED._` Node-RED's registry gives the node set of that namespace. */
export function translateFor(namespace: string): unknown {
  const util = fromRuntime<{ createNodeApi(node: object): { _: unknown } }>('@node-red/registry/lib/util');
  return util.createNodeApi({ id: namespace, namespace })._;
}
