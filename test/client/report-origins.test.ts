// One message for a report that reaches both the LAN and the cloud (src/client/registry/report-origins.ts).
import assert from 'node:assert/strict';
import { ReportOrigins } from '../../src/client/registry/report-origins';

describe('report origins: the echo of a change over the other link', () => {
  it('takes a change from either link, and drops the same state from the other link soon after', () => {
    const origins = new ReportOrigins(3000);
    assert.equal(origins.accept('d', 'lan', true, 1000), true);
    assert.equal(origins.accept('d', 'websocket', false, 1200), false, 'the echo');
    assert.equal(origins.accept('d', 'lan', false, 1300), true, 'a repeat over the same link is kept');
    assert.equal(origins.accept('d', 'websocket', false, 4500), true, 'after the window it is news again');
    assert.equal(origins.accept('d', 'websocket', true, 4600), true);
    assert.equal(origins.accept('d', 'lan', false, 4700), false);
    assert.equal(origins.accept('other', 'lan', false, 4700), true, 'per device');
  });

  it('leaves out a state read after connecting one link while another link just brought news', () => {
    const origins = new ReportOrigins(3000);
    assert.equal(origins.staleRead('d', 'lan', 0), false, 'nothing heard yet');
    origins.accept('d', 'websocket', true, 1000);
    assert.equal(origins.staleRead('d', 'lan', 1500), true);
    assert.equal(origins.staleRead('d', 'websocket', 1500), false, 'the same link is in order');
    assert.equal(origins.staleRead('d', 'lan', 4500), false);
    origins.forget('d');
    assert.equal(origins.staleRead('d', 'lan', 1500), false);
  });
});
