import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ENDPOINTS, isOperationId, parseRoute, type OperationId } from '../../src/client';
import { ERROR_TABLE } from '../../src/client/error-table';
import { FIXTURES, SHARED_SPEC, readEndpointRows, readErrorTable } from '../helpers/spec';

describe('endpoint table', () => {
  const rows = readEndpointRows();

  it('has the 62 operations of endpoints.tsv, each with its route verbatim', () => {
    assert.equal(rows.length, 62);
    for (const row of rows) {
      assert.ok(isOperationId(row.operation), `${row.operation} is missing from ENDPOINTS`);
      assert.equal(ENDPOINTS[row.operation as OperationId].route, row.route, row.operation);
    }
    assert.deepEqual(Object.keys(ENDPOINTS).sort(), rows.map((r) => r.operation).sort());
  });

  it('never marks a device command, group command or scene run as safe to repeat', () => {
    for (const id of [
      'devices.control',
      'groups.control',
      'scenes.run',
      'sharing.create',
      'rules.create',
    ] as const) {
      assert.equal(ENDPOINTS[id].idempotent, false, id);
    }
  });

  it('marks every GET as safe to repeat', () => {
    for (const [id, row] of Object.entries(ENDPOINTS)) {
      if (row.route.startsWith('GET ')) assert.equal(row.idempotent, true, id);
    }
  });

  it('parses path parameters out of routes', () => {
    assert.deepEqual(parseRoute('PUT /app/devices/{did}/scheduler/{id}'), {
      method: 'PUT',
      path: '/app/devices/{did}/scheduler/{id}',
      pathParams: ['did', 'id'],
    });
  });

  it('keeps the fixtures equal to ../shared/spec when it is there', function () {
    if (!fs.existsSync(SHARED_SPEC)) return this.skip();
    const shared = fs.readFileSync(path.join(SHARED_SPEC, 'endpoints.tsv'), 'utf8');
    assert.equal(fs.readFileSync(path.join(FIXTURES, 'endpoints.tsv'), 'utf8'), shared);
    const doc = fs.readFileSync(path.join(SHARED_SPEC, '000_92bf450ddb66173b.txt'), 'utf8');
    assert.ok(doc.endsWith(fs.readFileSync(path.join(FIXTURES, 'error-codes.txt'), 'utf8')));
  });
});

describe('error table', () => {
  it('holds every code of the document with its name and message', () => {
    const documented = readErrorTable();
    assert.ok(documented.length >= 60, `only ${documented.length} codes read`);
    for (const { code, name, message } of documented) {
      assert.deepEqual(ERROR_TABLE[code], [name, message], String(code));
    }
    assert.equal(Object.keys(ERROR_TABLE).length, documented.length);
  });
});
