// Every refusal of the linkage-rule and scheduler models carries a key of the nodes' error catalogue
// (gizwits-account's locales, `errors.text.rule.*` and `errors.text.schedule.*`), so that a Chinese runtime
// can word it in Chinese. Each error here is raised for real; its English catalogue text, given the
// error's values (nested texts rendered first), must be the error's own message exactly, and its Chinese
// text must exist and leave no placeholder unfilled.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GizwitsError, checkRuleDevices, checkTimeZone, parseRuleSet, toUtcSchedule } from '../../src/client';
import { devices, LAMP_PK, rule } from '../fixtures/rule-devices';
import { assertInBothLanguages, checkErrorText, keysNamedIn, keysOf } from '../helpers/error-catalogue';

/**
 * Asserts that the error is a refusal of bad input whose text reads as its message (see checkErrorText),
 * with `keys` among its keys, nested ones included. Returns the Chinese.
 */
function check(error: unknown, ...keys: string[]): string {
  const chinese = checkErrorText(error);
  const checked = error as GizwitsError;
  assert.equal(checked.code, 'INVALID_PARAMS', checked.message);
  const found = keysOf(checked.text);
  for (const key of keys) assert.ok(found.includes(key), `"${key}" is not among ${found.join(', ')}`);
  return chinese;
}

/** The error `run` throws. */
function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  assert.fail('no error was thrown');
}

// --- linkage rules

/** The error of a rule set, checked for shape and, with `withDevices`, against the devices too. */
function ruleError(rules: unknown, withDevices = false): unknown {
  return caught(() => {
    const parsed = parseRuleSet(rules);
    if (withDevices) checkRuleDevices(parsed, devices);
  });
}

/** The source files of the rules and schedules models. */
function sources(): string[] {
  const client = path.join(__dirname, '../../src/client');
  const rules = fs.readdirSync(path.join(client, 'rules')).map((file) => path.join(client, 'rules', file));
  return [...rules, path.join(client, 'schedules.ts')];
}

