// Every node's editor texts in English and Chinese, with the same keys; help for the Info sidebar in
// Node-RED's style; an SVG icon. Written over src/nodes/* so that a node added later is covered too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REASON_KEYS } from '../src/nodes/common/status';

const ROOT = path.resolve(__dirname, '..');
const NODES = path.join(ROOT, 'src', 'nodes');
const LANGS = ['en-US', 'zh-CN'] as const;
const SECTIONS: Record<
  (typeof LANGS)[number],
  { inputs: string; outputs: string; details: string; properties: string }
> = {
  'en-US': { inputs: 'Inputs', outputs: 'Outputs', details: 'Details', properties: 'Properties' },
  'zh-CN': { inputs: '输入', outputs: '输出', details: '详细说明', properties: '属性' },
};

const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const declared = Object.keys(packageJson['node-red'].nodes as Record<string, string>);
const nodeTypes = fs
  .readdirSync(NODES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('gizwits-'))
  .map((d) => d.name)
  .filter((type) => fs.existsSync(path.join(NODES, type, `${type}.html`)));

/** "a.b.c" for every leaf of a message catalogue. */
function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      for (const [k, v] of flatten(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
    }
  } else {
    out.set(prefix, String(value));
  }
  return out;
}

function catalogue(type: string, lang: string): Map<string, string> {
  const file = path.join(NODES, type, 'locales', lang, `${type}.json`);
  assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing`);
  return flatten(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Keys of `say('key', ...)` calls: a node's own texts, looked up in its catalogue. */
function sayKeys(source: string): string[] {
  return [...source.matchAll(/\bsay\(\s*'([^']+)'/g)].map((m) => m[1]);
}

/** Prefixes of keys built from a value: `say(`status.task.${status}`, ...)` gives `status.task`. */
function builtKeyPrefixes(source: string): string[] {
  return [...source.matchAll(/\bsay\(\s*`([\w.]+)\.\$\{/g)].map((m) => m[1]);
}

/** Modules of src/nodes/common a node imports. */
function sharedModulesOf(source: string): string[] {
  // And the shared modules those use (a node's setUpNode brings useAccount's texts with it).
  const found = new Set<string>();
  const queue = [...source.matchAll(/from '\.\.\/common\/([\w-]+)'/g)].map((m) => m[1]);
  for (let module = queue.pop(); module !== undefined; module = queue.pop()) {
    if (found.has(module)) continue;
    found.add(module);
    const text = fs.readFileSync(path.join(NODES, 'common', `${module}.ts`), 'utf8');
    queue.push(...[...text.matchAll(/from '\.\/([\w-]+)'/g)].map((m) => m[1]));
  }
  return [...found];
}

/** The runtime source of a node: its `<type>.ts` and the modules beside it that it imports. */
function nodeSource(type: string): string {
  const main = path.join(NODES, type, `${type}.ts`);
  if (!fs.existsSync(main)) return '';
  const source = fs.readFileSync(main, 'utf8');
  const beside = [...source.matchAll(/from '\.\/([\w-]+)'/g)].map((m) => m[1]);
  return [
    source,
    ...beside.map((name) => fs.readFileSync(path.join(NODES, type, `${name}.ts`), 'utf8')),
  ].join('\n');
}

/**
 * Keys a node builds from a value, by node type and key prefix: the array constant in the node's source
 * that lists the values (less those that have texts of their own), so that a value added there without a
 * text fails here; or, where the values are not listed in one place, the values themselves.
 */
/** A list constant (in the node's source, or in `file` when the node imports it) or the values themselves. */
type BuiltFrom = { list: string; file?: string; except: string[] } | { values: string[] };

