// What a repeating task's conversion tells the user about daylight saving: exactly what will happen,
// and when. A task that a following sync node keeps (followDst) needs a word only on the days its local
// time is skipped or repeated; any other task keeps its one UTC time, and the warning says what its local
// time becomes after the next change of offset.
import { oddDays, type LocalRepeat } from './dst-plan';
import {
  DAY_MS,
  dateMs,
  hhmm,
  localParts,
  minutesOf,
  nextOffsetChange,
  offsetText,
  utcParts,
  type OffsetChange,
} from './time-zones';

export interface RepeatWarningContext {
  timeZone: string;
  /** The instant the task's first run is looked for from (now, or its start date). */
  from: number;
  /** The task's last local date, or ''. */
  end: string;
  /** The offset it was written with, and the UTC time that gave. */
  offset: number;
  utcTime: string;
  followDst: boolean;
}

/** The wall clock readings on either side of a change: `02:00` to `03:00`. */
function jump(change: OffsetChange): { from: string; to: string } {
  const utcMinutes = minutesOf(utcParts(change.at).time);
  return { from: hhmm(utcMinutes + change.before), to: hhmm(utcMinutes + change.after) };
}

export function repeatWarnings(task: LocalRepeat, context: RepeatWarningContext): string[] {
  const { timeZone, from, end, offset, utcTime } = context;
  const until = Math.min(end ? dateMs(end) + DAY_MS : Infinity, from + 366 * DAY_MS);
  if (context.followDst) {
    return oddDays(task, timeZone, from, until).map(({ change, run }) => {
      const clocks = jump(change);
      if (run.kind === 'gap')
        return (
          `on ${run.date} ${task.time} does not exist in ${timeZone} (the clocks jump from ${clocks.from} to ${clocks.to}): ` +
          `that day the task runs at ${localParts(run.intended, timeZone).time}, then at ${task.time} again from the next run`
        );
      return (
        `on ${run.date} ${task.time} happens twice in ${timeZone} (the clocks go back from ${clocks.from} to ${clocks.to}): ` +
        `the task runs once, at the first ${task.time} (${offsetText(change.before)}, ${utcParts(run.intended).time} UTC)`
      );
    });
  }
  // Changes of the last two days count too: the task may have been written with the offset before one.
  for (let change = nextOffsetChange(from - 2 * DAY_MS, timeZone); change && change.at < until;) {
    const lastDate = end || localParts(until, timeZone).date;
    const runsAfter = localParts(change.at, timeZone).date <= lastDate;
    if (change.after !== offset && runsAfter) {
      const { date } = localParts(change.at, timeZone);
      const localAfter = hhmm(minutesOf(utcTime) + change.after);
      return [
        `${timeZone} changes from ${offsetText(change.before)} to ${offsetText(change.after)} on ${date} at ${jump(change).from}; ` +
          `the cloud keeps ${utcTime} UTC, so from then on this task runs at ${localAfter} local time instead of ${task.time}. ` +
          `A sync node with followDst on moves it at the change; otherwise sync it again after the change`,
      ];
    }
    change = nextOffsetChange(change.at, timeZone);
  }
  return [];
}
