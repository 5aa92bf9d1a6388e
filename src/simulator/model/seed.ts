// Fills a fresh model with the fixed accounts, products, devices, group and scene of fixtures.ts.
import {
  SIM_DEVICE_FIXTURES,
  SIM_DEVICES,
  SIM_GROUPS,
  SIM_PRODUCTS,
  SIM_SCENES,
  SIM_USERS,
} from '../fixtures';
import { SimulatorModel } from './model';

export function createSeededModel(): SimulatorModel {
  const model = new SimulatorModel();
  for (const product of Object.values(SIM_PRODUCTS)) model.addProduct(product);
  for (const user of Object.values(SIM_USERS)) model.accounts.addUser({ ...user });

  for (const fixture of SIM_DEVICE_FIXTURES) {
    model.addDevice(fixture);
    // The demo user owns (sharing enabled) their devices; the `many` user is a plain first binder.
    const role = fixture.owner === SIM_USERS.demo.uid ? 'owner' : 'special';
    model.bind(fixture.owner, fixture.did, role, { dev_alias: fixture.alias });
  }
  seedReadings(model);

  const now = Date.now();
  model.groups.set(SIM_GROUPS.demoLamps, {
    id: SIM_GROUPS.demoLamps,
    uid: SIM_USERS.demo.uid,
    group_name: '卧室灯组',
    product_key: SIM_PRODUCTS.rgbLamp.product_key,
    dids: [SIM_DEVICES.demoLamp1, SIM_DEVICES.demoLamp2],
    createdAt: now,
    updatedAt: now,
  });
  model.scenes.set(SIM_SCENES.demoEvening, {
    id: SIM_SCENES.demoEvening,
    uid: SIM_USERS.demo.uid,
    scene_name: '回家模式',
    remark: '开灯,两秒后开空调制冷',
    tasks: [
      { task_type: 'group', group_id: SIM_GROUPS.demoLamps, attrs: { switch: true, brightness: 80 } },
      { task_type: 'delay', time: 2 },
      { task_type: 'device', did: SIM_DEVICES.demoAc, attrs: { switch: true, mode: 1, set_temp: 24 } },
    ],
    createdAt: now,
    updatedAt: now,
    status: 3,
  });
  return model;
}

/** Starting values that look like a home rather than a row of zeros. */
function seedReadings(model: SimulatorModel): void {
  const set = (did: string, values: Record<string, boolean | number>): void => {
    model.devices.get(did)?.apply(new Map(Object.entries(values)));
  };
  set(SIM_DEVICES.demoAc, { set_temp: 26, room_temp: 29, mode: 1 });
  set(SIM_DEVICES.demoPlug1, { switch: true, power: 58.3, energy: 12840 });
  set(SIM_DEVICES.demoPlug2Offline, { energy: 530 });
  set(SIM_DEVICES.demoLamp1, { LED_R: 254, LED_G: 180, LED_B: 90, brightness: 60 });
  set(SIM_DEVICES.demoLamp2, { LED_R: 120, LED_G: 120, LED_B: 254, brightness: 40 });
}
