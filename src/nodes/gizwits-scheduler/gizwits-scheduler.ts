// gizwits-scheduler: scheduled tasks of a device, a group or a scene through the common scheduler API.
// Users write local times in the node's time zone; the node converts them to the UTC the API requires
// (src/client/schedules.ts) and lists tasks back in local time. `sync` keeps a declared set of tasks,
// matched by remark, equal to the cloud's; with `followDst`, the account's client moves those tasks at
// each daylight saving change (src/client/dst-follow.ts) and the node reports it (dst-report.ts).
import {
  applyInOrder,
  checkTimeZone,
  chooseAction,
  DstFollower,
  encodeWrite,
  type ErrorText,
  fromUtcSchedule,
  type GizwitsClient,
  type Group,
  hostTimeZone,
  inputError,
  keyed,
  nonEmptyText,
  NOTHING,
  plannedChanges,
  planSchedules,
  type ProductSchema,
  type Schedule,
  scheduleDifferences,
  type SchedulePlan,
  toBytes,
  toRestAttrs,
  toUtcSchedule,
  withNodeName,
  type Worded,
  wrappedInputError,
} from '../../client';
import type { GizwitsAccountNode } from '../common/account-node';
import { dstReporter, followClock, followRetry } from './dst-report';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

const TYPE = 'gizwits-scheduler';
const ACTIONS = ['list', 'create', 'update', 'delete', 'sync'] as const;
type Action = (typeof ACTIONS)[number];
const TARGET_KEYS = { device: 'did', group: 'group_id', scene: 'scene_id' } as const;
type Target = keyof typeof TARGET_KEYS;

interface SchedulerDef extends NodeDef {
  account: string;
  target: Target;
  targetId: string;
  action: Action;
  timezone: string;
  /** The declared tasks of `sync`, as the JSON text the editor stores (msg.payload overrides). */
  schedules?: string | unknown[];
  prune?: boolean;
  /** A sync node keeps its repeating tasks at their local time across daylight saving (default true). */
  followDst?: boolean;
  configVersion?: number;
}

type SchedulerMessage = NodeMessageInFlow & {
  warnings?: unknown;
  changes?: unknown;
  applied?: unknown;
  notApplied?: unknown;
};

