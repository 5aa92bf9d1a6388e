// Errors in the runtime's language. The client words its errors in English and tags each with a key of
// the shared catalogue (gizwits-account's locales, section `errors.text`; cloud codes get theirs from the
// client too); here the key is looked up in the runtime's language. In English, or where no translation
// is found, the client's own message stands.
import { GizwitsError, type ErrorText } from '../../client';
import { sharedKey, type NodeAPI } from './red';

type Params = Record<string, string | number>;

/** Looks up `errors.<key>` in the shared catalogue; undefined when the runtime has no such text. */
function lookup(RED: NodeAPI, key: string, params: Params = {}): string | undefined {
  const full = sharedKey(`gizwits-account.errors.${key}`);
  let text: unknown;
  try {
    text = RED._(full, params as Record<string, string>);
  } catch {
    return undefined;
  }
  if (typeof text !== 'string' || text === '' || text === full || text.endsWith(`errors.${key}`))
    return undefined;
  return text;
}

/** The runtime's language as the shared catalogue says it ("en-US", "zh-CN"), if it is loaded. */
export function catalogueLanguage(RED: NodeAPI): string | undefined {
  return lookup(RED, 'lang');
}

/** Returns an `asError` for `done(err)` that words GizwitsErrors in the runtime's language, by their text. */
export function errorTranslator(RED: NodeAPI): (error: unknown) => Error {
  return (error: unknown): Error => {
    const plain = error instanceof Error ? error : new Error(String(error));
    if (!(plain instanceof GizwitsError)) return plain;
    const lang = catalogueLanguage(RED);
    if (!lang || lang === 'en-US') return plain;
    const message = plain.text && translateText(RED, plain.text);
    return message ? plain.withMessage(message) : plain;
  };
}

/** A keyed text in the runtime's language, nested texts first; undefined if any part has no translation. */
function translateText(RED: NodeAPI, text: ErrorText): string | undefined {
  const params: Params = {};
  for (const [name, value] of Object.entries(text.params ?? {})) {
    if (typeof value === 'object' && value !== null) {
      const inner = translateText(RED, value);
      if (inner === undefined) return undefined;
      params[name] = inner;
    } else {
      params[name] = String(value);
    }
  }
  return lookup(RED, `text.${text.key}`, params);
}
