// A headless deployment as users run one on a small box: flows and a credentials file from disk, every
// secret an ${ENV} reference, no editor. The secrets must never come back out. The packed package, on
// every platform of the matrix.
import assert from 'node:assert/strict';
import { SIM_APP_ID, SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { packedInstall } from '../e2e/packed-node-red';
import { simAccount } from '../helpers/flows';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { MATRIX, PLATFORM_PREPARE_MS, PLATFORM_TITLES, type PlatformId } from '../helpers/platforms';
import { useSimulator } from '../helpers/simulator';

for (const id of MATRIX) describeHeadless(id);

function describeHeadless(id: PlatformId): void {
  describe(`headless deployment of the packed package (real Node-RED process, ${PLATFORM_TITLES[id]})`, function () {
    this.timeout(60_000);
    const ctx = useSimulator();
    let red: NodeRedProcess;
    const password = SIM_USERS.demo.password;
    let nodeVersion: string;

    before(async function () {
      this.timeout(PLATFORM_PREPARE_MS);
      const installed = await packedInstall(id);
      nodeVersion = installed.platform.nodeVersion;
      red = await startNodeRed({
        platform: installed.platform,
        packageDir: installed.packageDir,
        flows: [
          { id: 'tab', type: 'tab', label: 'headless' },
          simAccount(
            { url: '${GIZWITS_API_URL}' },
            { id: 'acct', name: 'from env', appId: '${GIZWITS_APP_ID}' },
          ).node,
          { id: 'in', type: 'http in', z: 'tab', url: '/devices', method: 'get', wires: [['api']] },
          {
            id: 'api',
            type: 'gizwits-api',
            z: 'tab',
            account: 'acct',
            operation: 'bindings.list',
            allPages: true,
            configVersion: 1,
            wires: [['out']],
          },
          { id: 'out', type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
          { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['fail']] },
          { id: 'fail', type: 'http response', z: 'tab', statusCode: '502', headers: {}, wires: [] },
        ],
        credentials: { acct: { username: '${GIZWITS_USERNAME}', password: '${GIZWITS_PASSWORD}' } },
        env: {
          GIZWITS_API_URL: ctx.sim.url,
          GIZWITS_APP_ID: SIM_APP_ID,
          GIZWITS_USERNAME: 'demo',
          GIZWITS_PASSWORD: password,
        },
      });
    });

    after(async () => {
      await red?.stop();
    });

    it('serves a flow that reaches the cloud with every secret from the environment', async () => {
      const answer = await fetch(`${red.url}/devices`);
      assert.equal(answer.status, 200, red.output());
      const devices = (await answer.json()) as Array<{ did: string }>;
      assert.match(
        red.output(),
        new RegExp(`Node\\.js\\s+version:\\s+v${nodeVersion.replace(/\./g, '\\.')}\\b`),
      );
      assert.deepEqual(devices.map((d) => d.did).sort(), Object.values(SIM_DEVICES).sort());
    });

    it('never gives a secret back in the exported flows, their credentials or the log', async () => {
      const flows = await (await fetch(`${red.url}/flows`)).text();
      assert.match(flows, /gizwits-account/);
      const creds = await (await fetch(`${red.url}/credentials/gizwits-account/acct`)).text();
      assert.match(creds, /has_password/);
      for (const [where, text] of [
        ['GET /flows', flows],
        ['GET /credentials', creds],
        ['the log', red.output()],
      ]) {
        assert.ok(!text.includes(password), `the password appears in ${where}`);
      }
    });

    it('stops cleanly within the close deadline', async () => {
      const started = Date.now();
      const code = await red.stop();
      assert.ok(Date.now() - started < 15_000);
      assert.equal(code, 0, red.output());
    });
  });
}