/** A target's name in a message, in the runtime's language: device, group or scene. */
function targetWord(target: Target): { message: string; text: ErrorText } {
  return keyed(`scheduler.target.${target}`, {});
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

/** The declared tasks of a sync: msg.payload when it is a list (or its JSON text), else the node's. */
function declaredTasks(payload: unknown, configured: unknown): unknown[] {
  let source: unknown =
    Array.isArray(payload) || (typeof payload === 'string' && /^\s*\[/.test(payload)) ? payload : configured;
  if (typeof source === 'string') {
    if (source.trim() === '') throw inputError(TYPE, keyed('scheduler.noTasks', {}));
    try {
      source = JSON.parse(source);
    } catch (error) {
      // The parser's own words (in English) stay as they are.
      const reason = (error as Error).message;
      throw inputError(TYPE, keyed('scheduler.badJson', { reason }));
    }
  }
  if (!Array.isArray(source)) throw inputError(TYPE, keyed('scheduler.notArray', {}));
  return source;
}

export = function (RED: NodeAPI) {
  function GizwitsScheduler(this: Node, def: SchedulerDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const clock = followClock(RED);
    const following = config.followDst !== false && config.action === 'sync';
    const follower = startFollower();

    /** Checks of a task's command that need no call: scenes take none, devices and groups need one. */
    function checkCommandShape(target: Target, schedule: Schedule, where: Worded): void {
      // A task's place in a sync (`task #2 "lights on": `) begins each message; nothing elsewhere.
      const at = (key: string, params: Record<string, string | ErrorText>): Worded =>
        keyed(key, { where: where.text ?? where.message, ...params });
      if (target === 'scene') {
        if (hasCommand(schedule)) throw inputError(TYPE, at('scheduler.sceneCommand', {}));
        return;
      }
      if (!hasCommand(schedule))
        throw inputError(TYPE, at('scheduler.noCommand', { target: targetWord(target).text }));
      if (schedule.raw !== undefined && schedule.raw !== '' && !toBytes(schedule.raw))
        throw inputError(TYPE, at('scheduler.badRaw', {}));
    }

    /** The product schema a device or group task's values are checked against. */
    async function schemaOf(
      acc: GizwitsAccountNode,
      target: Target,
      targetId: string,
    ): Promise<ProductSchema> {
      const registry = acc.devices();
      if (target === 'device') return registry.schemaOfDevice(targetId);
      const groups = (await acc.client().call('groups.list', {})) as Group[];
      const group = groups.find((candidate) => candidate.id === targetId);
      if (!group) throw inputError(TYPE, keyed('scheduler.unknownGroup', { id: targetId }));
      if (!group.product_key)
        throw inputError(TYPE, keyed('scheduler.mixedGroup', { group: group.group_name }));
      return registry.schema(group.product_key);
    }

    /** The task as sent: values validated and encoded, raw as hex, the target set. */
    function encoded(
      schedule: Schedule,
      target: Target,
      targetId: string,
      schema: ProductSchema | undefined,
      where: Worded,
    ): Schedule {
      const out: Schedule = { ...schedule, [TARGET_KEYS[target]]: targetId };
      delete out.attrs;
      delete out.raw;
      if (target === 'scene') return out;
      if (isObject(schedule.attrs) && Object.keys(schedule.attrs).length > 0 && schema) {
        try {
          out.attrs = toRestAttrs(
            schema,
            encodeWrite(schema, schedule.attrs, target === 'device' ? targetId : undefined),
          );
        } catch (error) {
          throw wrappedInputError(TYPE, error, where);
        }
      }
      if (schedule.raw !== undefined && schedule.raw !== '')
        out.raw = Buffer.from(toBytes(schedule.raw)!).toString('hex');
      return out;
    }

    async function listTarget(client: GizwitsClient, target: Target, targetId: string): Promise<Schedule[]> {
      const key = TARGET_KEYS[target];
      const all = (await client.listAll('commonSchedulers.list', { [key]: targetId })) as Schedule[];
      return all.filter((task) => task[key] === targetId);
    }

    onInput<SchedulerMessage>(node, { say, asError }, async (msg) => {
      const action = chooseAction(TYPE, undefined, config.action, ACTIONS);
      const target = config.target in TARGET_KEYS ? config.target : undefined;
      if (!target)
        throw inputError(
          TYPE,
          keyed('scheduler.unknownTarget', { target: String(JSON.stringify(config.target)) }),
        );
      const targetId = nonEmptyText(config.targetId);
      if (!targetId) throw inputError(TYPE, keyed('scheduler.noTarget', { target: targetWord(target).text }));
      let timeZone: string;
      try {
        timeZone = checkTimeZone(nonEmptyText(config.timezone) ?? hostTimeZone());
      } catch (error) {
        throw withNodeName(TYPE, error);
      }
      const options = { timeZone, now: clock.now(), followDst: following && action === 'sync' };
      const view = (task: Schedule) => fromUtcSchedule(task, options);
      const convert = (input: unknown, where: Worded) => {
        let conversion: ReturnType<typeof toUtcSchedule>;
        try {
          conversion = toUtcSchedule(input, options);
        } catch (error) {
          throw withNodeName(TYPE, error, where);
        }
        // Its errors already name the node and the task: not wrapped a second time.
        checkCommandShape(target, conversion.schedule, where);
        return conversion;
      };
      const warnings: string[] = [];
      /** The status text of the outcome, given the time the action ended. */
      let outcome: (time: string) => string;

      if (action === 'list') {
        const tasks = await listTarget(account.require().client(), target, targetId);
        msg.payload = tasks.map(view);
        outcome = (time) => say('status.listed', { tasks: tasks.length, time });
      } else if (action === 'delete') {
        const id = nonEmptyText(isObject(msg.payload) ? msg.payload.id : msg.payload);
        if (!id) throw inputError(TYPE, keyed('scheduler.deleteNoId', {}));
        await account.require().client().call('commonSchedulers.delete', { id });
        msg.payload = { id };
        outcome = (time) => say('status.deleted', { time });
      } else if (action === 'create') {
        const conversion = convert(msg.payload, NOTHING);
        warnings.push(...conversion.warnings);
        const acc = account.require();
        const schema = target === 'scene' ? undefined : await schemaOf(acc, target, targetId);
        const task = encoded(conversion.schedule, target, targetId, schema, NOTHING);
        const { id } = await acc.client().call('commonSchedulers.create', task);
        msg.payload = view({ ...task, id });
        outcome = (time) => say('status.created', { time });
      } else if (action === 'update') {
        const id = isObject(msg.payload) ? nonEmptyText(msg.payload.id) : undefined;
        if (!id) throw inputError(TYPE, keyed('scheduler.updateNoId', {}));
        const acc = account.require();
        const current = (await listTarget(acc.client(), target, targetId)).find((task) => task.id === id);
        if (!current)
          throw inputError(
            TYPE,
            keyed('scheduler.noSuchTask', { target: targetWord(target).text, targetId, id }),
          );
        const conversion = convert({ ...view(current), ...(msg.payload as object) }, NOTHING);
        warnings.push(...conversion.warnings);
        const schema = target === 'scene' ? undefined : await schemaOf(acc, target, targetId);
        const task = encoded(conversion.schedule, target, targetId, schema, NOTHING);
        await acc.client().call('commonSchedulers.update', { ...task, id });
        msg.payload = view({ ...task, id });
        outcome = (time) => say('status.updated', { time });
      } else {
        const plan = await sync(msg, target, targetId, convert, warnings);
        msg.payload = {
          create: plan.create.map(view),
          update: plan.update.map(view),
          delete: plan.delete.map(view),
          unchanged: plan.unchanged.map(view),
        };
        msg.changes = plan.changes;
        const changes = `+${plan.create.length} ~${plan.update.length} -${plan.delete.length} =${plan.unchanged.length}`;
        outcome = (time) => say('status.synced', { changes, time });
      }
      if (warnings.length) {
        msg.warnings = warnings;
        for (const warning of warnings) node.warn(warning);
      }
      node.status({
        fill: warnings.length ? 'yellow' : 'green',
        shape: 'dot',
        text: outcome(clockTime()),
      });
    });

    /** The DST follower of a sync node's declared tasks, run by the account's client; stopped on close. */
    function startFollower(): DstFollower | undefined {
      const key = TARGET_KEYS[config.target];
      const targetId = nonEmptyText(config.targetId);
      if (!following || !key || !targetId) return undefined;
      let tasks: unknown[] = [];
      let timeZone: string;
      let created: DstFollower;
      try {
        tasks = declaredTasks(undefined, config.schedules);
        timeZone = checkTimeZone(nonEmptyText(config.timezone) ?? hostTimeZone());
        created = new DstFollower({
          client: account.require().client(),
          target: { key, id: targetId },
          timeZone,
          tasks,
          clock,
          retry: followRetry(RED),
          onReport: dstReporter(node, say, asError),
        });
      } catch {
        // The node's first message says what is wrong with its configuration.
        return undefined;
      }
      node.on('close', () => created.stop());
      created.start();
      return created;
    }

    async function sync(
      msg: SchedulerMessage,
      target: Target,
      targetId: string,
      convert: (input: unknown, where: Worded) => ReturnType<typeof toUtcSchedule>,
      warnings: string[],
    ): Promise<SchedulePlan> {
      const declared = declaredTasks(msg.payload, config.schedules);
      const remarks = new Set<string>();
      const converted = declared.map((input, index) => {
        const remark = isObject(input) ? nonEmptyText(input.remark) : undefined;
        const where = remark
          ? keyed('scheduler.where.named', { index: index + 1, remark })
          : keyed('scheduler.where.task', { index: index + 1 });
        if (!remark) throw inputError(TYPE, keyed('scheduler.noRemark', { where: where.text }));
        if (remarks.has(remark)) throw inputError(TYPE, keyed('scheduler.sameRemark', { where: where.text }));
        remarks.add(remark);
        const conversion = convert(input, where);
        warnings.push(...conversion.warnings.map((warning) => `${where.message}${warning}`));
        return { schedule: conversion.schedule, where };
      });
      const acc = account.require();
      const client = acc.client();
      const schema =
        target === 'scene' || converted.length === 0 ? undefined : await schemaOf(acc, target, targetId);
      const tasks = converted.map(({ schedule, where }) =>
        encoded(schedule, target, targetId, schema, where),
      );
      const plan = planSchedules(tasks, await listTarget(client, target, targetId), config.prune === true);
      try {
        await applyInOrder<Schedule[]>(
          TYPE,
          plannedChanges<Schedule>(plan, {
            name: (task) => task.remark ?? '',
            id: (task) => task.id,
            sameIn: (task, now) =>
              now.some(
                (current) =>
                  current.remark === task.remark && scheduleDifferences(task, current).length === 0,
              ),
            create: async (task) => {
              task.id = (await client.call('commonSchedulers.create', task)).id;
            },
            update: async (task) => {
              await client.call('commonSchedulers.update', task as Schedule & { id: string });
            },
            remove: async (task) => {
              await client.call('commonSchedulers.delete', { id: task.id! });
            },
          }),
          () => listTarget(client, target, targetId),
        );
        follower?.setTasks(declared);
      } catch (error) {
        const report = (error as { report?: { applied: string[]; notApplied: string[] } }).report;
        if (report) {
          msg.applied = report.applied;
          msg.notApplied = report.notApplied;
        }
        throw error;
      }
      return plan;
    }
  }

  RED.nodes.registerType(TYPE, GizwitsScheduler as never);
};
