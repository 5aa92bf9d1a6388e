// A real Node-RED process with gizwits-device-in flows, fed every frame and binding that once ended it
// with "Uncaught Exception": it must stay up, keep delivering a good device's changes, and show the
// device with the unusable binding on its own.
import assert from 'node:assert/strict';
import { MAX_FRAME_BYTES } from '../../src/client';
import { SIM_DEVICES, SIM_USERS } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { simAccount } from '../helpers/flows';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { useSimulator } from '../helpers/simulator';

const { demoAc, demoPlug1, demoLamp2 } = SIM_DEVICES;

/** Every frame of the issue, and more of their kind, each once. */
const BAD_FRAMES = [
  'null',
  '{"cmd":"subscribe_res","data":{"success":[null],"failed":[7]}}',
  '{"cmd":"s2c_noti","req_sn":1,"data":{"did":{"toString":1},"attrs":{}}}',
  '{"cmd":"s2c_invalid_msg","data":{"error_code":{"valueOf":1,"toString":1}}}',
  `{"cmd":"s2c_noti","data":{"did":"${demoAc}","attrs":{"__proto__":{"polluted":true}}}}`,
  '{"cmd":"s2c_raw","data":{"did":[],"raw":"x"}}',
  '{"cmd":"login_res","data":null}',
  '{"cmd":',
];

interface Seen {
  last: Record<string, { payload: Record<string, unknown>; at: number }>;
  status: Record<string, { fill?: string; shape?: string; text?: string }>;
}

describe('hostile network (real Node-RED process)', function () {
  this.timeout(90_000);
  const ctx = useSimulator();
  let red: NodeRedProcess | undefined;

  after(async () => {
    await red?.stop();
  });

  async function seen(): Promise<Seen> {
    const answer = await fetch(`${red!.url}/seen`);
    assert.equal(answer.status, 200, red!.output());
    return (await answer.json()) as Seen;
  }

  it('survives every bad frame and binding; good devices go on, the bad one says so', async () => {
    const sim = ctx.sim;
    // From the first load on, the plug's binding names a port no socket can have.
    sim.faults.corruptBinding(demoPlug1, { ws_port: 99999 });
    red = await startNodeRed({
      flows: [
        { id: 'tab', type: 'tab', label: 'hostile' },
        simAccount(sim, { id: 'acct', name: undefined }).node,
        ...[
          ['in-good', demoAc],
          ['in-bad', demoPlug1],
          ['in-sandbox', demoLamp2],
        ].map(([id, did]) => ({
          id,
          type: 'gizwits-device-in',
          z: 'tab',
          account: 'acct',
          devices: [did],
          attrs: [],
          events: ['status'],
          onlyChanged: false,
          initial: true,
          configVersion: 1,
          wires: [['keep-last']],
        })),
        {
          id: 'keep-last',
          type: 'function',
          z: 'tab',
          func: "const last = flow.get('last') || {}; last[msg.did] = { payload: msg.payload, at: Date.now() }; flow.set('last', last); return null;",
          outputs: 0,
          wires: [],
        },
        {
          id: 'st',
          type: 'status',
          z: 'tab',
          scope: ['in-good', 'in-bad', 'in-sandbox'],
          wires: [['keep-status']],
        },
        {
          id: 'keep-status',
          type: 'function',
          z: 'tab',
          func: "const all = flow.get('status') || {}; all[msg.status.source.id] = msg.status; flow.set('status', all); return null;",
          outputs: 0,
          wires: [],
        },
        { id: 'seen-in', type: 'http in', z: 'tab', url: '/seen', method: 'get', wires: [['seen-answer']] },
        {
          id: 'seen-answer',
          type: 'function',
          z: 'tab',
          func: "msg.payload = { last: flow.get('last') || {}, status: flow.get('status') || {} }; return msg;",
          outputs: 1,
          wires: [['seen-out']],
        },
        { id: 'seen-out', type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
      ],
      credentials: { acct: { username: 'demo', password: SIM_USERS.demo.password } },
      settings: { gizwits: { backoffBaseMs: 50, backoffCapMs: 500, stableMs: 500 } },
    });

    // Every device's state arrives, the bad one's over REST.
    let current: Seen = { last: {}, status: {} };
    const poll = async (check: (s: Seen) => boolean, ms = 10_000) => {
      const end = Date.now() + ms;
      for (;;) {
        current = await seen();
        if (check(current)) return current;
        if (Date.now() > end)
          assert.fail(`not seen in ${ms} ms: ${JSON.stringify(current)}\n${red!.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await poll((s) => [demoAc, demoPlug1, demoLamp2].every((did) => s.last[did]));
    await poll((s) => /without websocket address/.test(s.status['in-bad']?.text ?? ''));
    assert.equal(current.status['in-bad'].fill, 'red');
    assert.match(
      red.output(),
      new RegExp(
        `Gizwits device ${demoPlug1}: its binding gives no usable websocket address \\(bad ws_port\\)`,
      ),
    );

    // A host that is no host name: taken when the bindings are read again after the reconnect below.
    sim.faults.corruptBinding(demoLamp2, { host: 'bad host/../x' });

    const logins = sim.ws.logins;
    for (const frame of BAD_FRAMES) sim.faults.sendRawFrame(frame);
    sim.faults.sendRawFrame('{"cmd":"s2c_noti"}', undefined, { binary: true });
    sim.faults.sendRawFrame(`{"cmd":"pong","pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`);
    // The oversized frame ends the socket: back online means logged in again.
    await waitFor(() => sim.ws.logins > logins && sim.ws.openSockets('main') === 1, 10_000);

    // A real change of the good device still arrives.
    const device = sim.model.devices.get(demoAc)!;
    const value = device.values.get('set_temp') === 20 ? 21 : 20;
    const before = Date.now();
    sim.model.reportFromDevice(demoAc, new Map([['set_temp', value]]));
    await poll((s) => s.last[demoAc].at >= before && s.last[demoAc].payload.set_temp === value);
    await poll((s) => /without websocket address/.test(s.status['in-sandbox']?.text ?? ''));
    assert.match(current.status['in-bad'].text ?? '', /without websocket address/);
    assert.match(current.status['in-good'].text ?? '', /1\/1 online/);

    const output = red.output();
    assert.doesNotMatch(output, /Uncaught Exception|unhandled/i, output);
    assert.match(output, /skipped 1 malformed frame\(s\) since the last warning/);
    assert.match(output, /over 524288 bytes/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const started = Date.now();
    assert.equal(await red.stop(), 0, output);
    red = undefined;
    assert.ok(Date.now() - started < 15_000);
  });
});
