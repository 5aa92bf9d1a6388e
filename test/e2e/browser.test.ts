// The editor in a real browser (Debian's Chromium driven by playwright-core; nothing downloads a browser):
// find the gizwits palette, drag a device control node onto the canvas, choose a device and a data point
// from the pick-lists the account fills in, wire an inject node to it, deploy, press the inject button,
// and see the simulated lamp change, on every platform of the matrix with one browser for them all.
// Screenshots of each step are kept in test-artifacts/editor/<platform>/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import {
  ROOT,
  SIM_ACCOUNT_ID,
  packedNodeRed,
  simAccountFlowNode,
  type PackedEnvironment,
} from './packed-node-red';
import { launchChromium, listNeverCame, type Chromium } from './chromium';
import { MATRIX, PLATFORM_PREPARE_MS, PLATFORM_TITLES, type PlatformId } from '../helpers/platforms';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'editor');
const LAMP = SIM_DEVICES.demoLamp1;

describe('the editor in a browser: device control from the palette to the device', function () {
  let browser: Chromium | undefined;

  before(async function () {
    this.timeout(60_000);
    browser = await launchChromium(['--disable-quic', '--disable-component-update', '--disable-sync']);
  });

  after(async () => {
    await browser?.close();
  });

  for (const id of MATRIX) describeEditor(id, () => browser!.context);

  // Mocha runs a describe's own tests before its nested ones: this one comes after every platform's.
  describe('after every platform', () => {
    it('reached nothing outside 127.0.0.1 in all of the above', () => {
      assert.ok(browser, 'the browser ran');
      assert.deepEqual(browser.outside, [], 'requests outside 127.0.0.1');
    });
  });
});

