// done(err) in the runtime's language: errorTranslator against the runtime's own i18n, which picks the
// client's message catalogue (src/client/messages) by the language the account node's locale is in. In
// English the client's message stands as it is; in Chinese, cloud codes get the catalogue's frame and hint,
// keyed texts their translation (nested texts included), and a text with no translation stays in English.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_HINTS, GizwitsError } from '../../src/client';
import { errorTranslator } from '../../src/nodes/common/error-text';
import { PACKAGE_NAME, type NodeAPI } from '../../src/nodes/common/red';
import { useNodeRed } from '../helpers/node-red';
import { i18n, translateFor } from '../helpers/runtime-i18n';

const NODES = path.resolve(__dirname, '..', '..', 'src', 'nodes');
const MESSAGES = path.resolve(__dirname, '..', '..', 'src', 'client', 'messages');
const catalogue = (lang: string) => JSON.parse(fs.readFileSync(path.join(MESSAGES, `${lang}.json`), 'utf8'));

describe('errors in the runtime language', () => {
  useNodeRed();
  let previous: string | undefined;
  let RED: NodeAPI;
  before(async () => {
    previous = i18n.i.language;
    const namespace = `${PACKAGE_NAME}/gizwits-api`;
    await i18n.registerMessageCatalog(
      `${PACKAGE_NAME}/gizwits-account`,
      path.join(NODES, 'gizwits-account', 'locales'),
      'gizwits-account.json',
    );
    // A node of another set asks: the shared catalogue is reached through its full namespace.
    RED = { _: translateFor(namespace) } as unknown as NodeAPI;
  });
  after(() => i18n.i.changeLanguage(previous));

  const offline = () =>
    new GizwitsError({ code: 9042, operation: 'devices.control', serverMessage: 'device offline!' });

  it('keeps the English hints of the catalogue equal to the client’s, with a Chinese one for each', () => {
    const en = catalogue('en-US').hints as Record<string, string>;
    const zh = catalogue('zh-CN').hints as Record<string, string>;
    assert.deepEqual(en, Object.fromEntries(Object.entries(ERROR_HINTS).map(([c, h]) => [c, h])));
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const text of Object.values(zh)) assert.match(text, /[\u4e00-\u9fff]/);
  });

  it('leaves every message as the client wrote it in an English runtime', async () => {
    await i18n.i.changeLanguage('en-US');
    const error = offline();
    const translated = errorTranslator(RED)(error);
    assert.equal(translated, error);
    assert.equal(translated.message, error.message);
  });

  it('words a cloud code in Chinese, keeping the code, the name and the error’s fields', async () => {
    await i18n.i.changeLanguage('zh-CN');
    const error = offline();
    const translated = errorTranslator(RED)(error) as GizwitsError;
    assert.ok(translated instanceof GizwitsError);
    assert.equal(
      translated.message,
      '机智云 devices.control 失败:9042 GIZ_OPENAPI_DEVICE_OFFLINE(device offline!):设备不在线',
    );
    assert.equal(translated.code, 9042);
    assert.equal(translated.errorName, 'GIZ_OPENAPI_DEVICE_OFFLINE');
    assert.equal(translated.operation, 'devices.control');
    assert.equal(translated.retryable, error.retryable);
    // No hint for this code, no server message: the document's message stands in.
    const noHint = errorTranslator(RED)(new GizwitsError({ code: 9045, operation: 'devices.get' }));
    assert.equal(noHint.message, '机智云 devices.get 失败:9045 GIZ_OPENAPI_DEPRECATED_API(API deprecated!)');
  });

  it('leaves in English a keyed text the catalogue does not have, and a plain Error', async () => {
    await i18n.i.changeLanguage('zh-CN');
    const unknown = new GizwitsError({
      code: 'INVALID_PARAMS',
      message: 'English stays',
      text: { key: 'no.such.key', params: { x: 1 } },
    });
    assert.equal(errorTranslator(RED)(unknown).message, 'English stays');
    const plain = new Error('plain');
    assert.equal(errorTranslator(RED)(plain), plain);
    assert.equal(errorTranslator(RED)('a string').message, 'a string');
  });
});
