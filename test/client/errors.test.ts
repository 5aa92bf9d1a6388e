import assert from 'node:assert/strict';
import { AxiosError, type AxiosResponse } from 'axios';
import { GizwitsError, isRetryableCode, parseErrorBody, toGizwitsError } from '../../src/client';
import { readErrorTable } from '../helpers/spec';

function response(status: number, data: unknown, headers: Record<string, string> = {}): AxiosResponse {
  return { status, statusText: '', data, headers, config: {} as never };
}

describe('error mapping', () => {
  it('maps every code of the document to its name, its message and the operation', () => {
    for (const { code, name, message } of readErrorTable()) {
      const error = toGizwitsError(
        'bindings.list',
        response(400, { error_code: code, error_message: message, detail_message: null }),
      );
      assert.ok(error instanceof GizwitsError);
      assert.equal(error.code, code);
      assert.equal(error.errorName, name);
      assert.equal(error.status, 400);
      assert.equal(error.operation, 'bindings.list');
      assert.equal(error.serverMessage, message);
      assert.match(error.message, new RegExp(`^Gizwits bindings.list failed: ${code} ${name}`));
      assert.equal(error.retryable, code === 9041 || code === 9008, `retryable for ${code}`);
    }
  });

  it('names a code the document lacks as undocumented and keeps the server message', () => {
    const error = toGizwitsError(
      'scenes.run',
      response(404, { error_code: 9220, error_message: 'scene not found!' }),
    );
    assert.equal(error.code, 9220);
    assert.equal(error.errorName, undefined);
    assert.match(error.message, /9220 GIZ_OPENAPI_UNDOCUMENTED_CODE \(scene not found!\)/);
  });

  it('says what to do for the common codes', () => {
    const error = toGizwitsError(
      'users.login',
      response(400, { error_code: 9020, error_message: 'username or password error!' }),
    );
    assert.match(error.message, /check the username and password/);
    assert.ok(error.isBadCredentials);
    assert.ok(toGizwitsError('users.get', response(400, { error_code: 9006 })).isTokenError);
  });

  it('treats throttling, 429 and 502/503/504 as retryable, other HTTP failures not', () => {
    assert.ok(toGizwitsError('users.get', response(429, { error_code: 9041 })).retryable);
    assert.ok(toGizwitsError('users.get', response(429, 'Too many')).retryable);
    for (const status of [502, 503, 504])
      assert.ok(toGizwitsError('users.get', response(status, '<html>')).retryable, String(status));
    for (const status of [500, 404, 401])
      assert.equal(toGizwitsError('users.get', response(status, '<html>')).retryable, false);
    assert.equal(isRetryableCode(9004, 400), false);
  });

  it('keeps the Retry-After header', () => {
    const error = toGizwitsError('users.get', response(429, { error_code: 9041 }, { 'retry-after': '3' }));
    assert.equal(error.retryAfter, '3');
  });

  it('maps transport failures to NETWORK and TIMEOUT, retryable, without request details', () => {
    const refused = new AxiosError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED', {
      headers: { 'X-Gizwits-User-token': 'secret-token-value' },
    } as never);
    const network = toGizwitsError('bindings.list', refused);
    assert.equal(network.code, 'NETWORK');
    assert.ok(network.retryable);
    assert.doesNotMatch(
      JSON.stringify(network) + network.message + String(network.stack),
      /secret-token-value/,
    );
    const timeout = toGizwitsError(
      'bindings.list',
      new AxiosError('timeout of 10ms exceeded', 'ECONNABORTED'),
    );
    assert.equal(timeout.code, 'TIMEOUT');
    assert.ok(timeout.retryable);
  });

  it('reads error bodies given as text, and refuses bodies that are not errors', () => {
    assert.deepEqual(
      parseErrorBody('{"error_code":9004,"error_message":"token invalid!","detail_message":null}'),
      {
        code: 9004,
        message: 'token invalid!',
        detail: undefined,
      },
    );
    assert.equal(parseErrorBody('<html>'), undefined);
    assert.equal(parseErrorBody({ devices: [] }), undefined);
    assert.equal(parseErrorBody({ error_code: 0 }), undefined);
  });
});
