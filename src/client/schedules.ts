// Scheduled tasks: the public face of the field checks (schedule-fields.ts), the conversion between local
// time and the cloud's UTC (schedule-convert.ts) and the sync plan (schedule-plan.ts).
export {
  WEEKDAYS,
  type ConvertOptions,
  type LocalSchedule,
  type LocalScheduleView,
  type UtcConversion,
  type UtcTiming,
  type Weekday,
} from './schedule-fields';
export { fromUtcSchedule, localRepeatOf, toUtcSchedule } from './schedule-convert';
export { planSchedules, scheduleDifferences, scheduleEssence, type SchedulePlan } from './schedule-plan';
