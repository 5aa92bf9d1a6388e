// Errors in the runtime's language. The client's errors carry a key and its parameters, and the client
// ships one message catalogue per language (src/client/messages): here the error is rendered from the
// catalogue of the runtime's language. In English, or where that language has no catalogue, the client's
// own message (the en-US rendering) stands.
import { GizwitsError, messageCatalogue, renderText } from '../../client';
import { sharedKey, type NodeAPI } from './red';

/**
 * The runtime's language as Node-RED's i18n resolves it for this package ("en-US", "zh-CN"): the
 * account node's locale names the language it is written in, so a language Node-RED falls back from
 * (`zh` to `zh-CN`, `fr` to `en-US`) picks the catalogue the nodes' own texts are in.
 */
export function catalogueLanguage(RED: NodeAPI): string | undefined {
  const full = sharedKey('gizwits-account.language');
  let text: unknown;
  try {
    text = RED._(full);
  } catch {
    return undefined;
  }
  return typeof text === 'string' && messageCatalogue(text) ? text : undefined;
}

/** Returns an `asError` for `done(err)` that words GizwitsErrors in the runtime's language, by their text. */
export function errorTranslator(RED: NodeAPI): (error: unknown) => Error {
  return (error: unknown): Error => {
    const plain = error instanceof Error ? error : new Error(String(error));
    if (!(plain instanceof GizwitsError)) return plain;
    const lang = catalogueLanguage(RED);
    if (!lang || lang === 'en-US') return plain;
    const message = plain.text && renderText(plain.text, lang);
    return message ? plain.withMessage(message) : plain;
  };
}
