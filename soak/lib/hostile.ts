// Hostile messages for the `flow-inputs` part: wrong types everywhere, huge (bounded) strings and arrays,
// deep nesting, `__proto__`/`constructor`/`prototype` as own keys (parsed from JSON text, as a message
// from an HTTP body or MQTT would carry them), NaN and Infinity, negative and giant numbers, bad dids,
// operations and actions, buffers, circular objects, and now and then a value that is right, so that
// messages get past the first check and reach the cloud.
import { SIM_PRODUCTS } from '../../src/simulator';
import type { Json } from './node-red';
import type { Random } from './random';

/** The key every pollution attempt tries to plant on a prototype; the part checks it stays absent. */
export const POLLUTION_KEY = 'soakPolluted';

const MAX_STRING = 200_000;
const MAX_ARRAY = 100_000;
const MAX_DEPTH = 3_000;

const ATTR_NAMES = [
  ...new Set(Object.values(SIM_PRODUCTS).flatMap((product) => product.attrs.map((point) => point.name))),
];

const POLLUTERS = [
  `{"__proto__":{"${POLLUTION_KEY}":"yes"}}`,
  `{"constructor":{"prototype":{"${POLLUTION_KEY}":"yes"}}}`,
  `{"prototype":{"${POLLUTION_KEY}":"yes"}}`,
  `{"switch":true,"__proto__":{"${POLLUTION_KEY}":"yes","switch":false}}`,
  `[{"__proto__":{"${POLLUTION_KEY}":"yes"}},{"constructor":{"prototype":{"${POLLUTION_KEY}":1}}}]`,
  `{"attrs":{"__proto__":{"${POLLUTION_KEY}":"yes"}},"name":"__proto__"}`,
];

const STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'read',
  'write',
  'list',
  'create',
  'control',
  'devices',
  'sync',
  'apply',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '%s%s%n',
  '${HOME}',
  '../../../etc/passwd',
  '\u0000\u0001\u0002',
  '\ud800',
  '机智云😀',
  '<script>alert(1)</script>',
  '{"switch":true}',
  '[1,2,',
  'deadbeef',
  'zz',
  '07:00',
  '25:61',
  'Asia/Shanghai',
  'Not/AZone',
];

const OPERATIONS = [
  'bindings.list',
  'devices.latest',
  'devices.get',
  'devices.datapoint',
  'devices.control',
  'devices.rawData',
  'devices.aggData',
  'groups.list',
  'groups.control',
  'groups.create',
  'scenes.list',
  'scenes.run',
  'rules.list',
  'rules.create',
  'schedulers.list',
  'schedulers.create',
  'messages.list',
  'sharing.list',
  'system.status',
  'users.get',
  'bindings.list ',
  'BINDINGS.LIST',
  'bindings',
  'bindings.list.extra',
];

const ACTIONS = [
  'read',
  'write',
  'control',
  'list',
  'devices',
  'create',
  'update',
  'delete',
  'add',
  'remove',
];

export class HostileMessages {
  constructor(
    private readonly random: Random,
    private readonly dids: string[],
  ) {}

  /** A message for a node: a few of the fields the nodes read (and some they do not), each hostile. */
  message(): Json {
    const r = this.random;
    const msg: Json = {};
    const fields: Array<[string, () => unknown]> = [
      ['payload', () => this.payload()],
      ['did', () => (r.chance(0.4) ? r.pick(this.dids) : this.value(2))],
      ['action', () => (r.chance(0.5) ? r.pick(ACTIONS) : this.value(2))],
      ['raw', () => this.value(2)],
      ['operation', () => (r.chance(0.5) ? r.pick(OPERATIONS) : this.value(2))],
      ['allPages', () => this.value(1)],
      ['groupId', () => this.value(1)],
      ['sceneId', () => this.value(1)],
      ['sceneName', () => this.value(1)],
      ['topic', () => this.value(1)],
      ['params', () => this.value(2)],
    ];
    for (const [name, make] of fields) if (r.chance(name === 'payload' ? 0.9 : 0.3)) msg[name] = make();
    if (r.chance(0.1)) Object.assign(msg, JSON.parse(r.pick(POLLUTERS)) as Json);
    if (r.chance(0.03)) msg.self = msg;
    return msg;
  }

