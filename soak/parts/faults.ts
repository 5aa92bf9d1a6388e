// Part `faults`: faults injected at random through the simulator (dropped sockets, 1009 and 1011, lost
// pongs, expired tokens, runs of 9041 and 5xx, slow answers; malformed frames and bindings once the
// simulator has them) while devices change state. After a quiet period every device's last message at
// gizwits-device-in must equal the state the simulated cloud holds. The run itself: soak/lib/fault-soak.ts.
import { faultSoak } from '../lib/fault-soak';
import type { SoakPart } from '../types';

export const run: SoakPart = async (options) => {
  const target = options.full ? 100 : 15;
  const { faults } = await faultSoak(options);
  const failures: string[] = [];
  if (faults.faultsInjected < target)
    failures.push(`only ${faults.faultsInjected} of ${target} faults within the time limit`);
  if (faults.matched < faults.devices)
    failures.push(
      `${faults.devices - faults.matched} of ${faults.devices} devices out of step after the quiet period`,
      ...faults.mismatches,
    );
  if (faults.crashes > 0) failures.push(`${faults.crashes} crashes`, ...faults.crashLines);
  if (faults.openSocketsAtEnd !== 'main 1, sandbox 1')
    failures.push(`open sockets at the end: ${faults.openSocketsAtEnd} (want one per endpoint)`);
  return {
    name: 'faults',
    goal: `≥ ${target} random faults while devices change; afterwards 100 % of devices in step, 0 crashes`,
    pass: failures.length === 0,
    figures: {
      devices: faults.devices,
      'faults injected': faults.faultsInjected,
      'faults by kind': Object.entries(faults.byKind)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', '),
      'device state changes': faults.stateChanges,
      'messages from gizwits-device-in': faults.deviceInMessages,
      'devices in step after the quiet period': `${faults.matched}/${faults.devices}`,
      'share in step (%)': Number(faults.sharePercent.toFixed(1)),
      'back in step after the last fault (ms)': faults.convergeMs,
      'open sockets at the end': faults.openSocketsAtEnd,
      crashes: faults.crashes,
      'process warnings (not failures)': faults.warnings.join('; ') || 'none',
      'run time (s)': faults.seconds,
    },
    failures,
  };
};
