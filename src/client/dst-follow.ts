// Keeps a sync node's repeating tasks at their local time across daylight saving. The cloud stores one
// UTC time per task (docs/open-api.md), so at each change of the zone's offset the follower rewrites the UTC
// time of the tasks the node manages: its declared tasks, matched by remark with the target's tasks as
// sync matches them. It checks once when started (Node-RED may have been down at a change), then sleeps
// until the next update moment (dst-plan.ts). One update per task and change; a failed one is retried
// with a growing pause a few times (the account's client adds its own per-account budget).
//
// It only moves a task between the UTC timings its declaration gives with the zone's offsets: a task
// that differs in any other way was changed by someone else, and putting it back is sync's business.
import { doublingPause } from './backoff';
import type { GizwitsClient } from './client';
import { dstStance } from './dst-plan';
import { localRepeatOf, scheduleEssence, toUtcSchedule, type LocalSchedule } from './schedules';
import { DAY_MS, nextOffsetChange, offsetMinutesAt, type OffsetChange } from './time-zones';
import type { Schedule } from './types';

/** The clock and timers the follower runs by; tests pass their own. */
export interface FollowClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_CLOCK: FollowClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface FollowRetry {
  /** Repeats of a failed update before the follower gives up until the next change or start. */
  retries: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_FOLLOW_RETRY: FollowRetry = { retries: 5, baseMs: 60_000, capMs: 15 * 60_000 };

/** The longest delay setTimeout takes (about 24.8 days); longer waits are made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const TIMING_FIELDS = ['time', 'repeat', 'days', 'start_date', 'end_date'] as const;

export interface DstTaskUpdate {
  remark: string;
  id: string;
  /** The UTC time before and after, and the offset the task now follows. */
  from: string;
  to: string;
  offset: number;
}

export interface DstTaskFailure {
  remark: string;
  id: string;
  error: unknown;
  /** Failed attempts so far, and when the next is due (none: given up). */
  attempts: number;
  retryAt?: number;
  /** Minutes the task runs away from its local time until it is updated. */
  offByMinutes: number;
}

export interface DstFollowReport {
  reason: 'start' | 'change' | 'retry';
  timeZone: string;
  /** The offset change the updates follow. */
  change?: OffsetChange;
  updated: DstTaskUpdate[];
  failed: DstTaskFailure[];
  /** Listing the target's tasks failed: nothing could be checked (retried as updates are). */
  listError?: unknown;
  retryAt?: number;
}

export interface DstFollowerOptions {
  client: Pick<GizwitsClient, 'call' | 'listAll'>;
  /** The target's key and id, as sync lists it: `{did: "…"}`, `{group_id: "…"}` or `{scene_id: "…"}`. */
  target: { key: 'did' | 'group_id' | 'scene_id'; id: string };
  timeZone: string;
  /** The declared tasks, in local time, as sync takes them. */
  tasks: unknown[];
  onReport(report: DstFollowReport): void;
  clock?: FollowClock;
  retry?: Partial<FollowRetry>;
}

interface Managed {
  declared: LocalSchedule & { remark: string };
  repeat: NonNullable<ReturnType<typeof localRepeatOf>>;
}

function managedOf(tasks: unknown[]): Managed[] {
  const managed: Managed[] = [];
  for (const task of tasks) {
    if (!task || typeof task !== 'object' || typeof (task as LocalSchedule).remark !== 'string') continue;
    try {
      const repeat = localRepeatOf(task as LocalSchedule);
      if (repeat) managed.push({ declared: task as Managed['declared'], repeat });
    } catch {
      // A task sync would refuse is not followed either; sync says what is wrong with it.
    }
  }
  return managed;
}

function timingOf(schedule: Schedule): string {
  const essence = scheduleEssence(schedule);
  return JSON.stringify(TIMING_FIELDS.map((field) => essence[field]));
}

/** The offsets a zone takes within a year either side of `now`. */
export function zoneOffsets(timeZone: string, now: number): number[] {
  const offsets = new Set<number>();
  for (let month = -13; month <= 13; month++)
    offsets.add(offsetMinutesAt(now + month * 30 * DAY_MS, timeZone));
  return [...offsets];
}

export class DstFollower {
  private managed: Managed[];
  private readonly clock: FollowClock;
  private readonly retry: FollowRetry;
  private timer: unknown;
  private stopped = true;
  private running = false;
  /** `remark@change:offset` of every update made: one per task and change. */
  private readonly done = new Set<string>();
  /** Failed attempts by the same key. */
  private readonly attempts = new Map<string, number>();
  private listFailures = 0;

  constructor(private readonly options: DstFollowerOptions) {
    this.managed = managedOf(options.tasks);
    this.clock = options.clock ?? REAL_CLOCK;
    this.retry = { ...DEFAULT_FOLLOW_RETRY, ...options.retry };
  }

  /** Whether the zone changes offset at all (otherwise the follower has nothing to do). */
  get hasChanges(): boolean {
    return zoneOffsets(this.options.timeZone, this.clock.now()).length > 1;
  }

