// LAN control in the editor, in a real browser (Debian's Chromium, as test/e2e/browser.test.ts drives it)
// on the packed package in a real Node-RED whose simulator's devices also speak LAN (docs/lan.md §7):
// the account dialog's "Discover on LAN" lists every device with did, MAC, product key and IP and never
// a passcode; a device pick-list then marks the devices seen on the LAN and the `lan` transport is
// offered. On the host's Node and Node-RED 4.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SIM_DEVICES } from '../../src/simulator';
import { launchChromium, listNeverCame, type Chromium } from './chromium';
import { SIM_ACCOUNT_ID, packedNodeRed, simAccountFlowNode, type PackedEnvironment } from './packed-node-red';
import { PLATFORM_PREPARE_MS } from '../helpers/platforms';

const DIDS = Object.values(SIM_DEVICES);

describe('LAN control in the editor, in a browser (Node 20 · Node-RED 4)', function () {
  this.timeout(120_000);
  let env: PackedEnvironment;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(PLATFORM_PREPARE_MS);
    env = await packedNodeRed('host');
    assert.ok(env.sim.lan, 'the packed environment’s simulator speaks LAN');
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
  });

  /** The device control node's dialog, open once its device pick-list has every device. */
  async function openControl(): Promise<void> {
    await page.locator('[id="lan-control"] .red-ui-flow-node').dblclick();
    const options = page.locator('#node-input-gizwits-device-list option[value]:not([value=""])');
    await options
      .nth(DIDS.length - 1)
      .waitFor({ state: 'attached', timeout: 20_000 })
      .catch(async (error: Error) => {
        throw await listNeverCame(error, page, '#node-input-gizwits-device-status', env);
      });
  }

  it('lists the devices Discover on LAN finds, without a passcode, and marks them in a pick-list', async () => {
    const lan = env.sim.lan!;
    await env.deploy([
      { id: 'lan-tab', type: 'tab', label: 'LAN' },
      // lan "off": the runtime looks for nothing itself, so only the dialog's discovery marks the devices.
      { ...simAccountFlowNode(env.sim), lan: 'off', lanTargets: `127.0.0.1:${lan.udpPort}` },
      {
        id: 'lan-control',
        type: 'gizwits-device-control',
        z: 'lan-tab',
        account: SIM_ACCOUNT_ID,
        device: '',
        attr: '',
        transport: 'auto',
        x: 200,
        y: 120,
        wires: [[]],
      },
    ]);
    await page.goto(env.url);
    await page.locator('[id="lan-control"]').waitFor({ state: 'visible', timeout: 60_000 });
    await openControl();
    const marked = page.locator('#node-input-gizwits-device-list option', { hasText: 'on LAN' });
    assert.equal(await marked.count(), 0, 'nothing marked before a discovery');

    await page.locator('#node-input-lookup-account, #node-input-btn-account-edit').first().click();
    const discover = page.locator('#node-config-gizwits-lan-discover');
    await discover.waitFor({ state: 'visible', timeout: 10_000 });
    await discover.click();
    await page
      .locator('#node-config-gizwits-lan-result')
      .filter({ hasText: `${DIDS.length} found` })
      .waitFor({ timeout: 20_000 });
    const rows = await page.locator('#node-config-gizwits-lan-list li').allInnerTexts();
    assert.equal(rows.length, DIDS.length);
    for (const did of DIDS) {
      const { device, host } = lan.device(did);
      const row = rows.find((text) => text.startsWith(did));
      assert.equal(row, `${did} · MAC ${device.mac} · product ${device.product.product_key} · ${host}`);
    }
    const html = await page.content();
    for (const did of DIDS)
      assert.ok(!html.includes(lan.device(did).device.passcode), `no passcode of ${did} in the page`);

    // Back to the device control dialog, unchanged; opened again, its pick-list asks the account anew.
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-gizwits-lan-discover').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await openControl();
    await marked.nth(DIDS.length - 1).waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await marked.count(), DIDS.length, 'every device marked as seen on the LAN');
    assert.equal(await page.locator('#node-input-transport option[value="lan"]').count(), 1);
    await page.locator('#node-input-transport').selectOption('lan');
    assert.equal(await page.locator('#node-input-transport').inputValue(), 'lan');
    assert.ok(!(await page.content()).includes(lan.device(DIDS[0]).device.passcode));
    await page.locator('#node-dialog-cancel').click();
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(browser.outside, [], 'requests outside 127.0.0.1');
  });
});
