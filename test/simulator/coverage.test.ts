import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_TABLE } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

/** spec/ lives beside the repository (shared/spec), or as a copy under test/fixtures. */
function specFile(name: string): string | undefined {
  const candidates = [
    path.join(__dirname, '..', '..', '..', 'shared', 'spec', name),
    path.join(__dirname, '..', 'fixtures', name),
  ];
  return candidates.find((candidate) => fs.existsSync(candidate));
}

const EXTRA_VARIANTS = ['POST /app/scene/{id}', 'GET /app/devdata/{did}/agg_data'];

describe('simulator: coverage of the document', () => {
  const ctx = useSimulator();

  it('serves every operation of endpoints.tsv, and the variants its notes ask for', async function () {
    const file = specFile('endpoints.tsv');
    if (!file) this.skip();
    const rows = fs
      .readFileSync(file!, 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => line.split('\t')[1]);
    assert.equal(rows.length, 62);
    const token = await login(ctx.sim);
    for (const route of [...rows, ...EXTRA_VARIANTS]) {
      const [method, template] = route.split(' ');
      const concrete = template.replace(/\{[^}]+\}/g, 'Placeholder00000000000');
      const answer = await call(ctx.sim, method, concrete, { token });
      assert.notEqual(answer.body?.error_code, 9999, `${route} is not served: ${answer.text}`);
      assert.ok(answer.contentType.includes('application/json'), route);
    }
  });

  it("has the document's error table, codes and messages (9004 with the real service's '!')", function () {
    const file = specFile('000_92bf450ddb66173b.txt');
    if (!file) this.skip();
    const text = fs.readFileSync(file!, 'utf8');
    const appendix = text.slice(text.indexOf('错误码 错误类别 描述'));
    const documented = appendix
      .split('\n')
      .map((line) => /^(\d{4}) (\S+) (.+)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ code: Number(match[1]), message: match[3] }));
    assert.ok(documented.length > 60);
    for (const entry of documented) {
      const ours = ERROR_TABLE.find((candidate) => candidate.code === entry.code);
      assert.ok(ours, `${entry.code} missing`);
      const expected = entry.code === 9004 ? 'token invalid!' : entry.message;
      assert.equal(ours.message, expected, `${entry.code}`);
    }
  });
});
