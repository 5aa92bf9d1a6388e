// Comparing scheduled tasks and planning a sync of one target's tasks, matched by remark (sync-plan.ts).
import { utcTimingOf, WEEKDAYS } from './schedule-fields';
import { fieldDifferences, planSync, type DeclaredSyncPlan } from './sync-plan';
import type { Schedule } from './types';

/** The fields that decide when and what a task does, in one canonical shape, for comparing tasks. */
export function scheduleEssence(schedule: Schedule): Record<string, unknown> {
  const utc = utcTimingOf(schedule);
  return {
    ...utc,
    days: [...utc.days].sort((a, b) => a - b),
    repeat:
      utc.repeat === 'none' || utc.repeat === 'day'
        ? utc.repeat
        : WEEKDAYS.filter((day) => utc.repeat.split(',').includes(day)).join(','),
    date: utc.repeat === 'none' ? utc.date : '',
    enabled: schedule.enabled !== false,
    remark: schedule.remark ?? '',
    attrs: schedule.attrs && Object.keys(schedule.attrs).length > 0 ? schedule.attrs : {},
    raw: schedule.raw ? String(schedule.raw).toLowerCase() : '',
  };
}

/** The fields in which two tasks differ (empty: the same task). */
export function scheduleDifferences(a: Schedule, b: Schedule): string[] {
  return fieldDifferences(scheduleEssence(a), scheduleEssence(b));
}

/** A schedule sync's plan; `changes` is keyed by remark. */
export type SchedulePlan = DeclaredSyncPlan<Schedule>;

/** What turns the cloud's tasks (of one target) into the declared ones, matched by remark. */
export function planSchedules(declared: Schedule[], cloud: Schedule[], prune: boolean): SchedulePlan {
  const sorted = [...cloud].sort((a, b) =>
    String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')),
  );
  const plan = planSync(declared, sorted, (task) => task.remark ?? '', scheduleDifferences);
  return {
    create: plan.create,
    update: plan.update.map(({ declared: task, current }) => ({ ...task, id: current.id })),
    delete: prune ? plan.extra : [],
    unchanged: plan.unchanged.map(({ declared: task, current }) => ({ ...task, id: current.id })),
    changes: Object.fromEntries(
      plan.update.map(({ declared: task, changed }) => [task.remark ?? '', changed]),
    ),
  };
}
