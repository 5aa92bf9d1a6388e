// What each action of gizwits-scheduler does with a message, through the client's schedule service: a
// table of small functions, each returning the output payload, warnings and status text of its outcome.
import {
  declaredTasks,
  inputError,
  keyed,
  nonEmptyText,
  syncSummary,
  type DstFollower,
  type ScheduleService,
  type ScheduleTarget,
} from '../../client';
import { reportingChanges } from '../common/input';
import type { NodeMessageInFlow, Say } from '../common/red';

export const TYPE = 'gizwits-scheduler';

export type SchedulerMessage = NodeMessageInFlow & {
  warnings?: unknown;
  changes?: unknown;
  applied?: unknown;
  notApplied?: unknown;
};

/** What the actions need of the node: its words, its declared tasks and its DST follower. */
export interface ActionContext {
  say: Say;
  /** The configured tasks of `sync` (msg.payload overrides). */
  declared: unknown;
  prune: boolean;
  follower?: DstFollower;
}

/** What an action did: its output payload, warnings, and the status text given the time it ended. */
interface Outcome {
  payload: unknown;
  warnings?: string[];
  status: (time: string) => string;
}

type Run = (
  tasks: ScheduleService,
  target: ScheduleTarget,
  msg: SchedulerMessage,
  context: ActionContext,
) => Promise<Outcome>;

/** What each action does with the message, through the client's schedule service. */
export const ACTIONS_RUN: Record<'list' | 'create' | 'update' | 'delete' | 'sync', Run> = {
  async list(tasks, target, _msg, { say }) {
    const list = await tasks.list(target);
    return { payload: list, status: (time) => say('status.listed', { tasks: list.length, time }) };
  },
  async delete(tasks, _target, msg, { say }) {
    const payload = msg.payload as { id?: unknown } | undefined;
    const id = nonEmptyText(isObject(payload) ? payload.id : payload);
    if (!id) throw inputError(TYPE, keyed('scheduler.deleteNoId', {}));
    await tasks.delete(id);
    return { payload: { id }, status: (time) => say('status.deleted', { time }) };
  },
  async create(tasks, target, msg, { say }) {
    const { result, warnings } = await tasks.create(target, msg.payload);
    return { payload: result, warnings, status: (time) => say('status.created', { time }) };
  },
  async update(tasks, target, msg, { say }) {
    const id = isObject(msg.payload) ? nonEmptyText(msg.payload.id) : undefined;
    if (!id) throw inputError(TYPE, keyed('scheduler.updateNoId', {}));
    const { result, warnings } = await tasks.update(target, id, msg.payload as object);
    return { payload: result, warnings, status: (time) => say('status.updated', { time }) };
  },
  /** The synced plan as output, with the changes it made (or those made before a failure) in `msg`. */
  async sync(tasks, target, msg, { say, declared: configured, prune, follower }) {
    const declared = declaredTasks(TYPE, msg.payload, configured);
    const { result: plan, warnings } = await reportingChanges(msg, () =>
      tasks.sync(target, declared, { prune }),
    );
    follower?.setTasks(declared);
    msg.changes = plan.changes;
    const changes = syncSummary(plan);
    return {
      payload: {
        create: plan.create.map(tasks.view),
        update: plan.update.map(tasks.view),
        delete: plan.delete.map(tasks.view),
        unchanged: plan.unchanged.map(tasks.view),
      },
      warnings,
      status: (time) => say('status.synced', { changes, time }),
    };
  },
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
