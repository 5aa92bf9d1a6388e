// Node-RED embedded in this process through its public API, started one way for the bench and the soak.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import RED from 'node-red';
import { redSettings } from './red-settings';

export interface EmbeddedNodeRed {
  version: string;
  events: NodeJS.EventEmitter;
  stop(): Promise<void>;
}

/**
 * Node-RED 4 in this process through its public API, on a loopback port of the OS's choosing, in a fresh
 * user directory named after `prefix`; resolves once its first (empty) flows have started, so that the
 * next 'flows:started' is the first deploy's own. `settings` come on top of redSettings().
 */
export async function startEmbeddedNodeRed(
  prefix: string,
  settings: Record<string, unknown>,
): Promise<EmbeddedNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const server = http.createServer();
  RED.init(
    server,
    redSettings({ uiPort: 0, userDir, ...settings }) as unknown as Parameters<typeof RED.init>[1],
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const events = RED.events as unknown as NodeJS.EventEmitter;
  const firstStart = flowsStarted(events);
  await RED.start();
  await firstStart;
  const manifest = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    version: manifest.version,
    events,
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** The next 'flows:started' of the runtime's event bus. */
export function flowsStarted(events: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off('flows:started', done);
      reject(new Error('the flows did not start within 30 s'));
    }, 30_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    events.once('flows:started', done);
  });
}