/** The editor of the platform's Node-RED, in a page of its own of the shared browser. */
function describeEditor(id: PlatformId, browser: () => BrowserContext): void {
  describe(`on ${PLATFORM_TITLES[id]}`, function () {
    this.timeout(180_000);
    const artifacts = path.join(ARTIFACTS, id);
    let env: PackedEnvironment;
    let context: BrowserContext;
    let page: Page;
    let step = 0;

    async function shot(name: string): Promise<void> {
      step += 1;
      await page.screenshot({ path: path.join(artifacts, `${String(step).padStart(2, '0')}-${name}.png`) });
    }

    async function lampBrightness(): Promise<unknown> {
      const answer = await fetch(`${env.sim.url}/_sim/devices/${LAMP}`);
      return ((await answer.json()) as { attrs: Record<string, unknown> }).attrs.brightness;
    }

    /** The deployed node that `match` finds, once the editor's deploy has reached the runtime. */
    async function deployedNode(
      match: (n: Record<string, unknown>) => boolean,
    ): Promise<Record<string, unknown> | undefined> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const flows = (await (await fetch(`${env.url}/flows`)).json()) as Array<Record<string, unknown>>;
        const found = flows.find(match);
        if (found || Date.now() > deadline) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** Presses at the middle of `from` and lets go at the middle of `to`, moving like a hand would. */
    async function drag(from: Locator, to: { x: number; y: number } | Locator): Promise<void> {
      const start = await from.boundingBox();
      assert.ok(start, 'the drag source is on screen');
      const end =
        'boundingBox' in to
          ? await to
              .boundingBox()
              .then((b) => (b ? { x: b.x + b.width / 2, y: b.y + b.height / 2 } : undefined))
          : to;
      assert.ok(end, 'the drop target is on screen');
      await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
      await page.mouse.down();
      await page.mouse.move(start.x + start.width / 2 + 10, start.y + start.height / 2 + 5, { steps: 3 });
      await page.mouse.move(end.x, end.y, { steps: 15 });
      await page.mouse.up();
    }

    before(async function () {
      this.timeout(PLATFORM_PREPARE_MS);
      env = await packedNodeRed(id);
      fs.rmSync(artifacts, { recursive: true, force: true });
      fs.mkdirSync(artifacts, { recursive: true });
      context = browser();
      page = await context.newPage();
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && page) await shot('failure').catch(() => undefined);
    });

    after(async () => {
      await page?.close();
    });

    it('writes the value an inject node sends to the data point chosen from the pick-lists', async () => {
      const value = 10 + Math.floor(Math.random() * 80);
      await fetch(`${env.sim.url}/_sim/devices/${LAMP}/report`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ attrs: { brightness: value === 50 ? 51 : 50 } }),
      });
      assert.notEqual(await lampBrightness(), value);
      await env.deploy([
        { id: 'browser-tab', type: 'tab', label: 'Browser test' },
        simAccountFlowNode(env.sim),
        {
          id: 'browser-inject',
          type: 'inject',
          z: 'browser-tab',
          name: `brightness ${value}`,
          props: [{ p: 'payload' }],
          payload: String(value),
          payloadType: 'num',
          repeat: '',
          once: false,
          x: 160,
          y: 120,
          wires: [[]],
        },
      ]);

      await page.goto(env.url);
      const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="gizwits-device-control"]');
      await paletteNode.waitFor({ state: 'visible', timeout: 60_000 });
      await paletteNode.scrollIntoViewIfNeeded();
      assert.match(
        (
          await page
            .locator('#red-ui-palette-gizwits, [id^="red-ui-palette-base-category-gizwits"]')
            .first()
            .innerText()
        ).toLowerCase(),
        /device control/,
        'the gizwits palette category lists device control',
      );
      await shot('palette');

      const inject = page.locator('[id="browser-inject"]');
      await inject.waitFor({ state: 'visible' });
      const injectBox = await inject.boundingBox();
      assert.ok(injectBox);
      await drag(paletteNode, { x: injectBox.x + 360, y: injectBox.y + injectBox.height / 2 });
      const controlId = await page.evaluate(() => {
        const found: Array<{ id: string }> = [];
        (
          window as unknown as {
            RED: { nodes: { eachNode(cb: (n: { id: string; type: string }) => void): void } };
          }
        ).RED.nodes.eachNode((n) => {
          if (n.type === 'gizwits-device-control') found.push(n);
        });
        return found.map((n) => n.id);
      });
      assert.equal(controlId.length, 1, 'one device control node on the canvas');
      const control = page.locator(`[id="${controlId[0]}"]`);
      await control.waitFor({ state: 'visible' });
      await shot('dropped');

      await control.locator('.red-ui-flow-node').dblclick();
      await page
        .locator('#node-input-account option[value="gizwits-sim-account"]')
        .waitFor({ state: 'attached' });
      // The only account there is, chosen already.
      assert.equal(await page.locator('#node-input-account').inputValue(), 'gizwits-sim-account');
      const deviceList = page.locator('#node-input-gizwits-device-list');
      await page.locator(`#node-input-gizwits-device-list option[value="${LAMP}"]`).waitFor({
        state: 'attached',
        timeout: 20_000,
      });
      assert.match(
        await page.locator(`#node-input-gizwits-device-list option[value="${LAMP}"]`).innerText(),
        /卧室彩灯/,
      );
      await deviceList.selectOption(LAMP);
      const attrList = page.locator('#node-input-gizwits-attr-list');
      await page.locator('#node-input-gizwits-attr-list option[value="brightness"]').waitFor({
        state: 'attached',
        timeout: 20_000,
      });
      await attrList.selectOption('brightness');
      assert.equal(await page.locator('#node-input-attr').inputValue(), 'brightness');
      assert.match(await page.locator('#node-input-gizwits-attr-info').innerText(), /uint8 0…100/);
      await shot('dialog-with-pick-lists');
      await page.locator('#node-dialog-ok').click();
      await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });

      await drag(
        inject.locator('.red-ui-flow-port-output .red-ui-flow-port'),
        control.locator('.red-ui-flow-port-input .red-ui-flow-port'),
      );
      const wired = await page.evaluate(
        (id) =>
          (
            window as unknown as {
              RED: {
                nodes: { filterLinks(f: { source: { id: string } }): Array<{ target: { id: string } }> };
              };
            }
          ).RED.nodes
            .filterLinks({ source: { id: 'browser-inject' } })
            .map((l) => l.target.id)
            .includes(id),
        controlId[0],
      );
      assert.ok(wired, 'the inject node is wired to the device control node');
      await shot('wired');

      await page.locator('#red-ui-header-button-deploy').click();
      const saved = await deployedNode((n) => n.type === 'gizwits-device-control');
      assert.ok(saved, 'the device control node was deployed');
      assert.equal(saved.device, LAMP);
      assert.equal(saved.attr, 'brightness');
      assert.equal(saved.account, 'gizwits-sim-account');

      await inject.locator('.red-ui-flow-node-button').click();
      const deadline = Date.now() + 15_000;
      while ((await lampBrightness()) !== value) {
        assert.ok(Date.now() < deadline, `the lamp's brightness did not become ${value}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await control
        .locator('.red-ui-flow-node-status-label')
        .filter({ hasText: /written/ })
        .waitFor({ timeout: 10_000 });
      await shot('device-changed');
    });
    it('lists devices and their data points as ticks in the device in dialog, and saves the ticked ones', async () => {
      await env.deploy([
        { id: 'browser-tab', type: 'tab', label: 'Browser test' },
        simAccountFlowNode(env.sim),
        {
          id: 'browser-in',
          type: 'gizwits-device-in',
          z: 'browser-tab',
          account: 'gizwits-sim-account',
          devices: [SIM_DEVICES.demoAc],
          attrs: [],
          events: ['status'],
          onlyChanged: true,
          initial: false,
          configVersion: 1,
          x: 200,
          y: 120,
          wires: [[]],
        },
      ]);
      await page.goto(env.url);
      const node = page.locator('[id="browser-in"]');
      await node.waitFor({ state: 'visible', timeout: 60_000 });
      await node.locator('.red-ui-flow-node').dblclick();
      const acTick = page.locator(`#node-input-gizwits-devices-list input[value="${SIM_DEVICES.demoAc}"]`);
      await acTick.waitFor({ state: 'attached', timeout: 20_000 }).catch(async (error: Error) => {
        throw await listNeverCame(error, page, '#node-input-gizwits-devices-status', env);
      });
      assert.ok(await acTick.isChecked(), 'the configured device is ticked');
      assert.equal(
        await page.locator('#node-input-gizwits-devices-list input').count(),
        Object.keys(SIM_DEVICES).length,
      );
      const roomTemp = page.locator('#node-input-gizwits-attrs-list input[value="room_temp"]');
      await roomTemp.waitFor({ state: 'attached', timeout: 20_000 });
      assert.equal(
        await page.locator('#node-input-gizwits-attrs-list input[value="brightness"]').count(),
        0,
        "only the chosen device's data points",
      );
      await roomTemp.check();
      assert.equal(await page.locator('#node-input-gizwits-attrs').inputValue(), 'room_temp');
      await page.locator('#node-input-gizwits-event-online').check();
      await shot('device-in-dialog');
      await page.locator('#node-dialog-ok').click();
      await page.locator('#red-ui-header-button-deploy').click();
      const saved = await deployedNode(
        (n) => n.id === 'browser-in' && Array.isArray(n.attrs) && n.attrs.length > 0,
      );
      assert.deepEqual(saved?.devices, [SIM_DEVICES.demoAc]);
      assert.deepEqual(saved?.attrs, ['room_temp']);
      assert.deepEqual(saved?.events, ['status', 'online']);
    });

    it('tests the deployed account by id, and asks for the password again once the dialog differs', async () => {
      await page.goto(env.url);
      await page.locator('[id="browser-in"]').waitFor({ state: 'visible', timeout: 60_000 });
      await page.evaluate((id) => {
        const red = (window as unknown as { RED: { editor: { editConfig: (...a: string[]) => void } } }).RED;
        red.editor.editConfig('', 'gizwits-account', id);
      }, SIM_ACCOUNT_ID);
      const test = page.locator('#node-config-gizwits-test');
      const result = page.locator('#node-config-gizwits-test-result');
      await test.waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('#node-config-input-password').waitFor({ state: 'attached' });
      await test.click();
      await page.locator('#node-config-gizwits-test-result.gizwits-ok').waitFor({ timeout: 20_000 });
      assert.match(await result.innerText(), new RegExp(SIM_USERS.demo.uid));
      // Another name: no longer the deployed account, and the password still shows the placeholder.
      await page.locator('#node-config-input-name').fill('Simulated cloud, renamed');
      await test.click();
      await page.locator('#node-config-gizwits-test-result.gizwits-fail').waitFor({ timeout: 20_000 });
      assert.match(await result.innerText(), /Type the Password again/);
      await page.locator('#node-config-input-password').fill(SIM_USERS.demo.password);
      await test.click();
      await page.locator('#node-config-gizwits-test-result.gizwits-ok').waitFor({ timeout: 20_000 });
      await shot('account-test-sign-in');
      // A result made with other values is gone as soon as one changes; a Gizwits region turns TLS on.
      const secure = page.locator('#node-config-input-secure');
      assert.equal(await secure.isChecked(), false, 'the simulator account is on plain ws');
      await page.locator('#node-config-input-region').selectOption('eu');
      assert.equal(await result.innerText(), '', 'the result is cleared');
      assert.equal(await secure.isChecked(), true, 'Use TLS is on for a Gizwits region');
      await page.locator('#node-config-input-region').selectOption('custom');
      await test.click();
      await page.locator('#node-config-gizwits-test-result.gizwits-ok').waitFor({ timeout: 20_000 });
      await page.locator('#node-config-input-appId').fill('0000');
      assert.equal(await result.innerText(), '', 'the result is cleared when the AppID changes');
      await page.locator('#node-config-dialog-cancel').click();
    });

    it('shows the edit dialog and the help in Chinese to a Chinese browser', async () => {
      const zh = await context.newPage();
      try {
        await zh.addInitScript(() => window.localStorage.setItem('editor-language', 'zh-CN'));
        await zh.setViewportSize({ width: 1400, height: 900 });
        await zh.goto(env.url);
        const node = zh.locator('[id="browser-in"]');
        await node.waitFor({ state: 'visible', timeout: 60_000 });
        await node.locator('.red-ui-flow-node').dblclick();
        await zh
          .locator('#node-input-gizwits-devices-list input')
          .first()
          .waitFor({ state: 'attached', timeout: 20_000 });
        assert.match(await zh.locator('label[for="node-input-gizwits-attrs"]').innerText(), /数据点/);
        assert.match(await zh.locator('#node-input-gizwits-devices-list').innerText(), /在线/);
        await zh.locator('#node-dialog-cancel').click();
        await node.locator('.red-ui-flow-node').click();
        // The help tab's button: a tab link in Node-RED 4, a button of the sidebar's tab bar in Node-RED 5.
        await zh.locator('#red-ui-tab-help-link-button, button[data-tab-id="help"]').first().click();
        await zh.locator('.red-ui-help h3', { hasText: '输出' }).first().waitFor({ timeout: 10_000 });
        // Test sign-in answers in the runtime's language (English here), with no Chinese word put before it.
        await zh.evaluate((id) => {
          const red = (window as unknown as { RED: { editor: { editConfig: (...a: string[]) => void } } })
            .RED;
          red.editor.editConfig('', 'gizwits-account', id);
        }, SIM_ACCOUNT_ID);
        await zh.locator('#node-config-input-password').waitFor({ state: 'visible', timeout: 20_000 });
        await zh.locator('#node-config-input-password').fill('not-the-password');
        await zh.locator('#node-config-gizwits-test').click();
        const failed = zh.locator('#node-config-gizwits-test-result.gizwits-fail');
        await failed.waitFor({ timeout: 20_000 });
        const answer = await failed.innerText();
        assert.match(answer, /^✗ [^\u4e00-\u9fff]+$/, `one language: ${answer}`);
        await zh.locator('#node-config-dialog-cancel').click();
        step += 1;
        await zh.screenshot({
          path: path.join(artifacts, `${String(step).padStart(2, '0')}-zh-CN-help.png`),
        });
      } finally {
        // The language is kept in the profile's storage: the other tests' pages speak English.
        await zh.evaluate(() => window.localStorage.removeItem('editor-language')).catch(() => undefined);
        await zh.close();
      }
    });

    it('marks a value the data point refuses in the dialog, with the reason on hover, before Done and Deploy', async () => {
      await env.deploy([
        { id: 'browser-tab', type: 'tab', label: 'Browser test' },
        simAccountFlowNode(env.sim),
        {
          id: 'browser-check',
          type: 'gizwits-device-control',
          z: 'browser-tab',
          name: 'lamp brightness',
          account: SIM_ACCOUNT_ID,
          device: LAMP,
          deviceType: 'str',
          attr: 'brightness',
          value: '150',
          valueType: 'num',
          transport: 'auto',
          confirm: false,
          timeout: 10,
          configVersion: 1,
          x: 200,
          y: 120,
          wires: [[]],
        },
        {
          id: 'browser-schedule',
          type: 'gizwits-scheduler',
          z: 'browser-tab',
          name: 'lamp schedule',
          account: SIM_ACCOUNT_ID,
          target: 'device',
          targetId: LAMP,
          action: 'sync',
          timezone: 'Asia/Shanghai',
          schedules: JSON.stringify([
            { remark: 'evening', time: '19:00', repeat: 'mon', attrs: { brightness: 55.5 } },
          ]),
          prune: false,
          followDst: true,
          configVersion: 2,
          x: 200,
          y: 200,
          wires: [[]],
        },
      ]);
      await page.goto(env.url);
      const node = page.locator('[id="browser-check"]');
      await node.waitFor({ state: 'visible', timeout: 60_000 });
      // On the canvas: the saved value is marked as soon as the lamp's data points are known.
      const valid = (id: string) =>
        page.evaluate(
          (nodeId) =>
            (
              window as unknown as { RED: { nodes: { node(id: string): { valid: boolean } } } }
            ).RED.nodes.node(nodeId).valid,
          id,
        );
      await page.waitForFunction(
        () =>
          (window as unknown as { RED: { nodes: { node(id: string): { valid: boolean } } } }).RED.nodes.node(
            'browser-check',
          ).valid === false,
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        () =>
          (window as unknown as { RED: { nodes: { node(id: string): { valid: boolean } } } }).RED.nodes.node(
            'browser-schedule',
          ).valid === false,
        undefined,
        { timeout: 20_000 },
      );

      await node.locator('.red-ui-flow-node').dblclick();
      const value = page.locator('#node-input-value');
      const box = value.locator(
        'xpath=following-sibling::div[contains(@class,"red-ui-typedInput-container")]',
      );
      await page.locator('#node-input-gizwits-attr-list option[value="brightness"]').waitFor({
        state: 'attached',
        timeout: 20_000,
      });
      await page.locator('.red-ui-typedInput-container.input-error').first().waitFor({ timeout: 10_000 });
      assert.ok(
        await box.evaluate((el) => el.classList.contains('input-error')),
        'the value has a red border',
      );
      await box.hover();
      const tip = page.locator('.red-ui-popover', { hasText: /brightness 150 > 100/ });
      await tip.waitFor({ state: 'visible', timeout: 10_000 });
      await shot('value-out-of-range');
      // What a user types into the typed input's box.
      const text = box.locator('input.red-ui-typedInput-input');
      const type = async (v: string) => {
        await text.fill(v);
        await text.dispatchEvent('change');
        await page.mouse.move(5, 5);
      };

      // Off the step, then fine.
      await type('12.5');
      await box.hover();
      await page.locator('.red-ui-popover', { hasText: /between steps/ }).waitFor({ timeout: 10_000 });
      // An enum label the product does not have.
      const typed = (type: string) =>
        page.evaluate((t) => {
          (window as unknown as { $: (s: string) => { typedInput(a: string, b: string): void } })
            .$('#node-input-value')
            .typedInput('type', t);
        }, type);
      await page.locator('#node-input-attr').fill('mode');
      await page.locator('#node-input-attr').dispatchEvent('change');
      await typed('str');
      await type('彩虹');
      await box.hover();
      await page
        .locator('.red-ui-popover', {
          hasText: /mode takes one of 0 常亮, 1 呼吸, 2 闪烁, 3 渐变; not "彩虹"/,
        })
        .waitFor({ timeout: 10_000 });
      await page.locator('#node-input-attr').fill('brightness');
      await page.locator('#node-input-attr').dispatchEvent('change');
      await typed('num');
      await type('60');
      await page.waitForFunction(
        () => !document.querySelector('#node-input-value + .red-ui-typedInput-container.input-error'),
        undefined,
        { timeout: 10_000 },
      );
      await page.locator('#node-dialog-ok').click();
      await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
      assert.equal(await valid('browser-check'), true, 'valid once the value fits');
      assert.equal(await valid('browser-schedule'), false, 'the scheduler task off the step is marked');

      // A task off the data point's step, in the scheduler's declared tasks: named in the dialog.
      const schedule = page.locator('[id="browser-schedule"]');
      await schedule.locator('.red-ui-flow-node').dblclick();
      await page.locator('#node-input-schedules').waitFor({ state: 'attached' });
      await page
        .locator('#node-input-schedules + .red-ui-typedInput-container.input-error')
        .waitFor({ timeout: 10_000 });
      await page.locator('#node-input-schedules + .red-ui-typedInput-container').hover();
      await page.locator('.red-ui-popover', { hasText: /task 1 \(evening\): brightness 55.5/ }).waitFor({
        timeout: 10_000,
      });
      await shot('schedule-value-checked');
      await page.locator('#node-dialog-cancel').click();
    });
  });
}