const BUILT_KEYS: Record<string, Record<string, BuiltFrom>> = {
  // The scene's task status as the API reports it: running, done, failed, idle (the client's scene service).
  'gizwits-scene-trigger': {
    'status.task': { list: 'SCENE_STATUSES', file: 'src/client/scenes.ts', except: [] },
  },
  // The actions other than control, which has its own statuses (controlling, controlled).
  'gizwits-group-control': {
    'status.actions': {
      list: 'ACTIONS',
      file: 'src/nodes/gizwits-group-control/group-request.ts',
      except: ['control'],
    },
  },
  // status.${outcome} after a read or a write.
  'gizwits-device-control': { status: { values: ['read', 'written', 'confirmed'] } },
};

/** The values a node builds keys from, as BUILT_KEYS says where to find them. */
function builtValues(source: string, built: BuiltFrom) {
  if ('values' in built) return built.values;
  const text = built.file ? fs.readFileSync(path.join(ROOT, built.file), 'utf8') : source;
  const list = new RegExp(`const ${built.list} = \\[([^\\]]*)\\]`).exec(text);
  assert.ok(list, `the node has no const ${built.list} = [...]`);
  return [...list[1].matchAll(/'([^']+)'/g)]
    .map((m) => m[1])
    .filter((value) => !built.except.includes(value));
}

/** `__name__` placeholders, read as i18next does (lazily), so that `__a____b__` is two of them. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/__(\w+?)__/g)].map((m) => m[1]).sort();
}

/**
 * Keys the editor html asks for: data-i18n="[attr]key;key", node._('key') / RED._('key'), and each
 * option of a select written as data-choices="<prefix>: a b" (worded by <prefix>.a, <prefix>.b).
 */
function keysUsedIn(html: string): string[] {
  const keys: string[] = [];
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(';')) keys.push(part.replace(/^\[[^\]]+\]/, ''));
  }
  for (const m of html.matchAll(/data-choices="([\w.-]+):([^"]*)"/g)) {
    for (const value of m[2].split(/\s+/).filter(Boolean)) keys.push(`${m[1]}.${value}`);
  }
  for (const m of html.matchAll(/\b_\(\s*'([^']+)'/g)) keys.push(m[1]);
  return keys;
}

