// Fixed identities of the simulated cloud, so that examples, docs and tests can name them.
import { binaryPoint, boolPoint, enumPoint, product, uintPoint } from './model/product-builders';

export const SIM_APP_ID = 'b2f8c1d4e5a64b7c9d0e1f2a3b4c5d6e';
export const SIM_APP_SECRET = '5f1e7a9c3d2b4e6f8a0c1d3e5f7a9b2c';
/** The one SMS code the simulator sends and accepts. */
export const SIM_SMS_CODE = '123456';
/** The text every simulated captcha image "shows". */
export const SIM_CAPTCHA_CODE = 'G1ZW';
export const SIM_API_VERSION = '2.15.1';

export interface SimUserFixture {
  readonly uid: string;
  readonly username: string;
  readonly password: string;
  readonly email: string | null;
  readonly phone: string | null;
}

export const SIM_USERS: Readonly<Record<'demo' | 'many' | 'guest', SimUserFixture>> = {
  demo: {
    uid: 'a1d3e5f7b9c24e6a8d0f1b3c5e7a9d01',
    username: 'demo',
    password: 'Demo-Pass-2026',
    email: 'demo@example.com',
    phone: '13800000000',
  },
  many: {
    uid: 'b2e4f6a8c0d35f7b9e1a2c4d6f8b0e02',
    username: 'many',
    password: 'Many-Pass-2026',
    email: 'many@example.com',
    phone: '13800000001',
  },
  guest: {
    uid: 'c3f5a7b9d1e46a8c0f2b3d5e7a9c1f03',
    username: 'guest',
    password: 'Guest-Pass-2026',
    email: 'guest@example.com',
    phone: '13800000002',
  },
};

export const SIM_UIDS = {
  demo: SIM_USERS.demo.uid,
  many: SIM_USERS.many.uid,
  guest: SIM_USERS.guest.uid,
} as const;

const airConditioner = product(
  {
    name: '智能空调',
    product_key: '4a1c7e2b9d5f48a6b3e0c8d1f2a7b9e4',
    product_secret: 'e8b2d4f6a1c34e5a9b7d0f2c4e6a8b1d',
  },
  [
    boolPoint('switch', '开关'),
    enumPoint('mode', '模式', ['自动', '制冷', '制热', '送风', '除湿']),
    enumPoint('fan_speed', '风速', ['低风', '中风', '高风']),
    boolPoint('fan_swing', '扫风'),
    // Raw 0..14 shown as 16..30, so that an all-zero device reads 16 as in the document's example.
    uintPoint('set_temp', '设定温度', 'uint8', { max: 14, addition: 16 }),
    uintPoint('room_temp', '室内温度', 'uint8', { max: 60, addition: -10 }, 'readonly'),
    uintPoint('on_timing', '定时开机', 'uint16', { max: 1440 }),
    uintPoint('off_timing', '定时关机', 'uint16', { max: 1440 }),
    boolPoint('alert_full', '水满报警', 'alert'),
    boolPoint('alert_shutdown', '停机报警', 'alert'),
    boolPoint('fault_roomtemp', '室温传感器故障', 'fault'),
  ],
);

const plug = product(
  {
    name: '智能插座',
    product_key: '7d2e8f3a0b6c49d1a5e9f4b2c8d0e6a3',
    product_secret: 'f1a3c5e7b9d24f6b8a0c2e4a6c8e0b2f',
  },
  [
    boolPoint('switch', '开关'),
    uintPoint('countdown', '倒计时(分钟)', 'uint16', { max: 1440 }),
    uintPoint('power', '功率(W)', 'uint16', { max: 30000, ratio: 0.1 }, 'readonly'),
    uintPoint('energy', '电量(Wh)', 'uint32', { max: 4294967295 }, 'readonly'),
    boolPoint('fault_overload', '过载故障', 'fault'),
  ],
);

