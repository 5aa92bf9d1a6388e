// The client's message catalogues (src/client/messages/<lang>.json) as tests read them: templates by
// key, texts filled in as the runtime's i18n fills them, and the check every keyed error must pass.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GizwitsError, type ErrorText } from '../../src/client';

export type Lang = 'en-US' | 'zh-CN';
type Catalogue = Record<string, unknown>;

const MESSAGES = path.resolve(__dirname, '..', '..', 'src', 'client', 'messages');

function load(lang: Lang): Catalogue {
  return JSON.parse(fs.readFileSync(path.join(MESSAGES, `${lang}.json`), 'utf8')) as Catalogue;
}

const TEXTS: Record<Lang, Catalogue> = { 'en-US': load('en-US'), 'zh-CN': load('zh-CN') };

function at(lang: Lang, key: string): unknown {
  let node: unknown = TEXTS[lang];
  for (const part of key.split('.'))
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** The template of a key (`write.bool`), if the catalogue has one. */
export function template(lang: Lang, key: string): string | undefined {
  const found = at(lang, key);
  return typeof found === 'string' ? found : undefined;
}

/** `__name__` placeholders, read lazily as i18next does. */
export const placeholders = (text: string) => [...text.matchAll(/__(.+?)__/g)].map((m) => m[1]).sort();

/** Asserts that each key has an English and a Chinese text, with the same placeholders. */
export function assertInBothLanguages(keys: Iterable<string>): void {
  for (const key of keys) {
    const en = template('en-US', key);
    const zh = template('zh-CN', key);
    assert.equal(typeof en, 'string', `no en-US text for "${key}"`);
    assert.equal(typeof zh, 'string', `no zh-CN text for "${key}"`);
    assert.deepEqual(
      placeholders(zh!),
      placeholders(en!),
      `"${key}": Chinese and English placeholders differ`,
    );
  }
}

/** The catalogue keys under `prefixes` (`write`, `rule`…) that source files name in single quotes. */
export function keysNamedIn(files: ReadonlyArray<string>, prefixes: ReadonlyArray<string>): Set<string> {
  const pattern = new RegExp(`'((?:${prefixes.join('|')})\\.[A-Za-z.]+)'`, 'g');
  const keys = new Set<string>();
  for (const file of files)
    for (const match of fs.readFileSync(file, 'utf8').matchAll(pattern)) keys.add(match[1]);
  return keys;
}

/** The keys of a text and of the texts within it, outermost first. */
export function keysOf(text: ErrorText | undefined): string[] {
  if (!text) return [];
  const inner = Object.values(text.params ?? {}).filter((v): v is ErrorText => typeof v === 'object');
  return [text.key, ...inner.flatMap(keysOf)];
}

/** The text in one language, as i18next fills it (`__name__` placeholders, nested texts first). */
export function render(lang: Lang, text: ErrorText): string {
  const found = template(lang, text.key);
  assert.equal(typeof found, 'string', `no ${lang} text for "${text.key}"`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(text.params ?? {}))
    values[name] = typeof value === 'object' ? render(lang, value) : String(value);
  return found!.replace(/__(.+?)__/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Checks a text against the English message it stands for: every key in both languages with the same
 * placeholders, the English filled in reads exactly as the message, the Chinese is filled in and Chinese.
 * Returns the Chinese.
 */
export function checkRendered(text: ErrorText, message: string): string {
  assertInBothLanguages(keysOf(text));
  assert.equal(render('en-US', text), message);
  const chinese = render('zh-CN', text);
  assert.doesNotMatch(chinese, /__\w+__/, chinese);
  assert.match(chinese, /[\u4e00-\u9fff]/, `not Chinese: ${chinese}`);
  return chinese;
}

/** Checks that an error is a GizwitsError with a text that reads as its message; returns the Chinese. */
export function checkErrorText(error: unknown): string {
  assert.ok(error instanceof GizwitsError, `not a GizwitsError: ${String(error)}`);
  assert.ok(error.text, `no catalogue key on: ${error.message}`);
  return checkRendered(error.text, error.message);
}