describe('editor texts, help and icons of every node', () => {
  it('covers every node type the package declares', () => {
    for (const type of declared) {
      assert.ok(
        nodeTypes.includes(type),
        `${type} is in package.json but has no src/nodes/${type}/${type}.html`,
      );
    }
  });

  for (const type of nodeTypes) {
    describe(type, () => {
      const html = fs.readFileSync(path.join(NODES, type, `${type}.html`), 'utf8');
      const isConfig = /category:\s*'config'/.test(html);

      it('has the same message keys in English and Chinese, none empty, with the same placeholders', () => {
        const [en, zh] = LANGS.map((lang) => catalogue(type, lang));
        const onlyEn = [...en.keys()].filter((k) => !zh.has(k));
        const onlyZh = [...zh.keys()].filter((k) => !en.has(k));
        assert.deepEqual(onlyEn, [], `keys only in en-US: ${onlyEn.join(', ')}`);
        assert.deepEqual(onlyZh, [], `keys only in zh-CN: ${onlyZh.join(', ')}`);
        for (const [key, text] of en) {
          assert.ok(text.trim(), `en-US ${key} is empty`);
          assert.ok(zh.get(key)!.trim(), `zh-CN ${key} is empty`);
          assert.deepEqual(placeholders(zh.get(key)!), placeholders(text), `placeholders of ${key} differ`);
        }
      });

      it('defines every key its edit dialog uses', () => {
        const en = catalogue(type, 'en-US');
        const missing = keysUsedIn(html)
          .filter((key) => key.startsWith(`${type}.`))
          .filter((key) => !en.has(key));
        assert.deepEqual(missing, [], `used in ${type}.html but not in its catalogue`);
      });

      it('defines every key its runtime asks for, and those the shared modules it uses ask for', () => {
        const source = nodeSource(type);
        const en = catalogue(type, 'en-US');
        const used = [
          ...sayKeys(source).map((key) => `${type}.${key}`),
          ...[...source.matchAll(/RED\._\(\s*'([^']+)'/g)].map((m) => m[1]),
        ].filter((key) => key.startsWith(`${type}.`));
        const missing = used.filter((key) => !en.has(key));
        assert.deepEqual(missing, [], `asked for by ${type}.ts but not in its catalogue`);
        // Shared modules (src/nodes/common) word their statuses with the `say` of the node using them
        // (`status.noAccount` of useAccount, `status.online` of devicesStatus...).
        for (const module of sharedModulesOf(source)) {
          const missingShared = sayKeys(fs.readFileSync(path.join(NODES, 'common', `${module}.ts`), 'utf8'))
            .map((key) => `${type}.${key}`)
            .filter((key) => !en.has(key));
          assert.deepEqual(
            missingShared,
            [],
            `asked for by common/${module}.ts but not in ${type}'s catalogue`,
          );
        }
      });

      it('has every short reason of a red status ring (status.reason.*) when it shows errors', () => {
        const ts = path.join(NODES, type, `${type}.ts`);
        const source = fs.existsSync(ts) ? fs.readFileSync(ts, 'utf8') : '';
        if (!/useAccount\(|setUpNode\(|errorStatus\(/.test(source)) return;
        const en = catalogue(type, 'en-US');
        const missing = REASON_KEYS.map((key) => `${type}.${key}`).filter((key) => !en.has(key));
        assert.deepEqual(missing, [], `status reasons missing from ${type}'s catalogue`);
      });

      it('defines every key its runtime builds from a value', () => {
        const source = nodeSource(type);
        const en = catalogue(type, 'en-US');
        for (const prefix of builtKeyPrefixes(source)) {
          const built = BUILT_KEYS[type]?.[prefix];
          assert.ok(
            built,
            `${type}.ts builds keys ${prefix}.*: list where their values come from in BUILT_KEYS`,
          );
          const values = builtValues(source, built);
          assert.ok(values.length > 0, `no values for ${type}.${prefix}.*`);
          const missing = values.map((value) => `${type}.${prefix}.${value}`).filter((key) => !en.has(key));
          assert.deepEqual(missing, [], `built by ${type}.ts but not in its catalogue`);
        }
      });

      for (const lang of LANGS) {
        it(`has ${lang} help for the Info sidebar in Node-RED's help style`, () => {
          const file = path.join(NODES, type, 'locales', lang, `${type}.html`);
          assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing`);
          const help = fs.readFileSync(file, 'utf8');
          assert.match(help, new RegExp(`data-help-name="${type}"`));
          assert.match(help, /^\s*<script[^>]*>\s*<p>/, 'help starts with a summary paragraph');
          const names = SECTIONS[lang];
          const inputs = Number(/inputs:\s*(\d+)/.exec(html)?.[1] ?? 0);
          const outputs = Number(/outputs:\s*(\d+)/.exec(html)?.[1] ?? 0);
          const wanted = isConfig
            ? [names.properties, names.details]
            : [...(inputs > 0 ? [names.inputs] : []), ...(outputs > 0 ? [names.outputs] : []), names.details];
          const found = [...help.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1].trim());
          assert.deepEqual(
            found.filter((h) => wanted.includes(h)),
            wanted,
            `sections ${wanted.join(', ')} in this order`,
          );
          if (inputs > 0 || outputs > 0) assert.match(help, /<dl class="message-properties">/);
        });
      }

      it('has its own SVG icon', () => {
        const icon = /\bicon:\s*'([^']+)'/.exec(html)?.[1];
        if (isConfig && !icon) return;
        assert.ok(icon, `${type}.html sets no icon`);
        assert.match(icon!, /\.svg$/);
        const file = path.join(NODES, type, 'icons', icon!);
        assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing`);
        assert.match(fs.readFileSync(file, 'utf8'), /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      });
    });
  }

  it('defines in both languages every key the shared pick-list script uses', () => {
    const script = fs.readFileSync(path.join(ROOT, 'resources', 'gizwits-editor.js'), 'utf8');
    // Literal keys; a key built at run time ('kind.' + kind) is checked through the list below.
    const used = [...script.matchAll(/\bt\(\s*'([^']+[^.'])'/g)].map((m) => `gizwits-account.${m[1]}`);
    const kinds = ['writable', 'readonly', 'alert', 'fault'].map((k) => `gizwits-account.kind.${k}`);
    assert.ok(used.length > 5, 'the script uses its t() helper');
    for (const lang of LANGS) {
      const texts = catalogue('gizwits-account', lang);
      const missing = [...used, ...kinds].filter((key) => !texts.has(key));
      assert.deepEqual(missing, [], `missing in gizwits-account ${lang}`);
    }
  });
});

describe('message catalogues of the client (src/client/messages)', () => {
  const MESSAGES = path.join(ROOT, 'src', 'client', 'messages');
  const messages = (lang: string) =>
    flatten(JSON.parse(fs.readFileSync(path.join(MESSAGES, `${lang}.json`), 'utf8')));

  it('has a catalogue for each language, and none besides', () => {
    assert.deepEqual(
      fs.readdirSync(MESSAGES).sort(),
      LANGS.map((lang) => `${lang}.json`),
    );
  });

  it('has the same keys in English and Chinese, none empty, with the same placeholders', () => {
    const [en, zh] = LANGS.map(messages);
    const onlyEn = [...en.keys()].filter((k) => !zh.has(k));
    const onlyZh = [...zh.keys()].filter((k) => !en.has(k));
    assert.deepEqual(onlyEn, [], `keys only in en-US: ${onlyEn.join(', ')}`);
    assert.deepEqual(onlyZh, [], `keys only in zh-CN: ${onlyZh.join(', ')}`);
    assert.ok(en.size > 200, `only ${en.size} texts`);
    for (const [key, text] of en) {
      assert.ok(text.trim(), `en-US ${key} is empty`);
      assert.ok(zh.get(key)!.trim(), `zh-CN ${key} is empty`);
      assert.deepEqual(placeholders(zh.get(key)!), placeholders(text), `placeholders of ${key} differ`);
    }
  });

  it('says in Chinese every Chinese text that has words', () => {
    const [en, zh] = LANGS.map(messages);
    // English words left once placeholders are out; names such as HTTP or AppID are the same in both.
    const words = (text: string) => text.replace(/__(.+?)__/g, '').match(/\b[a-z]{2,}\b/g) ?? [];
    for (const [key, text] of zh) {
      if (/[\u4e00-\u9fff]/.test(text)) continue;
      assert.deepEqual(words(text), [], `zh-CN ${key} is not Chinese: ${text}`);
      assert.ok(en.has(key));
    }
  });

  it('has an English text for every key the code names', () => {
    const en = messages('en-US');
    const sources = [path.join(ROOT, 'src', 'client'), path.join(ROOT, 'src', 'bridge'), NODES].flatMap(
      (dir) =>
        (fs.readdirSync(dir, { recursive: true }) as string[])
          .filter((file) => file.endsWith('.ts'))
          .map((file) => path.join(dir, file)),
    );
    const named = new Set<string>();
    for (const file of sources) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:keyed\(\s*|\bkey: )'([A-Za-z0-9.]+)'(?!\s*\|)/g)) named.add(m[1]);
      // The bridge's refusals name their key through refused('bridge.command.…').
      for (const m of source.matchAll(/\b(?:commandRefused|refused)\(\s*'([A-Za-z0-9.]+)'/g)) named.add(m[1]);
    }
    assert.ok(named.size > 150, `only ${named.size} keys found`);
    const missing = [...named].filter((key) => !en.has(key));
    assert.deepEqual(missing, [], 'named in src but not in en-US.json');
  });
});