describe('error texts of linkage rules and scheduled tasks (catalogue keys)', function () {
  it('has an English and a Chinese text, with the same placeholders, for every key the models name', () => {
    const keys = [
      ...keysNamedIn(sources(), ['rule', 'schedule']),
      'rule.eventName.alert',
      'rule.eventName.fault',
    ];
    assert.ok(keys.length > 50, `only ${keys.length} keys found`);
    assertInBothLanguages(keys);
  });

  describe('linkage rules: the set', () => {
    it('refuses empty, broken and non-array sets', () => {
      check(ruleError('  '), 'rule.set.empty');
      check(ruleError('[{'), 'rule.set.badJson');
      check(ruleError('{"name": "x"}'), 'rule.set.notArray');
      check(ruleError({ rules: 'x' }), 'rule.set.notArray');
    });

    it('names the rule by its name and number, or by its number alone', () => {
      const named = check(ruleError([rule({ did: '' })]), 'rule.at', 'rule.where.named', 'rule.noDid');
      assert.equal(
        named,
        '联动规则 "plug on, lamp red"(第 1 条)的 did:缺失:应为以 "data" 事件触发此联动规则的设备',
      );
      check(ruleError([rule(), 'x']), 'rule.atRule', 'rule.where.numbered', 'rule.notObject');
      check(ruleError([rule({ name: ' ' })]), 'rule.where.numbered', 'rule.noName');
      check(ruleError([rule(), rule()]), 'rule.where.named', 'rule.duplicateName');
    });
  });

  describe('linkage rules: fields', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ colour: 'red' }, 'rule.unknownField'],
      [{ event: 'boot' }, 'rule.oneOf'],
      [{ event: undefined }, 'rule.oneOf'],
      [{ remark: 5 }, 'rule.notText'],
      [{ product_key: ['x'] }, 'rule.notText'],
      [{ interval: -1 }, 'rule.notSeconds'],
      [{ event: 'alert' }, 'rule.eventAttr.missingAlert'],
      [{ event: 'fault', event_attr: {} }, 'rule.eventAttr.missingFault'],
      [{ event: 'fault', event_attr: { attr_name: 'fault_overload', value: 2 } }, 'rule.eventAttr.badValue'],
      [{ event: 'alert', event_attr: { attr_name: 'x', value: 'on' } }, 'rule.eventAttr.badValue'],
      [{ event_attr: { attr_name: 'x', value: '1' } }, 'rule.eventAttr.notApplicable'],
      [{ input: {} }, 'rule.input.notArray'],
      [{ input: ['plug'] }, 'rule.input.notObject'],
      [{ input: [{ prefix: 'p' }] }, 'rule.missing'],
      [{ input: [{ did: 'plug', prefix: '1p' }] }, 'rule.input.badPrefix'],
      [
        {
          input: [
            { did: 'plug', prefix: 'p' },
            { did: 'lamp', prefix: 'p' },
          ],
        },
        'rule.input.twice',
      ],
      [{ input: [{ did: 'plug', prefix: 'p', product_key: 1 }] }, 'rule.notText'],
      [{ condition: {} }, 'rule.condition.notArray'],
      [{ condition: [[]] }, 'rule.condition.badGroup'],
      [{ condition: [['p.switch == true']] }, 'rule.condition.notObject'],
      [{ condition: [[{ left: 'p.switch', opt: '=', right: 'true' }]] }, 'rule.oneOf'],
      [{ condition: [[{ left: 'p.switch', opt: '==', right: 'on' }]] }, 'rule.condition.badOperand'],
      [{ condition: [[{ left: 'p.switch', opt: '==', right: null }]] }, 'rule.condition.badOperand'],
      [{ condition: [[{ left: 'q.switch', opt: '==', right: 'true' }]] }, 'rule.condition.undeclared'],
      [
        { input: [], condition: [[{ left: 'q.switch', opt: '==', right: 'true' }]] },
        'rule.condition.undeclaredNoInput',
      ],
      [{ condition: [[{ left: 'p.power', opt: '>', right: "'high'" }]] }, 'rule.condition.notNumber'],
      [{ condition: [[{ left: '1', opt: '==', right: 'true' }]] }, 'rule.condition.constants'],
      [{ output: [] }, 'rule.output.notArray'],
      [{ output: [[]] }, 'rule.output.badGroup'],
      [{ output: [['lamp']] }, 'rule.output.notObject'],
      [
        { output: [[{ type: 'devctrl', did: 'lamp', attrs: { switch: true }, when: 1 }]] },
        'rule.output.unknownField',
      ],
      [{ output: [[{ type: 'delay', delay: 1.5 }]] }, 'rule.notSeconds'],
      [{ output: [[{ type: 'write', did: 'lamp' }]] }, 'rule.output.badType'],
      [{ output: [[{ type: 'devctrl', attrs: { switch: true } }]] }, 'rule.missing'],
      [{ output: [[{ type: 'devctrl', did: 'lamp', attrs: {} }]] }, 'rule.output.badAttrs'],
      [{ output: [[{ type: 'devctrl', did: 'lamp', raw: [1, 256] }]] }, 'rule.output.badRaw'],
      [{ output: [[{ type: 'devctrl', did: 'lamp' }]] }, 'rule.output.noCommand'],
    ];
    for (const [overrides, key] of cases) {
      it(`${key}: ${JSON.stringify(overrides)}`, () => {
        check(ruleError([rule(overrides)]), 'rule.at', key);
      });
    }

    it('says "报警" and "故障" for the alert and fault events', () => {
      const zh = check(
        ruleError([rule({ event: 'alert', event_attr: { attr_name: 'x', value: 'on' } })]),
        'rule.eventName.alert',
      );
      assert.match(zh, /event_attr\.value:必须是 "1"\(报警发生\)或 "0"\(已解除\)$/);
    });
  });

  describe('linkage rules: devices and data points', () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ did: 'ghost' }, ['rule.device.notBound']],
      [{ product_key: LAMP_PK }, ['rule.device.otherProduct']],
      [{ input: [{ did: 'ghost', prefix: 'p' }] }, ['rule.device.notBound']],
      [{ output: [[{ type: 'devctrl', did: 'ghost', attrs: { switch: true } }]] }, ['rule.device.notBound']],
      [{ event: 'alert', event_attr: { attr_name: 'switch', value: '1' } }, ['rule.eventAttr.notAlertPoint']],
      [
        { event: 'fault', event_attr: { attr_name: 'switch', value: '1' } },
        ['rule.eventAttr.notFaultPoint', 'rule.eventAttr.candidates', 'rule.eventName.fault'],
      ],
      [{ condition: [[{ left: 'p.volume', opt: '==', right: '1' }]] }, ['rule.point.unknown']],
      [{ condition: [[{ left: 'p.switch', opt: '>=', right: '1' }]] }, ['rule.point.notNumeric']],
      [{ condition: [[{ left: 'p.switch', opt: '==', right: '2' }]] }, ['rule.point.bool']],
      [{ condition: [[{ left: 'p.power', opt: '==', right: "'on'" }]] }, ['rule.point.number']],
      [
        {
          input: [{ did: 'lamp', prefix: 'l' }],
          condition: [[{ left: 'l.mode', opt: '==', right: "'blink'" }]],
        },
        ['rule.point.enum'],
      ],
      [
        { output: [[{ type: 'devctrl', did: 'lamp', attrs: { LED_R: 300 } }]] },
        ['rule.attrs', 'write.reason.range'],
      ],
      [{ output: [[{ type: 'devctrl', did: 'lamp', attrs: { LED_R: 'red' } }]] }, ['write.reason.number']],
      [{ output: [[{ type: 'devctrl', did: 'lamp', attrs: { switch: 'yes' } }]] }, ['write.reason.bool']],
      [{ output: [[{ type: 'devctrl', did: 'lamp', attrs: { mode: 'blink' } }]] }, ['write.reason.enum']],
      [{ output: [[{ type: 'devctrl', did: 'lamp', attrs: { volume: 1 } }]] }, ['write.reason.unknown']],
      [{ output: [[{ type: 'devctrl', did: 'plug', attrs: { power: 1 } }]] }, ['write.reason.readonly']],
      [
        { output: [[{ type: 'devctrl', did: 'plug', attrs: { fault_overload: true } }]] },
        ['write.reason.fault'],
      ],
    ];
    for (const [overrides, keys] of cases) {
      it(`${keys[0]}: ${JSON.stringify(overrides)}`, () => {
        check(ruleError([rule(overrides)], true), 'rule.at', ...keys);
      });
    }

    it('words a refused write with its device', () => {
      const zh = check(
        ruleError([rule({ output: [[{ type: 'devctrl', did: 'lamp', attrs: { LED_R: 300 } }]] })], true),
        'write.reason.range',
      );
      assert.match(zh, /output\[0\]\[0\]\.attrs:"LED_R" 必须在 0 到 254 之间;300 超出了范围\(设备 lamp\)$/);
    });
  });

  // --- scheduled tasks

  describe('scheduled tasks', () => {
    // "Today" for every conversion: a winter day, so New York is on UTC-5.
    const now = Date.parse('2026-01-15T12:00:00Z');
    const shanghai = { timeZone: 'Asia/Shanghai', now };
    const newYork = { timeZone: 'America/New_York', now };

    const cases: Array<[string, unknown, { timeZone: string; now: number }]> = [
      ['schedule.noTimeZone', { time: '07:30', repeat: 'mon' }, { timeZone: ' ', now }],
      ['schedule.unknownTimeZone', { time: '07:30', repeat: 'mon' }, { timeZone: 'Mars/Olympus', now }],
      ['schedule.badTime', { time: '7.30', repeat: 'mon' }, shanghai],
      ['schedule.badTime', { repeat: 'mon' }, shanghai],
      ['schedule.badRepeat', { time: '07:30', repeat: 'monday,tues' }, shanghai],
      ['schedule.badRepeat', { time: '07:30', repeat: 5 }, shanghai],
      ['schedule.badDays', { time: '07:30', repeat: 'day', days: [0] }, shanghai],
      ['schedule.badDate', { time: '07:30', repeat: 'mon', start_date: '2026-02-30' }, shanghai],
      ['schedule.badDate', { time: '07:30', repeat: 'mon', end_date: 20260301 }, shanghai],
      ['schedule.badRemark', { time: '07:30', repeat: 'mon', remark: 5 }, shanghai],
      ['schedule.badEnabled', { time: '07:30', repeat: 'mon', enabled: 'yes' }, shanghai],
      ['schedule.notObject', '07:30', shanghai],
      ['schedule.notObject', ['07:30'], shanghai],
      ['schedule.unknownField', { time: '07:30', repeat: 'mon', when: 'x' }, shanghai],
      [
        'schedule.endBeforeStart',
        { time: '07:30', repeat: 'mon', start_date: '2026-03-01', end_date: '2026-02-01' },
        shanghai,
      ],
      ['schedule.onceNeedsDate', { time: '07:30', repeat: 'none' }, shanghai],
      ['schedule.gap', { time: '02:30', date: '2026-03-08' }, newYork],
      ['schedule.monthlyDayBefore', { time: '07:00', repeat: 'day', days: [1, 15] }, shanghai],
      ['schedule.monthlyDayAfter', { time: '21:00', repeat: 'day', days: [10, 28, 31] }, newYork],
    ];
    for (const [key, task, options] of cases) {
      it(`${key}: ${JSON.stringify(task)} in ${options.timeZone}`, () => {
        check(
          caught(() => toUtcSchedule(task, options)),
          key,
        );
      });
    }

    it('refuses a missing time zone on its own, too', () => {
      check(
        caught(() => checkTimeZone(undefined)),
        'schedule.noTimeZone',
      );
    });

    it('says a one-time task in a missing hour in Chinese', () => {
      const zh = check(
        caught(() => toUtcSchedule({ time: '02:30', date: '2026-03-08' }, newYork)),
        'schedule.gap',
      );
      assert.equal(
        zh,
        '2026-03-08 02:30 在 America/New_York 时区不存在:当晚夏令时开始,时钟会跳过这一时刻;请另选时间',
      );
    });
  });
});