  private payload(): unknown {
    const r = this.random;
    switch (r.int(0, 7)) {
      case 0:
        return this.attrs();
      case 1:
        return JSON.parse(r.pick(POLLUTERS)) as unknown;
      case 2:
        // Rules or scheduled tasks in roughly the right shape, with hostile fields.
        return Array.from({ length: r.int(0, 5) }, () => this.record());
      case 3:
        return this.bytes();
      case 4:
        return this.deep();
      case 5:
        return this.circular();
      default:
        return this.value(3);
    }
  }

  /** Data point names with wrong values: what a flow's function node might build. */
  private attrs(): Json {
    const r = this.random;
    const out: Json = {};
    for (let i = r.int(0, 4); i > 0; i--)
      out[r.chance(0.8) ? r.pick(ATTR_NAMES) : r.pick(STRINGS)] = this.value(1);
    return out;
  }

  private record(): Json {
    const r = this.random;
    const keys = [
      'name',
      'remark',
      'time',
      'repeat',
      'date',
      'attrs',
      'raw',
      'did',
      'enabled',
      'rule_id',
      'type',
    ];
    const out: Json = {};
    for (const key of keys) if (r.chance(0.5)) out[key] = key === 'attrs' ? this.attrs() : this.value(1);
    return out;
  }

  private bytes(): unknown {
    const r = this.random;
    const length = r.chance(0.9) ? r.int(0, 64) : r.int(0, MAX_ARRAY);
    switch (r.int(0, 3)) {
      case 0:
        return Buffer.alloc(length, r.int(0, 255));
      case 1:
        return Array.from({ length }, () => r.pick([0, 255, 256, -1, 1.5, NaN, '1', null]));
      case 2:
        return new Uint8Array(length);
      default:
        return 'f'.repeat(length * 2 + r.int(0, 1));
    }
  }

  private deep(): unknown {
    const r = this.random;
    const depth = r.int(10, MAX_DEPTH);
    let inner: unknown = r.chance(0.5) ? {} : [];
    for (let i = 0; i < depth; i++) inner = r.chance(0.5) ? { a: inner } : [inner];
    return inner;
  }

  private circular(): unknown {
    const r = this.random;
    if (r.chance(0.5)) {
      const object: Json = { switch: true };
      object.self = object;
      object.list = [object];
      return object;
    }
    const list: unknown[] = [1, 2];
    list.push(list);
    return list;
  }

  /** Any value, nesting at most `depth` more levels. */
  value(depth: number): unknown {
    const r = this.random;
    const kind = r.int(0, depth > 0 ? 13 : 9);
    switch (kind) {
      case 0:
        return r.pick([undefined, null, true, false]);
      case 1:
        return r.pick([
          NaN,
          Infinity,
          -Infinity,
          -0,
          0,
          -1,
          1.5,
          -1e308,
          1e308,
          2 ** 53 + 2,
          Number.MIN_VALUE,
        ]);
      case 2:
        return r.int(-2_000_000_000, 2_000_000_000);
      case 3:
        return r.pick(STRINGS);
      case 4:
        return r.chance(0.8)
          ? r.word(r.int(0, 40))
          : r.pick(['x', '机', '\u0000']).repeat(r.int(0, MAX_STRING));
      case 5:
        return r.pick([BigInt(2) ** BigInt(70), Symbol('soak'), () => 1, new Date(NaN), /x/g]);
      case 6:
        return r.pick(this.dids) + r.pick(['', ' ', '/usr/raw', '\u0000', '..']);
      case 7:
        return this.bytes();
      case 8:
        return r.pick([
          new Map([['switch', true]]),
          new Set([1]),
          Object.create(null) as unknown,
          new Error('x'),
        ]);
      case 9:
        return JSON.parse(r.pick(POLLUTERS)) as unknown;
      case 10:
        return Array.from({ length: r.int(0, 4) }, () => this.value(depth - 1));
      case 11: {
        const out: Json = {};
        for (let i = r.int(0, 4); i > 0; i--)
          out[r.pick([...STRINGS, ...ATTR_NAMES])] = this.value(depth - 1);
        return out;
      }
      case 12:
        return this.deep();
      default:
        return this.circular();
    }
  }
}
