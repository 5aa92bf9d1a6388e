// Debian's Chromium for the editor checks, driven by playwright-core (nothing downloads a browser):
// headless, in a throwaway profile, and every request it makes outside 127.0.0.1 noted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Simulator } from '../../src/simulator';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Chromium {
  context: BrowserContext;
  /** Every URL it requested outside 127.0.0.1 (data:, blob: and about: are not requests out). */
  outside: string[];
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Chromium> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gizwits-chromium-'));
  const outside: string[] = [];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      locale: 'en-US',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        ...extraArgs,
      ],
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.on('request', (request) => {
    if (
      !/^(https?|wss?):\/\/127\.0\.0\.1[:/]/.test(request.url()) &&
      !/^(data|blob|about):/.test(request.url())
    )
      outside.push(request.url());
  });
  return {
    context,
    outside,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The error for a pick-list that never filled: the wait's own message, what the list's status line said,
 * the simulator's last answers, which tell a failure before the simulator (nothing arrived) from one
 * after it, and the runtime's log lines of this package (an editor request that got no answer says there
 * which way it failed).
 */
export async function listNeverCame(
  error: Error,
  page: Page,
  statusSelector: string,
  env: { sim: Pick<Simulator, 'calls'>; output(): string },
): Promise<Error> {
  const status = await page
    .locator(statusSelector)
    .innerText({ timeout: 1000 })
    .catch(() => '(no edit dialog open)');
  const lastCalls = env.sim.calls
    .slice(-6)
    .map((call) => `${new Date(call.at).toISOString()} ${call.method} ${call.path} → ${call.status}`)
    .join('\n');
  const logged = env
    .output()
    .split('\n')
    .filter((line) => line.includes('[gizwits]'))
    .slice(-6)
    .join('\n');
  return new Error(
    `${error.message}\nthe list says: ${status}\nthe simulator's last calls:\n${lastCalls}` +
      `\nthe runtime's last [gizwits] log lines:\n${logged || '(none)'}`,
  );
}
