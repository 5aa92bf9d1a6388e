// What the scheduler node says about the DST follower's work (src/client/dst-follow.ts): a status and one
// output message per pass that moved or failed to move a task. The follower runs in the client, by the
// clock and retry tuning of Node-RED's settings (`gizwits: {dstRetries, dstRetryBaseMs, dstRetryCapMs}`).
import {
  durationText,
  offsetText,
  REAL_CLOCK,
  type DstFollowReport,
  type FollowClock,
  type FollowRetry,
} from '../../client';
import type { Node, NodeAPI, Say } from '../common/red';
import { gizwitsSettings } from '../common/settings';
import { clockTime } from '../common/status';

/** The clock the follower runs by: the real one, or the one a test puts in the settings (`gizwits.clock`). */
export function followClock(RED: NodeAPI): FollowClock {
  const clock = gizwitsSettings(RED).clock as Partial<FollowClock> | undefined;
  return clock &&
    typeof clock.now === 'function' &&
    typeof clock.setTimeout === 'function' &&
    typeof clock.clearTimeout === 'function'
    ? (clock as FollowClock)
    : REAL_CLOCK;
}

export function followRetry(RED: NodeAPI): Partial<FollowRetry> {
  const settings = gizwitsSettings(RED);
  const num = (key: string) => (typeof settings[key] === 'number' ? (settings[key] as number) : undefined);
  const retry: Partial<FollowRetry> = {};
  if (num('dstRetries') !== undefined) retry.retries = num('dstRetries');
  if (num('dstRetryBaseMs') !== undefined) retry.baseMs = num('dstRetryBaseMs');
  if (num('dstRetryCapMs') !== undefined) retry.capMs = num('dstRetryCapMs');
  return retry;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Turns the follower's reports into the node's status, log and output messages. */
export function dstReporter(
  node: Node,
  say: Say,
  asError: (error: unknown) => Error,
): (report: DstFollowReport) => void {
  return (report) => {
    const time = clockTime();
    const change = report.change;
    const payload = {
      event: 'dst',
      reason: report.reason,
      timezone: report.timeZone,
      ...(change
        ? { change: { at: iso(change.at), from: offsetText(change.before), to: offsetText(change.after) } }
        : {}),
      updated: report.updated.map((task) => ({
        remark: task.remark,
        id: task.id,
        utcTime: { from: task.from, to: task.to },
        offset: offsetText(task.offset),
      })),
      failed: report.failed.map((task) => ({
        remark: task.remark,
        id: task.id,
        error: asError(task.error).message,
        attempts: task.attempts,
        offBy: durationText(task.offByMinutes),
        ...(task.retryAt !== undefined ? { retryAt: iso(task.retryAt) } : {}),
      })),
      ...(report.listError !== undefined ? { error: asError(report.listError).message } : {}),
      ...(report.retryAt !== undefined ? { retryAt: iso(report.retryAt) } : {}),
    };
    if (report.listError !== undefined) {
      node.warn(asError(report.listError));
      node.status({
        fill: 'yellow',
        shape: 'ring',
        text: say('status.dstCheckFailed', { time }),
      });
    } else if (report.failed.length > 0) {
      const first = report.failed[0];
      const tasks =
        report.failed.length > 1 ? `"${first.remark}" +${report.failed.length - 1}` : `"${first.remark}"`;
      const offBy = durationText(first.offByMinutes);
      const givenUp = report.failed.some((task) => task.retryAt === undefined);
      for (const task of report.failed) node.warn(asError(task.error));
      node.status(
        givenUp
          ? {
              fill: 'red',
              shape: 'ring',
              text: say('status.dstGaveUp', {
                tasks,
                offBy,
              }),
            }
          : {
              fill: 'yellow',
              shape: 'ring',
              text: say('status.dstOff', { tasks, offBy }),
            },
      );
    } else {
      const offset = report.updated.length ? offsetText(report.updated[0].offset) : '';
      const count = report.updated.length;
      node.status({
        fill: 'green',
        shape: 'dot',
        text: say('status.dstMoved', { count, offset, time }),
      });
    }
    node.send({ topic: 'dst', payload });
  };
}