  /** Checks the tasks now, then at every update moment, until stopped. */
  start(): void {
    if (!this.stopped || !this.hasChanges) return;
    this.stopped = false;
    // On the clock's next turn: the user (a node) has finished starting before the first report.
    this.armAt(this.clock.now(), 'start');
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  /** New declared tasks (a sync given its tasks in msg.payload): followed from now on. */
  setTasks(tasks: unknown[]): void {
    this.managed = managedOf(tasks);
    if (!this.stopped && !this.running) this.armNext(this.clock.now());
  }

  /** One look at every managed task; updates those a change of offset left behind. */
  async pass(reason: DstFollowReport['reason']): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      await this.check(reason);
    } finally {
      this.running = false;
    }
  }

  private async check(reason: DstFollowReport['reason']): Promise<void> {
    const { timeZone, target, client } = this.options;
    const now = this.clock.now();
    let cloud: Schedule[];
    try {
      const all = (await client.listAll('commonSchedulers.list', { [target.key]: target.id })) as Schedule[];
      cloud = all
        .filter((task) => task[target.key] === target.id)
        .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
      this.listFailures = 0;
    } catch (error) {
      if (this.stopped) return;
      this.listFailures++;
      const retryAt =
        this.listFailures <= this.retry.retries ? now + this.pause(this.listFailures) : undefined;
      this.options.onReport({ reason, timeZone, updated: [], failed: [], listError: error, retryAt });
      this.armNext(now, retryAt);
      return;
    }
    const report: DstFollowReport = { reason, timeZone, updated: [], failed: [] };
    let retryAt: number | undefined;
    const offsets = zoneOffsets(timeZone, now);
    for (const { declared, repeat } of this.managed) {
      const current = cloud.find((task) => task.remark === declared.remark);
      if (!current?.id) continue;
      const stance = dstStance(repeat, timeZone, now);
      const timingAt = (offset: number): string | undefined => {
        try {
          return timingOf(toUtcSchedule(declared, { timeZone, now, offsetMinutes: offset }).schedule);
        } catch {
          return undefined;
        }
      };
      const held = timingOf(current);
      if (stance.accepted.some((offset) => timingAt(offset) === held)) continue;
      const heldOffset = offsets.find((offset) => timingAt(offset) === held);
      if (heldOffset === undefined) continue;
      const key = `${declared.remark}@${stance.decidedBy?.at ?? 0}:${stance.desired}`;
      if (this.done.has(key)) continue;
      const failures = this.attempts.get(key) ?? 0;
      if (failures > this.retry.retries) continue;
      const wanted = toUtcSchedule(declared, { timeZone, now, offsetMinutes: stance.desired }).schedule;
      report.change ??= this.followedChange(now);
      try {
        await client.call('commonSchedulers.update', {
          ...withoutBookkeeping(current),
          ...timing(wanted),
          id: current.id,
        });
        this.done.add(key);
        this.attempts.delete(key);
        report.updated.push({
          remark: declared.remark,
          id: current.id,
          from: String(current.time),
          to: wanted.time,
          offset: stance.desired,
        });
      } catch (error) {
        const attempts = failures + 1;
        this.attempts.set(key, attempts);
        const next = attempts <= this.retry.retries ? now + this.pause(attempts) : undefined;
        if (next !== undefined) retryAt = Math.min(retryAt ?? Infinity, next);
        report.failed.push({
          remark: declared.remark,
          id: current.id,
          error,
          attempts,
          ...(next !== undefined ? { retryAt: next } : {}),
          offByMinutes: Math.abs(stance.desired - heldOffset),
        });
      }
      if (this.stopped) return;
    }
    if (report.updated.length || report.failed.length) this.options.onReport(report);
    this.armNext(now, retryAt);
  }

  /** The change being caught up with: the last one before now (or within the day ahead, as updates
   * around a change may come minutes before it). */
  private followedChange(now: number): OffsetChange | undefined {
    let found: OffsetChange | undefined;
    for (let change = nextOffsetChange(now - 400 * DAY_MS, this.options.timeZone); change;) {
      if (change.at > now + DAY_MS) break;
      found = change;
      change = nextOffsetChange(change.at, this.options.timeZone);
    }
    return found;
  }

  private pause(attempt: number): number {
    return doublingPause(attempt, this.retry);
  }

  /** Sleeps until the next update moment of any task, or the retry, whichever comes first. */
  private armNext(now: number, retryAt?: number): void {
    if (this.stopped) return;
    let at = retryAt ?? Infinity;
    for (const { repeat } of this.managed) {
      const next = dstStance(repeat, this.options.timeZone, now).nextUpdateAt;
      if (next !== undefined && next > now) at = Math.min(at, next);
    }
    if (at === Infinity) return this.clearTimer();
    this.armAt(at, retryAt !== undefined && at === retryAt ? 'retry' : 'change');
  }

  private armAt(at: number, reason: DstFollowReport['reason']): void {
    this.clearTimer();
    const delay = Math.max(0, at - this.clock.now());
    const handle = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        // A wait longer than setTimeout takes is made of several.
        if (this.clock.now() < at) this.armAt(at, reason);
        else void this.pass(reason);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.timer = handle;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The task as the cloud listed it, without the fields the cloud sets itself. */
function withoutBookkeeping(task: Schedule): Schedule {
  const copy = { ...task };
  delete copy.created_at;
  delete copy.product_key;
  return copy;
}

function timing(schedule: Schedule): Partial<Schedule> {
  return {
    time: schedule.time,
    repeat: schedule.repeat,
    days: schedule.days ?? [],
    start_date: schedule.start_date ?? '',
    end_date: schedule.end_date ?? '',
  };
}
