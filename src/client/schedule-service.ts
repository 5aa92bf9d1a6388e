// The scheduler's services: a target's tasks listed, created, updated, deleted, or synced to a declared
// set (matched by remark), with every task converted to the cloud's UTC, checked and encoded first.
// Errors name the caller (a node type) so that a Catch node sees where bad input came from.
import {
  applyInOrder,
  inputError,
  nonEmptyText,
  NOTHING,
  plannedChanges,
  withNodeName,
  wrappedInputError,
  type Worded,
} from './automation';
import type { GizwitsClient } from './client';
import { encodeWrite, toBytes, toRestAttrs, type ProductSchema } from './datapoints';
import { keyed, type ErrorText } from './errors';
import { groupService } from './groups';
import type { DeviceRegistry } from './registry';
import { fromUtcSchedule, toUtcSchedule } from './schedule-convert';
import type { ConvertOptions, LocalScheduleView, UtcConversion } from './schedule-fields';
import { planSchedules, scheduleDifferences, type SchedulePlan } from './schedule-plan';
import type { Schedule } from './types';

/** The field of a task that names its target, by kind of target. */
export const SCHEDULE_TARGET_KEYS = { device: 'did', group: 'group_id', scene: 'scene_id' } as const;
export type ScheduleTargetKind = keyof typeof SCHEDULE_TARGET_KEYS;
export interface ScheduleTarget {
  kind: ScheduleTargetKind;
  id: string;
}

