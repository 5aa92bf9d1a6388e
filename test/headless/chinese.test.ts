// A runtime set to Chinese (settings.lang "zh-CN", as a Chinese user's box would be): the errors a Catch
// node receives are worded from the package's zh-CN catalogue, codes and names kept, not in English.
import assert from 'node:assert/strict';
import { SIM_APP_ID, SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { simAccount } from '../helpers/flows';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { useSimulator } from '../helpers/simulator';

describe('a Node-RED runtime in Chinese (real Node-RED process, lang zh-CN)', function () {
  this.timeout(60_000);
  const ctx = useSimulator();
  let red: NodeRedProcess;

  /** POST /control/<did> {values} → gizwits-device-control (REST); a failure answers 400 with its message. */
  before(async () => {
    red = await startNodeRed({
      settings: { lang: 'zh-CN' },
      flows: [
        { id: 'tab', type: 'tab', label: 'zh' },
        simAccount(ctx.sim, { id: 'acct' }).node,
        { id: 'zh-in', type: 'http in', z: 'tab', url: '/control/:did', method: 'post', wires: [['zh-did']] },
        {
          id: 'zh-did',
          type: 'change',
          z: 'tab',
          rules: [{ t: 'set', p: 'did', pt: 'msg', to: 'req.params.did', tot: 'msg' }],
          wires: [['zh-control']],
        },
        {
          id: 'zh-control',
          type: 'gizwits-device-control',
          z: 'tab',
          account: 'acct',
          device: '',
          transport: 'rest',
          confirm: false,
          timeout: 5,
          configVersion: 1,
          wires: [['zh-ok']],
        },
        { id: 'zh-ok', type: 'http response', z: 'tab', statusCode: '200', headers: {}, wires: [] },
        { id: 'zh-catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['zh-why']] },
        {
          id: 'zh-why',
          type: 'change',
          z: 'tab',
          rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }],
          wires: [['zh-fail']],
        },
        { id: 'zh-fail', type: 'http response', z: 'tab', statusCode: '400', headers: {}, wires: [] },
      ],
      credentials: { acct: { username: SIM_USERS.demo.username, password: SIM_USERS.demo.password } },
    });
  });

  after(async () => {
    await red?.stop();
  });

  const control = async (did: string, values: unknown) => {
    const answer = await fetch(`${red.url}/control/${did}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(values),
    });
    return { status: answer.status, text: await answer.text() };
  };

  it('words a refused value in Chinese, naming the data point and the value', async () => {
    const { status, text } = await control(SIM_DEVICES.demoPlug1, { switch: 'yes' });
    assert.equal(status, 400, red.output());
    assert.match(text, /[\u4e00-\u9fff]/, `not Chinese: ${text}`);
    assert.match(text, /switch/);
    assert.match(text, /"yes"/);
    assert.doesNotMatch(text, /takes true or false/);
  });

  it('words a cloud refusal in Chinese, keeping its code and name', async () => {
    const { status, text } = await control(SIM_DEVICES.demoPlug2Offline, { switch: true });
    assert.equal(status, 400, red.output());
    assert.match(text, /9042 GIZ_OPENAPI_DEVICE_OFFLINE/);
    assert.match(text, /设备不在线/);
  });

  it('answers the dialog’s Test sign-in in Chinese, without the password typed', async () => {
    const answer = await fetch(`${red.url}/gizwits/account/login-test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        config: {
          region: 'custom',
          apiUrl: ctx.sim.url,
          appId: SIM_APP_ID,
          authMode: 'password',
          secure: false,
        },
        credentials: { username: SIM_USERS.demo.username, password: 'Not-The-Pass-77' },
      }),
    });
    const body = (await answer.json()) as { ok: boolean; code: number; message: string };
    assert.equal(answer.status, 400);
    assert.equal(body.code, 9020);
    assert.match(body.message, /9020 GIZ_OPENAPI_USERNAME_PASSWORD_ERROR/);
    assert.match(body.message, /请检查 gizwits-account 节点的用户名和密码/);
    assert.ok(!JSON.stringify(body).includes('Not-The-Pass-77'));
  });

  it('still writes a good value', async () => {
    const { status } = await control(SIM_DEVICES.demoPlug1, { countdown: 42 });
    assert.equal(status, 200, red.output());
  });
});
