import assert from 'node:assert/strict';
import { checkRuleDevices, parseRuleSet, planRules, ruleDifferences, type Rule } from '../../src/client';
import { devices, LAMP_PK, PLUG_PK, rule } from '../fixtures/rule-devices';

function problem(rules: unknown, withDevices = false): string {
  try {
    const parsed = parseRuleSet(rules);
    if (withDevices) checkRuleDevices(parsed, devices);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('rules: declared linkage rules', () => {
  it('accepts JSON text, an array or a listing, and fills the defaults the server keeps', () => {
    const fromText = parseRuleSet(JSON.stringify([rule()]));
    const fromListing = parseRuleSet({ rules: [rule()] });
    assert.deepEqual(fromText, fromListing);
    assert.deepEqual(fromText[0], {
      name: 'plug on, lamp red',
      remark: '',
      did: 'plug',
      product_key: '',
      interval: 0,
      event: 'data',
      input: [{ did: 'plug', prefix: 'p', product_key: '' }],
      condition: [[{ left: 'p.switch', opt: '==', right: 'true' }]],
      output: [[{ type: 'devctrl', did: 'lamp', attrs: { switch: true, LED_R: 200 } }]],
    });
    assert.deepEqual(parseRuleSet('[]'), []);
  });

  it('refuses bad shapes with messages that name the rule and the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['[{', /not valid JSON/],
      ['', /no rules given/],
      [{ name: 'x' }, /must be a JSON array of linkage rules/],
      [
        [rule({ event: 'sometimes' })],
        /rule "plug on, lamp red" \(#1\), event: must be one of online, offline, alert, fault, data/,
      ],
      [[rule({ name: '' })], /rule #1, name: is missing/],
      [[rule(), rule()], /rule "plug on, lamp red" \(#2\), name: is used by another rule/],
      [[rule({ event: 'fault' })], /event_attr: a fault rule needs event_attr/],
      [
        [rule({ event: 'alert', event_attr: { attr_name: 'a', value: '2' } })],
        /event_attr.value: must be "1"/,
      ],
      [
        [rule({ event_attr: { attr_name: 'x', value: '1' } })],
        /event_attr: applies to alert and fault rules only/,
      ],
      [
        [rule({ condition: [[{ left: 'q.switch', opt: '==', right: '1' }]] })],
        /condition\[0\]\[0\].left: "q.switch" uses the prefix "q", which no input declares \(inputs: p\)/,
      ],
      [
        [rule({ condition: [[{ left: 'p.power', opt: '=~', right: '1' }]] })],
        /condition\[0\]\[0\].opt: must be one of > >= < <= == !=/,
      ],
      [
        [rule({ condition: [[{ left: 'p.power', opt: '>', right: "'high'" }]] })],
        /condition\[0\]\[0\].right: ">" compares numbers only; 'high' is not a number/,
      ],
      [
        [rule({ condition: [[{ left: 'p.power', opt: '>', right: 'high' }]] })],
        /neither a data point reference/,
      ],
      [[rule({ condition: [[{ left: '1', opt: '==', right: '1' }]] })], /compares two constants/],
      [[rule({ output: [] })], /output: must be a non-empty array of action groups/],
      [
        [rule({ output: [[{ type: 'notify', did: 'lamp' }]] })],
        /output\[0\]\[0\].type: must be devctrl or delay, not "notify"/,
      ],
      [
        [rule({ output: [[{ type: 'delay', delay: 1.5 }]] })],
        /output\[0\]\[0\].delay: must be whole seconds/,
      ],
      [
        [rule({ output: [[{ type: 'devctrl', did: 'lamp' }]] })],
        /output\[0\]\[0\]: a devctrl action needs attrs or raw/,
      ],
      [
        [rule({ output: [[{ type: 'devctrl', did: 'lamp', raw: [300] }]] })],
        /output\[0\]\[0\].raw: must be an array of bytes/,
      ],
      [[rule({ conditions: [] })], /conditions: is not a field of a linkage rule/],
      [[rule({ interval: -1 })], /interval: must be whole seconds/],
      [[rule({ did: undefined })], /did: is missing: the device whose "data" event triggers the rule/],
    ];
    for (const [input, pattern] of cases) assert.match(problem(input), pattern, JSON.stringify(input));
  });

  it('checks rules against the devices and their data points', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ did: 'ghost' }, /did: device ghost is not bound to this account/],
      [{ product_key: LAMP_PK }, /did: device plug is of product plug-pk, not lamp-pk/],
      [
        { output: [[{ type: 'devctrl', did: 'lamp', attrs: { LED_R: 300 } }]] },
        /output\[0\]\[0\].attrs: "LED_R" must be between 0 and 254; 300 is out of range \(device lamp\)/,
      ],
      [
        { output: [[{ type: 'devctrl', did: 'lamp', attrs: { colour: 1 } }]] },
        /"colour" is not a data point of Lamp/,
      ],
      [{ output: [[{ type: 'devctrl', did: 'plug', attrs: { power: 5 } }]] }, /"power" is read-only/],
      [
        { output: [[{ type: 'devctrl', did: 'nowhere', attrs: { switch: true } }]] },
        /output\[0\]\[0\].did: device nowhere is not bound/,
      ],
      [
        { condition: [[{ left: 'p.colour', opt: '==', right: '1' }]] },
        /"p.colour": Plug has no data point "colour"/,
      ],
      [
        { condition: [[{ left: 'p.switch', opt: '>', right: '0' }]] },
        /">" compares numbers only; p.switch is bool/,
      ],
      [
        { condition: [[{ left: 'p.switch', opt: '==', right: '2' }]] },
        /p.switch is a boolean: compare it with true, false, 1 or 0/,
      ],
      [{ condition: [[{ left: 'p.power', opt: '==', right: "'x'" }]] }, /p.power is a number; 'x' is not/],
      [
        { event: 'fault', event_attr: { attr_name: 'switch', value: 1 } },
        /event_attr.attr_name: "switch" is not a fault point of Plug \(fault points: fault_overload\)/,
      ],
    ];
    for (const [overrides, pattern] of cases)
      assert.match(problem([rule(overrides)], true), pattern, JSON.stringify(overrides));
    const enumRule = rule({
      input: [{ did: 'lamp', prefix: 'l' }],
      condition: [[{ left: 'l.mode', opt: '==', right: "'dance'" }]],
    });
    assert.match(
      problem([enumRule], true),
      /l.mode is one of 0 'steady', 1 'breathe'; 'dance' is none of them/,
    );
  });

  it('fills product keys and encodes written values as the cloud stores them', () => {
    const [checked] = checkRuleDevices(
      parseRuleSet([
        rule({
          event: 'fault',
          event_attr: { attr_name: 'fault_overload', value: 1 },
          condition: [[{ left: 'p.power', opt: '>=', right: 1500 }]],
          output: [
            [
              { type: 'devctrl', did: 'lamp', attrs: { mode: 1, switch: 1 } },
              { type: 'delay', delay: 5 },
            ],
          ],
        }),
      ]),
      devices,
    );
    assert.equal(checked.product_key, PLUG_PK);
    assert.equal(checked.input![0].product_key, PLUG_PK);
    assert.deepEqual(checked.event_attr, { attr_name: 'fault_overload', value: '1' });
    assert.deepEqual(checked.condition, [[{ left: 'p.power', opt: '>=', right: '1500' }]]);
    assert.deepEqual(checked.output[0][0].attrs, { mode: 'breathe', switch: true });
  });

  it('compares rules ignoring rule_id, key order and defaults, and names the fields that differ', () => {
    const declared = parseRuleSet([rule()])[0];
    const cloud = {
      rule_id: 8801,
      output: [[{ attrs: { LED_R: 200, switch: true }, did: 'lamp', type: 'devctrl' }]],
      condition: [[{ right: 'true', opt: '==', left: 'p.switch' }]],
      input: [{ product_key: '', prefix: 'p', did: 'plug' }],
      event: 'data',
      interval: 0,
      did: 'plug',
      remark: '',
      name: 'plug on, lamp red',
    } as Rule;
    assert.deepEqual(ruleDifferences(declared, cloud), []);
    assert.deepEqual(ruleDifferences(declared, { ...cloud, interval: 60, remark: 'x' }), [
      'remark',
      'interval',
    ]);
  });

  it('plans creates, updates, unchanged and (with prune) deletes, matched by name', () => {
    const declared = parseRuleSet([
      rule({ name: 'a' }),
      rule({ name: 'b' }),
      rule({ name: 'c', interval: 5 }),
    ]);
    const cloud: Rule[] = [
      { ...declared[2], rule_id: 3, interval: 0 },
      { ...declared[0], rule_id: 1 },
      { ...declared[0], rule_id: 7, name: 'old' },
      { ...declared[0], rule_id: 9 },
    ];
    const plan = planRules(declared, cloud, false);
    assert.deepEqual(
      plan.create.map((r) => r.name),
      ['b'],
    );
    assert.deepEqual(
      plan.update.map((r) => [r.name, r.rule_id]),
      [['c', 3]],
    );
    assert.deepEqual(plan.changes, { c: ['interval'] });
    assert.deepEqual(
      plan.unchanged.map((r) => [r.name, r.rule_id]),
      [['a', 1]],
    );
    assert.deepEqual(plan.delete, []);
    const pruned = planRules(declared, cloud, true);
    assert.deepEqual(
      pruned.delete.map((r) => r.rule_id).sort(),
      [7, 9],
      'the extra rule and the duplicate of "a"',
    );
  });
});