/** A target's name in a message, in the runtime's language: device, group or scene. */
export function targetWord(kind: ScheduleTargetKind): { message: string; text: ErrorText } {
  return keyed(`scheduler.target.${kind}`, {});
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasCommand(schedule: Schedule): boolean {
  const raw = schedule.raw as unknown;
  return (
    (isObject(schedule.attrs) && Object.keys(schedule.attrs).length > 0) ||
    (raw !== undefined && raw !== null && raw !== '' && !(Array.isArray(raw) && raw.length === 0))
  );
}

/** The declared tasks of a sync: `payload` when it is a list (or its JSON text), else the configured ones. */
export function declaredTasks(caller: string, payload: unknown, configured: unknown): unknown[] {
  let source: unknown =
    Array.isArray(payload) || (typeof payload === 'string' && /^\s*\[/.test(payload)) ? payload : configured;
  if (typeof source === 'string') {
    if (source.trim() === '') throw inputError(caller, keyed('scheduler.noTasks', {}));
    try {
      source = JSON.parse(source);
    } catch (error) {
      // The parser's own words (in English) stay as they are.
      const reason = (error as Error).message;
      throw inputError(caller, keyed('scheduler.badJson', { reason }));
    }
  }
  if (!Array.isArray(source)) throw inputError(caller, keyed('scheduler.notArray', {}));
  return source;
}

export interface ScheduleOutcome<T> {
  result: T;
  /** Things the user should know (an offset change ahead); never a reason to refuse. */
  warnings: string[];
}

/** `client` and `registry` are asked for only when a call needs them, after the input has been checked. */
export function scheduleService(
  client: () => GizwitsClient,
  registry: () => DeviceRegistry,
  caller: string,
  options: ConvertOptions,
) {
  const view = (task: Schedule): LocalScheduleView => fromUtcSchedule(task, options);

  /** Checks of a task's command that need no call: scenes take none, devices and groups need one. */
  function checkCommandShape(kind: ScheduleTargetKind, schedule: Schedule, where: Worded): void {
    // A task's place in a sync (`task #2 "lights on": `) begins each message; nothing elsewhere.
    const at = (key: string, params: Record<string, string | ErrorText>): Worded =>
      keyed(key, { where: where.text ?? where.message, ...params });
    if (kind === 'scene') {
      if (hasCommand(schedule)) throw inputError(caller, at('scheduler.sceneCommand', {}));
      return;
    }
    if (!hasCommand(schedule))
      throw inputError(caller, at('scheduler.noCommand', { target: targetWord(kind).text }));
    if (schedule.raw !== undefined && schedule.raw !== '' && !toBytes(schedule.raw))
      throw inputError(caller, at('scheduler.badRaw', {}));
  }

  function convert(kind: ScheduleTargetKind, input: unknown, where: Worded): UtcConversion {
    let conversion: UtcConversion;
    try {
      conversion = toUtcSchedule(input, options);
    } catch (error) {
      throw withNodeName(caller, error, where);
    }
    // Its errors already name the caller and the task: not wrapped a second time.
    checkCommandShape(kind, conversion.schedule, where);
    return conversion;
  }

  /** The product schema a device or group task's values are checked against; none for a scene. */
  async function schemaOf(target: ScheduleTarget): Promise<ProductSchema | undefined> {
    if (target.kind === 'scene') return undefined;
    if (target.kind === 'device') return registry().schemaOfDevice(target.id);
    const { schema } = await groupService(client(), registry).schemaOf(target.id, {
      unknown: (id) => inputError(caller, keyed('scheduler.unknownGroup', { id })),
      mixed: (group) => inputError(caller, keyed('scheduler.mixedGroup', { group: group.group_name })),
    });
    return schema();
  }

  /** The task as sent: values validated and encoded, raw as hex, the target set. */
  function encoded(
    schedule: Schedule,
    target: ScheduleTarget,
    schema: ProductSchema | undefined,
    where: Worded,
  ): Schedule {
    const out: Schedule = { ...schedule, [SCHEDULE_TARGET_KEYS[target.kind]]: target.id };
    delete out.attrs;
    delete out.raw;
    if (target.kind === 'scene') return out;
    if (isObject(schedule.attrs) && Object.keys(schedule.attrs).length > 0 && schema) {
      try {
        const device = target.kind === 'device' ? target.id : undefined;
        out.attrs = toRestAttrs(schema, encodeWrite(schema, schedule.attrs, device));
      } catch (error) {
        throw wrappedInputError(caller, error, where);
      }
    }
    if (schedule.raw !== undefined && schedule.raw !== '')
      out.raw = Buffer.from(toBytes(schedule.raw)!).toString('hex');
    return out;
  }

  async function list(target: ScheduleTarget): Promise<Schedule[]> {
    const key = SCHEDULE_TARGET_KEYS[target.kind];
    const all = (await client().listAll('commonSchedulers.list', { [key]: target.id })) as Schedule[];
    return all.filter((task) => task[key] === target.id);
  }

  /** One task converted, checked against the target's product and encoded. */
  async function prepared(target: ScheduleTarget, input: unknown): Promise<ScheduleOutcome<Schedule>> {
    const conversion = convert(target.kind, input, NOTHING);
    const schema = await schemaOf(target);
    return { result: encoded(conversion.schedule, target, schema, NOTHING), warnings: conversion.warnings };
  }

  return {
    view,
    /** The target's tasks, in local time. */
    async list(target: ScheduleTarget): Promise<LocalScheduleView[]> {
      return (await list(target)).map(view);
    },
    async delete(id: string): Promise<void> {
      await client().call('commonSchedulers.delete', { id });
    },
    async create(target: ScheduleTarget, input: unknown): Promise<ScheduleOutcome<LocalScheduleView>> {
      const { result: task, warnings } = await prepared(target, input);
      const { id } = await client().call('commonSchedulers.create', task);
      return { result: view({ ...task, id }), warnings };
    },
    /** Changes the task `id` of the target: the fields given replace those it has. */
    async update(
      target: ScheduleTarget,
      id: string,
      fields: object,
    ): Promise<ScheduleOutcome<LocalScheduleView>> {
      const current = (await list(target)).find((task) => task.id === id);
      if (!current)
        throw inputError(
          caller,
          keyed('scheduler.noSuchTask', { target: targetWord(target.kind).text, targetId: target.id, id }),
        );
      const { result: task, warnings } = await prepared(target, { ...view(current), ...fields });
      await client().call('commonSchedulers.update', { ...task, id });
      return { result: view({ ...task, id }), warnings };
    },
    /**
     * Makes the target's tasks equal to the declared ones, matched by remark (`prune` also deletes tasks
     * the set does not declare). Every task is checked before any change; a failure part-way throws an
     * error whose `report` says what was applied and what was not.
     */
    async sync(
      target: ScheduleTarget,
      declared: unknown[],
      { prune }: { prune: boolean },
    ): Promise<ScheduleOutcome<SchedulePlan>> {
      const remarks = new Set<string>();
      const warnings: string[] = [];
      const converted = declared.map((input, index) => {
        const remark = isObject(input) ? nonEmptyText(input.remark) : undefined;
        const where = remark
          ? keyed('scheduler.where.named', { index: index + 1, remark })
          : keyed('scheduler.where.task', { index: index + 1 });
        if (!remark) throw inputError(caller, keyed('scheduler.noRemark', { where: where.text }));
        if (remarks.has(remark))
          throw inputError(caller, keyed('scheduler.sameRemark', { where: where.text }));
        remarks.add(remark);
        const conversion = convert(target.kind, input, where);
        warnings.push(...conversion.warnings.map((warning) => `${where.message}${warning}`));
        return { schedule: conversion.schedule, where };
      });
      const schema = converted.length === 0 ? undefined : await schemaOf(target);
      const tasks = converted.map(({ schedule, where }) => encoded(schedule, target, schema, where));
      const plan = planSchedules(tasks, await list(target), prune);
      await applyInOrder<Schedule[]>(
        caller,
        plannedChanges<Schedule>(plan, {
          name: (task) => task.remark ?? '',
          id: (task) => task.id,
          sameIn: (task, now) =>
            now.some(
              (current) => current.remark === task.remark && scheduleDifferences(task, current).length === 0,
            ),
          create: async (task) => {
            task.id = (await client().call('commonSchedulers.create', task)).id;
          },
          update: async (task) => {
            await client().call('commonSchedulers.update', task as Schedule & { id: string });
          },
          remove: async (task) => {
            await client().call('commonSchedulers.delete', { id: task.id! });
          },
        }),
        () => list(target),
      );
      return { result: plan, warnings };
    },
  };
}

export type ScheduleService = ReturnType<typeof scheduleService>;
