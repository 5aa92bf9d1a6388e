// Where sockets come from: upgrades on the REST server's port, and a second, websocket-only listener
// (the "sandbox" host) on its own loopback port; with a certificate, a TLS (wss) listener of their own
// for each. All serve /ws/app/v1 and nothing else.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SOCKET_PATH } from './frames';

export type SocketHandler = (socket: WebSocket) => void;

export interface SocketListener {
  /** Stops accepting upgrades (open sockets are the hub's to end) and releases a port it owns. */
  close(): Promise<void>;
}

function upgradeHandler(wss: WebSocketServer, onSocket: SocketHandler) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://simulator.invalid').pathname;
    if (path !== SOCKET_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, onSocket);
  };
}

/** Serves the websocket on an HTTP server that already listens (the REST API's). */
export function attachToServer(server: Server, onSocket: SocketHandler): SocketListener {
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = upgradeHandler(wss, onSocket);
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A key and certificate (PEM) for the wss listeners. */
export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

/**
 * A listener of its own, over TLS when given a certificate; plain HTTP requests get 404, as a
 * websocket-only host would answer.
 */
export async function listenOwnPort(
  host: string,
  port: number,
  onSocket: SocketHandler,
  tls?: TlsMaterial,
): Promise<SocketListener & { port: number }> {
  const notFound = (_request: IncomingMessage, response: import('node:http').ServerResponse) => {
    response.writeHead(404, { 'Content-Length': 0 });
    response.end();
  };
  const server: Server = tls
    ? createTlsServer({ key: tls.key, cert: tls.cert }, notFound)
    : createServer(notFound);
  const attached = attachToServer(server, onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await attached.close();
      await new Promise<void>((resolve) => {
        // The listening handle is released one loop turn after the close callback.
        server.close(() => setImmediate(resolve));
        server.closeAllConnections();
      });
    },
  };
}
