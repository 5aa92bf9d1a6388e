// The packed package installed into a fresh user directory of a real headless Node-RED, on every
// platform of the matrix: every node type, its editor, help, icon and translations, the shared editor
// script and every example registered, on the Node and Node-RED the platform names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MATRIX, PLATFORM_PREPARE_MS, PLATFORM_TITLES, type PlatformId } from '../helpers/platforms';
import { PACKAGE_NAME, packedNodeRed, type PackedEnvironment } from './packed-node-red';

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

for (const id of MATRIX) describeRegistration(id);

function describeRegistration(id: PlatformId): void {
  describe(`the packed package in a real Node-RED (${PLATFORM_TITLES[id]})`, function () {
    this.timeout(180_000);
    let env: PackedEnvironment;
    let declared: Record<string, string>;

    before(async function () {
      this.timeout(PLATFORM_PREPARE_MS);
      env = await packedNodeRed(id);
      const pkg = JSON.parse(fs.readFileSync(path.join(env.packageDir, 'package.json'), 'utf8'));
      declared = pkg['node-red'].nodes;
    });

    const get = async (route: string, accept = 'application/json') => {
      const answer = await fetch(`${env.url}/${route}`, { headers: { Accept: accept } });
      assert.equal(answer.status, 200, `GET /${route}`);
      return answer;
    };

    it('runs on the Node and the Node-RED of the platform, installed without an engine warning', async () => {
      const { nodeVersion, nodeRedVersion } = env.platform;
      assert.match(nodeRedVersion, id === 'host' ? /^4\.1\./ : /^5\./);
      if (id !== 'host') assert.equal(nodeVersion.split('.')[0], id.slice('node'.length));
      const settings = (await (await get('settings')).json()) as { version?: string };
      // A Node-RED installed under a git checkout (the repository's own) calls itself "<version>-git".
      assert.equal(settings.version?.replace(/-git$/, ''), nodeRedVersion, 'the Node-RED that answers');
      assert.match(
        env.output(),
        new RegExp(`Node\\.js\\s+version:\\s+v${nodeVersion.replace(/\./g, '\\.')}`),
      );
      assert.doesNotMatch(env.installLog, /EBADENGINE|Unsupported engine/, env.installLog);
    });

    it('ships the built nodes, examples and editor resources, and neither sources nor tests', () => {
      const entries = fs.readdirSync(env.packageDir).sort();
      for (const wanted of ['dist', 'examples', 'resources', 'package.json', 'README.md', 'LICENSE'])
        assert.ok(entries.includes(wanted), `${wanted} is missing from the package`);
      for (const unwanted of ['src', 'test', 'node_modules', '.userdir'])
        assert.ok(!entries.includes(unwanted), `${unwanted} should not be in the package`);
    });

    it('registers and loads every node type the package declares, without error', async () => {
      const sets = ((await (await get('nodes')).json()) as NodeSet[]).filter(
        (s) => s.module === PACKAGE_NAME,
      );
      for (const type of Object.keys(declared)) {
        const set = sets.find((s) => s.types.includes(type) || s.id === `${PACKAGE_NAME}/${type}`);
        assert.ok(set, `${type} is not registered:\n${env.output()}`);
        assert.equal(set.err, undefined, `${type} failed to load: ${set.err}`);
        assert.ok(set.enabled, `${type} is not enabled`);
        assert.ok(set.types.includes(type), `${type} is not among the set's types ${set.types.join(', ')}`);
      }
    });

    it("serves every node's edit dialog, help and icon to the editor", async () => {
      const html = await (await get('nodes', 'text/html')).text();
      for (const type of Object.keys(declared)) {
        assert.match(html, new RegExp(`registerType\\(\\s*'${type}'`), `no editor definition of ${type}`);
        assert.match(html, new RegExp(`data-template-name="${type}"`), `no edit dialog of ${type}`);
        assert.match(html, new RegExp(`data-help-name="${type}"`), `no help of ${type}`);
      }
      const icons = (await (await get('icons')).json()) as Record<string, string[]>;
      const ours = icons[PACKAGE_NAME] ?? [];
      for (const icon of ['gizwits-api.svg', 'gizwits-device-in.svg', 'gizwits-device-control.svg']) {
        assert.ok(ours.includes(icon), `icon ${icon} not registered (${ours.join(', ')})`);
        const answer = await get(`icons/${PACKAGE_NAME}/${icon}`, 'image/svg+xml');
        assert.match(await answer.text(), /<svg/);
      }
    });

    it('serves the shared pick-list script at the relative URL the dialogs use', async () => {
      const script = await (await get(`resources/${PACKAGE_NAME}/gizwits-editor.js`, '*/*')).text();
      assert.match(script, /window\.GizwitsEditor = /);
    });

    it('has every message catalogue in English and Chinese', async () => {
      for (const [lang, label] of [
        ['en-US', 'Data point'],
        ['zh-CN', '数据点'],
      ] as const) {
        const catalogues = (await (await get(`nodes/messages?lng=${lang}`)).json()) as Record<
          string,
          Record<string, { label?: Record<string, string> }>
        >;
        for (const type of Object.keys(declared)) {
          assert.ok(catalogues[`${PACKAGE_NAME}/${type}`], `no ${lang} catalogue for ${type}`);
        }
        const control = catalogues[`${PACKAGE_NAME}/gizwits-device-control`]['gizwits-device-control'];
        assert.equal(control.label?.attr, label);
      }
    });

    it('lists every example of the package in the import menu', async () => {
      const shipped = fs
        .readdirSync(path.join(env.packageDir, 'examples'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort();
      assert.ok(shipped.length >= Object.keys(declared).length - 1, 'at least one example per node type');
      const listing = (await (await get(`library/examples/flows/${PACKAGE_NAME}`)).json()) as Array<
        string | { fn: string }
      >;
      const names = listing.map((entry) => (typeof entry === 'string' ? entry : entry.fn)).sort();
      assert.deepEqual(names, shipped);
      for (const name of shipped) {
        const flow = (await (
          await get(`library/examples/flows/${PACKAGE_NAME}/${name}`)
        ).json()) as unknown[];
        assert.ok(Array.isArray(flow) && flow.length > 0, `example ${name} is empty`);
      }
    });
  });
}
