// Which offset a repeating task's one UTC time must be written with, and when it must move to the next.
// The cloud keeps one UTC time per task (docs/open-api.md), so a task in a zone with daylight saving is right
// only while its UTC time was converted with the offset of its next run. Pure functions of a clock
// reading (`now`), so that the scheduler's conversion and the DST follower (dst-follow.ts) agree.
//
// Around a change of offset at C, each day the task runs has three instants: the one intended (its
// local time that day; a skipped time runs as the old offset carries it past the jump, a repeated one
// runs at the first), the old UTC time and the new UTC time. Days whose intended run is the old UTC
// time belong to the old offset; the rest to the new. The update must come after the old offset's last
// run and after the new UTC time of that day has passed (or the task runs twice), and no later than the
// first run that belongs to the new offset.
import {
  addDays,
  DAY_MS,
  MINUTE_MS,
  dateMs,
  localParts,
  minutesOf,
  nextOffsetChange,
  offsetMinutesAt,
  resolveLocalTime,
  type OffsetChange,
} from './time-zones';

/** A repeating task in local terms: its time and whether it runs on a local date (its range included). */
export interface LocalRepeat {
  time: string;
  runsOn(date: string): boolean;
}

/** Margin around a run, so that a cloud firing a little late is not caught by the update. */
export const SETTLE_MS = 2 * MINUTE_MS;
/** A change happened "recently" for as long as an update may still be owed to it. */
const RECENT_MS = 2 * DAY_MS;

interface RunDay {
  date: string;
  intended: number;
  kind: 'exact' | 'ambiguous' | 'gap';
  old: number;
  next: number;
  ownedByOld: boolean;
}

function runDay(task: LocalRepeat, date: string, change: OffsetChange, timeZone: string): RunDay {
  const local = dateMs(date) + minutesOf(task.time) * MINUTE_MS;
  const resolved = resolveLocalTime(date, task.time, timeZone);
  const old = local - change.before * MINUTE_MS;
  return {
    date,
    intended: resolved.instant,
    kind: resolved.kind,
    old,
    next: local - change.after * MINUTE_MS,
    ownedByOld: resolved.instant < change.at || resolved.instant === old,
  };
}

/** The last run day owed by the old offset, looking back from the day after the change to `since`. */
function lastOldRun(task: LocalRepeat, change: OffsetChange, timeZone: string, since: string) {
  const day = localParts(change.at, timeZone).date;
  for (let date = addDays(day, 1); date >= since; date = addDays(date, -1)) {
    if (!task.runsOn(date)) continue;
    const run = runDay(task, date, change, timeZone);
    if (run.ownedByOld) return run;
  }
  return undefined;
}

/** The first run day that belongs to the new offset, looking on from the day before the change. */
function firstNewRun(task: LocalRepeat, change: OffsetChange, timeZone: string, until: string) {
  const day = localParts(change.at, timeZone).date;
  for (let date = addDays(day, -1); date <= until; date = addDays(date, 1)) {
    if (!task.runsOn(date)) continue;
    const run = runDay(task, date, change, timeZone);
    if (!run.ownedByOld) return run;
  }
  return undefined;
}

/**
 * When the follower moves a task across `change`: at the change itself, unless a run on the days around
 * it needs otherwise (a skipped or repeated local time, or a run within minutes of the change).
 */
export function updateMoment(task: LocalRepeat, change: OffsetChange, timeZone: string): number {
  const day = localParts(change.at, timeZone).date;
  const owed = lastOldRun(task, change, timeZone, addDays(day, -2));
  const first = firstNewRun(task, change, timeZone, addDays(day, 2));
  let at = change.at;
  if (first) at = Math.min(at, Math.min(first.old, first.next) - SETTLE_MS);
  if (owed) at = Math.max(at, Math.max(owed.old, owed.next) + SETTLE_MS);
  return at;
}

/** The change of offset that decides a task's UTC time at `now`: the last two days' or the next one. */
function decidingChange(now: number, timeZone: string): OffsetChange | undefined {
  return nextOffsetChange(now - RECENT_MS, timeZone);
}

/**
 * The offset a new task is written with at `now`: that of its next run, except that the old offset is
 * kept while it still owes a run (see above). Zones without changes: their one offset.
 */
export function offsetForRepeat(task: LocalRepeat, timeZone: string, now: number): number {
  const change = decidingChange(now, timeZone);
  if (!change) return offsetMinutesAt(now, timeZone);
  const owed = lastOldRun(task, change, timeZone, addDays(localParts(now, timeZone).date, -1));
  return owed && Math.max(owed.old, owed.next) + SETTLE_MS > now ? change.before : change.after;
}

export interface DstStance {
  /** The offset the task's UTC time should be written with now. */
  desired: number;
  /** Offsets that are right now (both, between the old offset's last run and the update moment). */
  accepted: number[];
  /** When the task must next be moved (epoch ms); undefined in a zone without changes. */
  nextUpdateAt?: number;
  /** The change that `nextUpdateAt` belongs to. */
  nextChange?: OffsetChange;
  /** The change that decides `desired`: the one of the last two days, or the next. */
  decidedBy?: OffsetChange;
}

/** What the follower holds a task to at `now`, and when it next needs to look at it. */
export function dstStance(task: LocalRepeat, timeZone: string, now: number): DstStance {
  const change = decidingChange(now, timeZone);
  if (!change) {
    const offset = offsetMinutesAt(now, timeZone);
    return { desired: offset, accepted: [offset] };
  }
  const moment = updateMoment(task, change, timeZone);
  if (now >= moment) {
    const next = nextOffsetChange(change.at, timeZone);
    return {
      desired: change.after,
      accepted: [change.after],
      decidedBy: change,
      ...(next ? { nextChange: next, nextUpdateAt: updateMoment(task, next, timeZone) } : {}),
    };
  }
  const early = offsetForRepeat(task, timeZone, now) === change.after;
  return {
    desired: change.before,
    accepted: early ? [change.before, change.after] : [change.before],
    nextChange: change,
    nextUpdateAt: moment,
    decidedBy: change,
  };
}

/** The days around the changes up to `until` on which the task's local time is skipped or repeated. */
export function oddDays(
  task: LocalRepeat,
  timeZone: string,
  from: number,
  until: number,
): Array<{ change: OffsetChange; run: RunDay }> {
  const found: Array<{ change: OffsetChange; run: RunDay }> = [];
  for (let change = nextOffsetChange(from, timeZone); change && change.at <= until;) {
    const day = localParts(change.at, timeZone).date;
    for (const date of [addDays(day, -1), day, addDays(day, 1)]) {
      if (!task.runsOn(date)) continue;
      const run = runDay(task, date, change, timeZone);
      if (run.kind !== 'exact' && run.intended >= from) found.push({ change, run });
    }
    change = nextOffsetChange(change.at, timeZone);
  }
  return found;
}
