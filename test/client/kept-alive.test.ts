// A kept-alive connection the server closes just as a call goes out on it (docs/open-api.md, Kept-alive
// connections): a call safe to repeat goes once more on a new connection; a device command does not.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { GizwitsError, RequestPipeline, prepareRequest } from '../../src/client';

describe('requests on a kept-alive connection the server has just closed', () => {
  let server: http.Server;
  let pipeline: RequestPipeline;
  /** Each request the server saw: its operation path and whether it came on a connection used before. */
  const seen: Array<{ path: string; reused: boolean }> = [];

  before(async () => {
    const uses = new WeakMap<Socket, number>();
    // Answers the first request of each connection, and drops the connection under any later one: the
    // moment a server's idle time-out closes a connection the client is about to reuse.
    server = http.createServer((req, res) => {
      const count = (uses.get(req.socket) ?? 0) + 1;
      uses.set(req.socket, count);
      seen.push({ path: req.url ?? '', reused: count > 1 });
      if (count > 1) {
        req.socket.destroy();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ uid: 'u1' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // No retries: only the resend on a new connection can make a call survive the dropped one.
    pipeline = new RequestPipeline({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 0 } });
  });

  after(async () => {
    pipeline.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const read = () => pipeline.send<{ uid: string }>(prepareRequest('users.get', {}), () => ({}));

  it('sends a read once more on a new connection, and it succeeds', async () => {
    assert.deepEqual(await read(), { uid: 'u1' });
    assert.deepEqual(await read(), { uid: 'u1' });
    assert.deepEqual(
      seen.map((request) => request.reused),
      [false, true, false],
      'the second read went out on the first connection, was dropped, and went again on a new one',
    );
  });

  it('does not repeat a device command: the dropped one fails, and the server saw it once', async () => {
    // A read leaves a connection kept alive whose one request was answered: the command goes out on it.
    await read();
    seen.length = 0;
    const command = pipeline.send(
      prepareRequest('devices.control', { did: 'd1', attrs: { on: true } }),
      () => ({}),
    );
    await assert.rejects(command, (error: unknown) => {
      assert.ok(error instanceof GizwitsError);
      assert.equal(error.code, 'NETWORK');
      return true;
    });
    assert.deepEqual(seen, [{ path: '/app/control/d1', reused: true }]);
  });
});
