// How readings change on their own between writes. Recognised by data point names, so any product
// with a room temperature or a power meter drifts the same way.
import type { StoredValue } from './datapoint-values';
import { shownRange } from './datapoint-values';
import type { VirtualDevice } from './virtual-device';

/** Where an air conditioner's room temperature settles when it is switched off. */
const AMBIENT_TEMPERATURE = 28;
/** A plug with something plugged in draws roughly this many watts when switched on. */
const TYPICAL_LOAD_WATTS = 60;

/** Energy below one whole Wh carried over to the next tick, so short intervals still add up. */
const energyCarry = new WeakMap<VirtualDevice, number>();

export function driftReadings(device: VirtualDevice, elapsedMs: number): Map<string, StoredValue> {
  const next = new Map<string, StoredValue>();
  const values = device.values;
  if (values.has('room_temp') && values.has('set_temp')) {
    const room = values.get('room_temp') as number;
    const target = values.get('switch') === true ? (values.get('set_temp') as number) : AMBIENT_TEMPERATURE;
    if (room !== target) next.set('room_temp', room + Math.sign(target - room));
  }
  if (values.has('power') && values.has('energy')) {
    const powerPoint = device.product.attrs.find((point) => point.name === 'power')!;
    const maximum = shownRange(powerPoint).max;
    const power =
      values.get('switch') === true
        ? Math.min(maximum, Number((TYPICAL_LOAD_WATTS + (Math.random() * 10 - 5)).toFixed(1)))
        : 0;
    if (power !== values.get('power')) next.set('power', power);
    const energy = values.get('energy') as number;
    const exactWh = (energyCarry.get(device) ?? 0) + (power * elapsedMs) / 3_600_000;
    const wholeWh = Math.floor(exactWh);
    energyCarry.set(device, exactWh - wholeWh);
    if (wholeWh > 0) next.set('energy', energy + wholeWh);
  }
  return next;
}
