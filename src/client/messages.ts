// The client's message catalogues, one JSON file per language under messages/: the only source of every
// error text. An error carries a key and its parameters; its English message is the en-US rendering, and
// the nodes render the same text from the catalogue of the runtime's language. Templates use Node-RED's
// i18next syntax (`__name__` placeholders, filled in one pass; a nested text is rendered first), so the
// same files could be registered with Node-RED as they are.
import enUS from './messages/en-US.json';
import zhCN from './messages/zh-CN.json';

/** A value named in a text: plain, or a nested text rendered in the same language (a message inside a message). */
export type TextParam = string | number | ErrorText;

/** A message's key in the client's catalogues and the values it names. */
export interface ErrorText {
  key: string;
  params?: Record<string, TextParam>;
}

/** A catalogue: templates by key, nested in sections (`write.bool` is `{"write": {"bool": "..."}}`). */
export interface Catalogue {
  [name: string]: string | Catalogue;
}

/** The languages the client has a catalogue for; en-US is the one messages are written in. */
export const MESSAGE_LANGUAGES = ['en-US', 'zh-CN'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

const CATALOGUES: Readonly<Record<MessageLanguage, Catalogue>> = { 'en-US': enUS, 'zh-CN': zhCN };

/** The catalogue of a language, if the client has one. */
export function messageCatalogue(lang: string): Catalogue | undefined {
  return (MESSAGE_LANGUAGES as readonly string[]).includes(lang)
    ? CATALOGUES[lang as MessageLanguage]
    : undefined;
}

/** The template of `key` (`write.bool`) in a language, if it has one. */
export function template(lang: string, key: string): string | undefined {
  return templateIn(messageCatalogue(lang), key);
}

/** The template of `key` in a catalogue of the same shape (a node's locale, say), if it has one. */
export function templateIn(catalogue: Catalogue | undefined, key: string): string | undefined {
  let node: string | Catalogue | undefined = catalogue;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

/** A text in a language, nested texts first; undefined when a key of it has no template there. */
export function renderText(text: ErrorText, lang: string): string | undefined {
  return renderIn(messageCatalogue(lang), text);
}

/** A text rendered from a catalogue of the same shape; undefined when a key of it has no template there. */
export function renderIn(catalogue: Catalogue | undefined, text: ErrorText): string | undefined {
  const found = templateIn(catalogue, text.key);
  if (found === undefined) return undefined;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(text.params ?? {})) {
    if (typeof value === 'object' && value !== null) {
      const inner = renderIn(catalogue, value);
      if (inner === undefined) return undefined;
      values[name] = inner;
    } else {
      values[name] = String(value);
    }
  }
  // As i18next: the shortest `__name__`, left to right, values inserted as they are; unknown names stay.
  return found.replace(/__(.+?)__/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name] : whole,
  );
}

/** The English message of a text; a key the catalogue lacks shows as itself, so that a test sees it. */
export function english(text: ErrorText): string {
  return renderText(text, 'en-US') ?? text.key;
}
