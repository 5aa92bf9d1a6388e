import assert from 'node:assert/strict';
import { SIM_DEVICES, SIM_GROUPS, SIM_PRODUCTS, SIM_SCENES, type Simulator } from '../../src/simulator';
import { waitFor } from '../helpers/live';
import { call, callOk, sleep, useSignedIn } from './helpers';

const AC_PK = SIM_PRODUCTS.airConditioner.product_key;
const PLUG_PK = SIM_PRODUCTS.plug.product_key;

function state(sim: Simulator, did: string): Record<string, unknown> {
  return sim.model.devices.get(did)!.socketSnapshot();
}

function firingsOf(sim: Simulator, id: string) {
  return sim.model.firings.filter((firing) => firing.id === String(id));
}

describe('simulator: linkage rules fire on device reports', () => {
  const ctx = useSignedIn();
  beforeEach(() => {
    ctx.sim.model.timeScale = 0.01;
  });
  afterEach(() => {
    ctx.sim.model.rules.clear();
    ctx.sim.model.timeScale = 1;
  });

  async function createRule(body: Record<string, unknown>): Promise<number> {
    const created = await callOk(ctx.sim, 'POST', '/app/rules', {
      token: ctx.token,
      body: { name: 'r', ...body },
    });
    return created.rule_id as number;
  }

  async function report(did: string, attrs: Record<string, unknown>) {
    await callOk(ctx.sim, 'POST', `/_sim/devices/${did}/report`, { body: { attrs } });
  }

  it('runs the outputs in order, delays included, when a condition group holds, and not otherwise', async () => {
    const id = await createRule({
      event: 'data',
      did: SIM_DEVICES.demoPlug1,
      product_key: PLUG_PK,
      input: [{ did: SIM_DEVICES.demoPlug1, prefix: 'p', product_key: PLUG_PK }],
      condition: [[{ left: 'p.power', opt: '>', right: '100' }]],
      output: [
        [
          { type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { LED_R: 11 } },
          { type: 'delay', delay: 2 },
          { type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { LED_G: 22 } },
        ],
      ],
    });
    await report(SIM_DEVICES.demoPlug1, { power: 50 });
    await sleep(50);
    assert.notEqual(state(ctx.sim, SIM_DEVICES.demoLamp1).LED_R, 11, 'condition false: nothing happens');
    assert.equal(firingsOf(ctx.sim, String(id)).length, 0);
    await report(SIM_DEVICES.demoPlug1, { power: 150 });
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoLamp1).LED_R === 11, 3000);
    assert.notEqual(state(ctx.sim, SIM_DEVICES.demoLamp1).LED_G, 22, 'the second write waits for the delay');
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoLamp1).LED_G === 22, 3000);
    await waitFor(() => firingsOf(ctx.sim, String(id)).length > 0, 3000);
    assert.equal(firingsOf(ctx.sim, String(id))[0].ok, true);
  });

  it('compares enum labels, booleans as 0/1, and references to other inputs', async () => {
    await createRule({
      event: 'data',
      did: SIM_DEVICES.demoAc,
      input: [
        { did: SIM_DEVICES.demoAc, prefix: 'ac', product_key: AC_PK },
        { did: SIM_DEVICES.demoPlug1, prefix: 'p', product_key: PLUG_PK },
      ],
      condition: [
        [
          { left: 'ac.mode', opt: '==', right: "'制热'" },
          { left: 'ac.switch', opt: '==', right: '1' },
          { left: 'ac.set_temp', opt: '>', right: 'ac.room_temp' },
        ],
      ],
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoPlug1, attrs: { countdown: 77 } }]],
    });
    await report(SIM_DEVICES.demoAc, { mode: '制冷', switch: true, set_temp: 28, room_temp: 20 });
    await sleep(50);
    assert.notEqual(state(ctx.sim, SIM_DEVICES.demoPlug1).countdown, 77);
    await report(SIM_DEVICES.demoAc, { mode: 2 });
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoPlug1).countdown === 77, 3000);
  });

  it('fires online/offline rules on connection changes, and alert rules when the alert happens', async () => {
    await createRule({
      event: 'offline',
      did: SIM_DEVICES.demoPlug1,
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { mode: '闪烁' } }]],
    });
    await createRule({
      event: 'alert',
      did: SIM_DEVICES.demoAc,
      event_attr: { attr_name: 'alert_full', value: '1' },
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoLamp1, attrs: { brightness: 99 } }]],
    });
    ctx.sim.faults.setOnline(SIM_DEVICES.demoPlug1, false);
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoLamp1).mode === '闪烁', 3000);
    await report(SIM_DEVICES.demoAc, { alert_shutdown: true });
    await sleep(50);
    assert.notEqual(state(ctx.sim, SIM_DEVICES.demoLamp1).brightness, 99, 'another alert point');
    await report(SIM_DEVICES.demoAc, { alert_full: true });
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoLamp1).brightness === 99, 3000);
    await report(SIM_DEVICES.demoAc, { alert_full: false, alert_shutdown: false });
  });

  it('keeps the minimum interval between firings, and records a failed output', async () => {
    const id = await createRule({
      event: 'data',
      did: SIM_DEVICES.demoPlug1,
      interval: 3600,
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoPlug2Offline, attrs: { switch: true } }]],
    });
    await report(SIM_DEVICES.demoPlug1, { power: 10 });
    await report(SIM_DEVICES.demoPlug1, { power: 20 });
    await waitFor(() => firingsOf(ctx.sim, String(id)).length > 0, 3000);
    const [firing] = firingsOf(ctx.sim, String(id));
    await sleep(50);
    assert.equal(firingsOf(ctx.sim, String(id)).length, 1, 'once within the interval');
    assert.deepEqual(
      { ok: firing.ok, detail: firing.detail },
      { ok: false, detail: `device ${SIM_DEVICES.demoPlug2Offline} offline` },
    );
  });

  it('does not trigger a rule again with its own writes', async () => {
    const id = await createRule({
      event: 'data',
      did: SIM_DEVICES.demoPlug1,
      output: [[{ type: 'devctrl', did: SIM_DEVICES.demoPlug1, attrs: { countdown: 5 } }]],
    });
    await report(SIM_DEVICES.demoPlug1, { countdown: 1 });
    await waitFor(() => state(ctx.sim, SIM_DEVICES.demoPlug1).countdown === 5, 3000);
    await sleep(50);
    assert.equal(firingsOf(ctx.sim, String(id)).length, 1);
  });
});

