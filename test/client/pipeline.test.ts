import assert from 'node:assert/strict';
import { GizwitsError, prepareRequest, resolveApiUrl } from '../../src/client';

describe('request preparation', () => {
  it('puts path parameters in the path, encoded, and the rest of a GET in the query', () => {
    const r = prepareRequest('devices.rawData', { did: 'a/b', type: 'cmd', start_time: 1, end_time: 2 });
    assert.equal(r.method, 'GET');
    assert.equal(r.path, '/app/devices/a%2Fb/raw_data');
    assert.deepEqual(r.query, { type: 'cmd', start_time: '1', end_time: '2' });
    assert.equal(r.body, undefined);
  });

  it('sends the body of POST/PUT/DELETE, except the parameters the document puts in the query', () => {
    const add = prepareRequest('groups.addDevices', { id: 'g1', dids: ['d1'], show_detail: 1 });
    assert.equal(add.path, '/app/group/g1/devices');
    assert.deepEqual(add.query, { show_detail: '1' });
    assert.deepEqual(add.body, { dids: ['d1'] });
    const unbind = prepareRequest('bindings.unbind', { devices: [{ did: 'd1' }] });
    assert.equal(unbind.method, 'DELETE');
    assert.deepEqual(unbind.body, { devices: [{ did: 'd1' }] });
    const agg = prepareRequest('devices.aggData', {
      did: 'd',
      start_ts: 1,
      attrs: 'a,b',
      aggregator: 'sum',
      unit: 'day',
    });
    assert.deepEqual(agg.query, { start_ts: '1', attrs: 'a,b', aggregator: 'sum', unit: 'day' });
    assert.deepEqual(prepareRequest('scenes.run', { id: 's' }).body, {});
    assert.equal(prepareRequest('rules.delete', { rule_id: 5 }).body, undefined);
  });

  it('refuses a missing path parameter or non-object parameters with a clear error', () => {
    assert.throws(
      () => prepareRequest('devices.control', { attrs: {} }),
      (e: GizwitsError) => {
        assert.equal(e.code, 'INVALID_PARAMS');
        assert.match(e.message, /devices.control needs the parameter "did" \(POST \/app\/control\/\{did\}\)/);
        return true;
      },
    );
    assert.throws(() => prepareRequest('bindings.list', [] as never), /parameters must be an object/);
    assert.throws(
      () => prepareRequest('devices.get', { did: { x: 1 } }),
      /"did" must be a string or a number/,
    );
  });
});

describe('regions', () => {
  it('maps regions to their hosts and takes a custom URL', () => {
    assert.equal(resolveApiUrl('cn'), 'https://api.gizwits.com');
    assert.equal(resolveApiUrl('us'), 'https://usapi.gizwits.com');
    assert.equal(resolveApiUrl('eu'), 'https://euapi.gizwits.com');
    assert.equal(resolveApiUrl(undefined), 'https://api.gizwits.com');
    assert.equal(resolveApiUrl('custom', 'http://127.0.0.1:8181/'), 'http://127.0.0.1:8181');
  });

  it('refuses a bad region or custom URL, saying what was wrong', () => {
    assert.throws(() => resolveApiUrl('mars'), /Unknown Gizwits region "mars"/);
    assert.throws(() => resolveApiUrl('custom', 'not a url'), /"not a url" is not a URL/);
    assert.throws(() => resolveApiUrl('custom', 'ftp://x'), /must be http or https/);
    assert.throws(() => resolveApiUrl('custom', 'http://u:p@x'), /must not contain a user name or password/);
  });
});
