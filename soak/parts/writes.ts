// Part `writes`: writes through three gizwits-device-control nodes (REST; websocket; auto with confirm)
// to random devices during the fault soak of the `faults` part (the same run: soak/lib/fault-soak.ts).
// Each write must end in an output or at the Catch node within its timeout plus a margin: none may hang.
import { faultSoak, WRITE_MARGIN_MS, WRITE_TIMEOUT_S } from '../lib/fault-soak';
import type { SoakPart } from '../types';

export const run: SoakPart = async (options) => {
  const { writes } = await faultSoak(options);
  const failures: string[] = [];
  if (writes.sent === 0) failures.push('no write was sent');
  if (writes.hung > 0)
    failures.push(
      `${writes.hung} writes did not end within ${WRITE_TIMEOUT_S} s + ${WRITE_MARGIN_MS / 1000} s`,
    );
  if (writes.endedTwice > 0) failures.push(`${writes.endedTwice} writes ended twice (output and Catch)`);
  if (writes.outputs + writes.caught + writes.hung !== writes.sent)
    failures.push(
      `${writes.sent} sent ≠ ${writes.outputs} outputs + ${writes.caught} caught + ${writes.hung} hung`,
    );
  return {
    name: 'writes',
    goal: `every write during the faults ends in an output or a Catch within its timeout (${WRITE_TIMEOUT_S} s) + ${WRITE_MARGIN_MS / 1000} s: 0 hung`,
    pass: failures.length === 0,
    figures: {
      'writes sent': writes.sent,
      outputs: writes.outputs,
      'caught errors': writes.caught,
      'caught by code': Object.entries(writes.caughtByCode)
        .sort(([, a], [, b]) => b - a)
        .map(([code, count]) => `${code} ${count}`)
        .join(', '),
      'ended after the timeout (within the margin)': writes.late,
      hung: writes.hung,
      'slowest write (ms)': Math.round(writes.slowestMs),
    },
    failures,
  };
};