const rgbLamp = product(
  {
    name: 'RGB 彩灯',
    product_key: '9e3f0a4b1c7d4ae2b6f0a5c3d9e1f7b4',
    product_secret: 'a2b4d6f8c0e14a3c5e7b9d1f3a5c7e9b',
    // This product answers the document's W/R/N/E letters, so that clients must accept both spellings.
    typeSpelling: 'letters',
  },
  [
    boolPoint('switch', '开关'),
    uintPoint('LED_R', '红色值', 'uint8', { max: 254 }),
    uintPoint('LED_G', '绿色值', 'uint8', { max: 254 }),
    uintPoint('LED_B', '蓝色值', 'uint8', { max: 254 }),
    uintPoint('brightness', '亮度', 'uint8', { max: 100 }),
    enumPoint('mode', '灯效', ['常亮', '呼吸', '闪烁', '渐变']),
    binaryPoint('scene_data', '场景数据', 8),
  ],
);

export const SIM_PRODUCTS = { airConditioner, plug, rgbLamp } as const;

/** Dids of the demo user's devices (22 characters of [A-Za-z0-9], like real ones). */
export const SIM_DEVICES = {
  demoAc: 'DemoAirCond8Kq3Xv9Lm2A',
  demoPlug1: 'DemoPlugOne7Rt4Wz1Hb5C',
  demoPlug2Offline: 'DemoPlugTwo3Nc8Yq6Df0E',
  demoLamp1: 'DemoLampOne5Gs2Jx7Pk4F',
  demoLamp2: 'DemoLampTwo9Mv1Bw3Tz6H',
} as const;

export interface SimDeviceFixture {
  readonly did: string;
  readonly productKey: string;
  readonly mac: string;
  readonly passcode: string;
  readonly online: boolean;
  readonly owner: string;
  readonly alias: string;
  /** Bound on the sandbox websocket endpoint (its own port) rather than the REST server's. */
  readonly sandbox?: boolean;
}

const demoDevices: SimDeviceFixture[] = [
  {
    did: SIM_DEVICES.demoAc,
    productKey: airConditioner.product_key,
    mac: 'accf23a10001',
    passcode: 'ACPASSCODE',
    online: true,
    owner: SIM_USERS.demo.uid,
    alias: '客厅空调',
  },
  {
    did: SIM_DEVICES.demoPlug1,
    productKey: plug.product_key,
    mac: 'accf23b20001',
    passcode: 'PLUGPASSAA',
    online: true,
    owner: SIM_USERS.demo.uid,
    alias: '台灯插座',
  },
  {
    did: SIM_DEVICES.demoPlug2Offline,
    productKey: plug.product_key,
    mac: 'accf23b20002',
    passcode: 'PLUGPASSBB',
    online: false,
    owner: SIM_USERS.demo.uid,
    alias: '阳台插座',
  },
  {
    did: SIM_DEVICES.demoLamp1,
    productKey: rgbLamp.product_key,
    mac: 'accf23c30001',
    passcode: 'LAMPPASSAA',
    online: true,
    owner: SIM_USERS.demo.uid,
    alias: '卧室彩灯',
  },
  {
    did: SIM_DEVICES.demoLamp2,
    productKey: rgbLamp.product_key,
    mac: 'accf23c30002',
    passcode: 'LAMPPASSBB',
    online: true,
    owner: SIM_USERS.demo.uid,
    alias: '书房彩灯',
    // One device on another websocket host, so that clients must keep one socket per host:port.
    sandbox: true,
  },
];

export const SIM_MANY_PLUG_COUNT = 45;

/** Did of the `many` user's n-th plug (1-based). */
export function simManyPlugDid(n: number): string {
  return `ManyPlug${String(n).padStart(14, '0')}`;
}

const manyDevices: SimDeviceFixture[] = Array.from({ length: SIM_MANY_PLUG_COUNT }, (_, index) => ({
  did: simManyPlugDid(index + 1),
  productKey: plug.product_key,
  mac: `accf23d4${(index + 1).toString(16).padStart(4, '0')}`,
  passcode: `MANYPASS${String(index + 1).padStart(2, '0')}`,
  online: true,
  owner: SIM_USERS.many.uid,
  alias: `插座 ${index + 1}`,
}));

export const SIM_DEVICE_FIXTURES: ReadonlyArray<SimDeviceFixture> = [...demoDevices, ...manyDevices];

export const SIM_GROUPS = { demoLamps: '5f0a1b2c3d4e5f6a7b8c9d01' } as const;
export const SIM_SCENES = { demoEvening: '5f0a1b2c3d4e5f6a7b8c9e01' } as const;