describe('simulator: schedules fire at their UTC time by the simulator clock', () => {
  const ctx = useSignedIn();
  afterEach(() => {
    ctx.sim.model.schedulers.clear();
    ctx.sim.model.clock.reset();
    ctx.sim.model.timeScale = 1;
  });

  async function schedule(body: Record<string, unknown>): Promise<string> {
    return (await callOk(ctx.sim, 'POST', '/app/common_scheduler', { token: ctx.token, body })).id as string;
  }

  /** A one-time task that sets the plug's countdown at a UTC date and time (`2030-01-07T23:30`). */
  function countdownAt(at: string, countdown: number): Promise<string> {
    const [date, time] = at.split('T');
    return schedule({ did: SIM_DEVICES.demoPlug1, time, repeat: 'none', date, attrs: { countdown } });
  }

  it('fires a one-time device task when the clock passes its UTC time, and only then', async () => {
    const id = await countdownAt('2030-01-07T23:30', 321);
    const clock = ctx.sim.model.clock;
    clock.set('2030-01-07T23:29:00Z');
    assert.equal(firingsOf(ctx.sim, id).length, 0);
    assert.notEqual(state(ctx.sim, SIM_DEVICES.demoPlug1).countdown, 321);
    clock.advance(60_000);
    assert.equal(state(ctx.sim, SIM_DEVICES.demoPlug1).countdown, 321);
    assert.deepEqual(firingsOf(ctx.sim, id), [
      { kind: 'schedule', id, at: Date.parse('2030-01-07T23:30:00Z'), ok: true },
    ]);
    clock.advance(7 * 86_400_000);
    assert.equal(firingsOf(ctx.sim, id).length, 1, 'once');
  });

  it('repeats weekly and monthly on UTC days, within start and end dates, when enabled', async () => {
    // The start comes before the tasks: set after them, the jump from wherever the runner last looked
    // (real time, after a tick) would rightly fire the catch-up of the months in between.
    ctx.sim.model.clock.set('2030-01-01T00:00:00Z');
    const weekly = await schedule({
      did: SIM_DEVICES.demoPlug1,
      time: '10:00',
      repeat: 'tue,sun',
      start_date: '2030-01-10',
      end_date: '2030-01-31',
      attrs: { switch: true },
    });
    const monthly = await schedule({
      did: SIM_DEVICES.demoPlug1,
      time: '00:00',
      repeat: 'day',
      days: [1, 15],
      attrs: { switch: true },
    });
    const disabled = await schedule({
      did: SIM_DEVICES.demoPlug1,
      time: '10:00',
      repeat: 'tue',
      enabled: false,
      attrs: { switch: true },
    });
    ctx.sim.model.clock.set('2030-02-28T00:00:00Z');
    const days = (id: string) => firingsOf(ctx.sim, id).map((f) => new Date(f.at).toISOString().slice(0, 16));
    assert.deepEqual(days(weekly), [
      '2030-01-13T10:00',
      '2030-01-15T10:00',
      '2030-01-20T10:00',
      '2030-01-22T10:00',
      '2030-01-27T10:00',
      '2030-01-29T10:00',
    ]);
    assert.deepEqual(days(monthly), ['2030-01-15T00:00', '2030-02-01T00:00', '2030-02-15T00:00']);
    assert.deepEqual(days(disabled), []);
  });

  it('runs group and scene tasks', async () => {
    ctx.sim.model.timeScale = 0.01;
    const group = await schedule({
      group_id: SIM_GROUPS.demoLamps,
      time: '06:00',
      repeat: 'none',
      date: '2030-03-01',
      attrs: { LED_B: 7 },
    });
    const scene = await schedule({
      scene_id: SIM_SCENES.demoEvening,
      time: '06:01',
      repeat: 'none',
      date: '2030-03-01',
    });
    ctx.sim.model.clock.set('2030-03-01T05:59:00Z');
    ctx.sim.model.clock.advance(60_000);
    assert.equal(state(ctx.sim, SIM_DEVICES.demoLamp1).LED_B, 7);
    assert.equal(state(ctx.sim, SIM_DEVICES.demoLamp2).LED_B, 7);
    assert.notEqual(ctx.sim.model.scenes.get(SIM_SCENES.demoEvening)!.status, 0, 'not started yet');
    ctx.sim.model.clock.advance(60_000);
    assert.equal(ctx.sim.model.scenes.get(SIM_SCENES.demoEvening)!.status, 0, 'running');
    assert.deepEqual([firingsOf(ctx.sim, group).length, firingsOf(ctx.sim, scene).length], [1, 1]);
    await waitFor(() => ctx.sim.model.scenes.get(SIM_SCENES.demoEvening)!.status === 1, 3000);
  });

  it('runs on by itself at the speed it is given', async () => {
    const clock = ctx.sim.model.clock;
    clock.set('2030-04-01T07:59:00Z');
    const id = await countdownAt('2030-04-01T08:00', 9);
    clock.setSpeed(600);
    const started = Date.now();
    await waitFor(() => firingsOf(ctx.sim, id).length > 0, 3000);
    assert.ok(Date.now() - started < 2000, 'a simulated minute took well under a real one');
    assert.equal(clock.speed, 600);
  });

  it('is steered over HTTP too: /_sim/clock and /_sim/firings', async () => {
    const id = await countdownAt('2030-05-01T12:00', 3);
    const set = await call(ctx.sim, 'POST', '/_sim/clock', {
      body: { at: '2030-05-01T11:59:00Z', speed: 1 },
    });
    assert.equal(set.body.now.slice(0, 16), '2030-05-01T11:59');
    await call(ctx.sim, 'POST', '/_sim/clock', { body: { advanceMs: 120_000 } });
    const firings = await call(ctx.sim, 'GET', '/_sim/firings');
    assert.ok(firings.body.some((f: { id: string; ok: boolean }) => f.id === id && f.ok));
    const bad = await call(ctx.sim, 'POST', '/_sim/clock', { body: { speed: 0 } });
    assert.equal(bad.body.error_code, 9015);
    const reset = await call(ctx.sim, 'POST', '/_sim/clock', { body: { reset: true } });
    assert.ok(Math.abs(Date.parse(reset.body.now) - Date.now()) < 5000);
  });
});
