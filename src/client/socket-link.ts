// The ws connection under a device socket: made with our frame limit (docs/websocket.md, Frame size), and shielded so
// that nothing a listener does can throw into ws (that would take the process down).
import WebSocket from 'ws';
import { MAX_FRAME_BYTES } from './socket-frames';
import type { SkippedKind } from './socket-skips';

export interface LinkEvents {
  open(): void;
  /** Any frame came (at `at`, epoch ms): the link is alive. */
  heard(at: number): void;
  /** A text frame, as the protocol's frames are (UTF-8 JSON), that came at `at`. */
  text(text: string, at: number): void;
  close(): void;
  skip(kind: SkippedKind, cmd?: string): void;
}

/**
 * Opens the connection. Throws only for an address ws cannot use. A listener's fault is counted as an
 * `internal` skip; bytes (binary frames) are nobody's frame.
 */
export function openLink(url: string, handshakeTimeoutMs: number, events: LinkEvents): WebSocket {
  const ws = new WebSocket(url, {
    handshakeTimeout: handshakeTimeoutMs,
    perMessageDeflate: false,
    // The ws default is 100 MiB; a larger frame closes the socket with 1009 and we reconnect.
    maxPayload: MAX_FRAME_BYTES,
  });
  const guarded = (run: () => void) => {
    try {
      run();
    } catch {
      events.skip('internal');
    }
  };
  ws.on('open', () => guarded(() => events.open()));
  // Guarded without a closure of its own: this runs for every frame.
  ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    try {
      const at = Date.now();
      events.heard(at);
      if (isBinary || !Buffer.isBuffer(data)) return events.skip('frames', 'binary');
      events.text(data.toString('utf8'), at);
    } catch {
      events.skip('internal');
    }
  });
  ws.on('error', (error: Error & { code?: string }) => {
    // A 'close' always follows; the reconnect is decided there. After a frame ws refused (too large,
    // not UTF-8, not the protocol) the socket is ended at once rather than after ws' close handshake.
    const code = typeof error?.code === 'string' ? error.code : '';
    if (!code.startsWith('WS_ERR_')) return;
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') events.skip('oversized');
    else events.skip('frames', 'protocol');
    ws.terminate();
  });
  ws.on('close', () => guarded(() => events.close()));
  return ws;
}
