// The MQTT nodes' edit dialogs in a real browser (Debian's Chromium, as test/e2e/browser.test.ts drives
// it), on the packed package in a real Node-RED: the bridge's device list filled in from the account
// through the shared pick-list script, the ticked device and the topics saved and deployed; the broker
// dialog keeps the password in a password field. On the host's Node and Node-RED 4.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SIM_DEVICES } from '../../src/simulator';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { launchChromium, type Chromium } from './chromium';
import { packedNodeRed, simAccountFlowNode, type PackedEnvironment } from './packed-node-red';
import { PLATFORM_PREPARE_MS } from '../helpers/platforms';

describe('the MQTT nodes’ edit dialogs in a browser (Node 20 · Node-RED 4)', function () {
  this.timeout(120_000);
  let env: PackedEnvironment;
  let broker: Mosquitto;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(PLATFORM_PREPARE_MS);
    [env, broker] = await Promise.all([packedNodeRed('host'), startMosquitto()]);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await broker?.stop();
  });

  it('lists the account’s devices in the bridge dialog, and saves the ticked one and the topics', async () => {
    await env.deploy([
      { id: 'mqtt-tab', type: 'tab', label: 'MQTT' },
      simAccountFlowNode(env.sim),
      { id: 'mqtt-broker', type: 'gizwits-mqtt-broker', url: broker.url, keepalive: 60, configVersion: 1 },
      {
        id: 'mqtt-bridge',
        type: 'gizwits-mqtt-bridge',
        z: 'mqtt-tab',
        account: 'gizwits-sim-account',
        broker: 'mqtt-broker',
        baseTopic: 'gizwits',
        devices: [],
        discovery: true,
        discoveryPrefix: 'homeassistant',
        commands: true,
        configVersion: 1,
        x: 200,
        y: 120,
        wires: [],
      },
    ]);
    await page.goto(env.url);
    const node = page.locator('[id="mqtt-bridge"]');
    await node.waitFor({ state: 'visible', timeout: 60_000 });
    await node.locator('.red-ui-flow-node').dblclick();
    const acTick = page.locator(`#node-input-gizwits-devices-list input[value="${SIM_DEVICES.demoAc}"]`);
    await acTick.waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(
      await page.locator('#node-input-gizwits-devices-list input').count(),
      Object.keys(SIM_DEVICES).length,
    );
    assert.equal(await acTick.isChecked(), false, 'no device ticked: every device');
    await acTick.check();
    await page.locator('#node-input-baseTopic').fill('home/gizwits');
    await page.locator('#node-input-discovery').uncheck();
    assert.equal(await page.locator('#node-input-discoveryPrefix').isVisible(), false);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-header-button-deploy').click();
    const deadline = Date.now() + 20_000;
    let saved: Record<string, unknown> | undefined;
    while (Date.now() < deadline) {
      const flows = (await (await fetch(`${env.url}/flows`)).json()) as Array<Record<string, unknown>>;
      saved = flows.find((n) => n.id === 'mqtt-bridge' && n.baseTopic === 'home/gizwits');
      if (saved) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(saved?.devices, [SIM_DEVICES.demoAc]);
    assert.equal(saved?.discovery, false);
    assert.deepEqual(pageErrors, []);
  });

  it('keeps the broker’s password in a password field, and flags a URL it cannot use', async () => {
    // Selected since the last test: Enter edits it (a double click right after a deploy can go unseen).
    await page.locator('[id="mqtt-bridge"] .red-ui-flow-node').click();
    await page.keyboard.press('Enter');
    await page.locator('#node-input-btn-broker-edit').click();
    const url = page.locator('#node-config-input-url');
    await url.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('#node-config-input-password').getAttribute('type'), 'password');
    await url.fill('http://127.0.0.1:1883');
    await url.blur();
    await page.waitForFunction(() =>
      document.querySelector('#node-config-input-url')?.classList.contains('input-error'),
    );
    await url.fill('mqtts://broker.example:8883');
    await url.blur();
    await page.waitForFunction(
      () => !document.querySelector('#node-config-input-url')?.classList.contains('input-error'),
    );
    assert.equal(await page.locator('.gizwits-mqtt-tls').isVisible(), true, 'TLS offered for mqtts://');
    assert.deepEqual(pageErrors, []);
  });
});
