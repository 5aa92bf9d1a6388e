// gizwits-scheduler: scheduled tasks of a device, a group or a scene through the common scheduler API.
// Users write local times in the node's time zone; the client's schedule service converts them to the UTC
// the API requires (src/client/schedule-service.ts) and lists tasks back in local time. `sync` keeps a
// declared set of tasks, matched by remark, equal to the cloud's; with `followDst`, the account's client
// moves those tasks at each daylight saving change (src/client/dst-follow.ts) and the node reports it
// (dst-report.ts).
import {
  checkTimeZone,
  chooseAction,
  declaredTasks,
  hostTimeZone,
  inputError,
  keyed,
  nonEmptyText,
  SCHEDULE_TARGET_KEYS,
  scheduleService,
  targetWord,
  withNodeName,
  type ScheduleTargetKind,
} from '../../client';
import { onInput } from '../common/input';
import { setUpNode } from '../common/node-setup';
import type { Node, NodeAPI, NodeDef } from '../common/red';
import { clockTime } from '../common/status';
import { ACTIONS_RUN, TYPE, type SchedulerMessage } from './actions';
import { followClock } from './dst-report';
import { startFollower } from './follower';

const ACTIONS = ['list', 'create', 'update', 'delete', 'sync'] as const;
type Action = (typeof ACTIONS)[number];

interface SchedulerDef extends NodeDef {
  account: string;
  target: ScheduleTargetKind;
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

export = function (RED: NodeAPI) {
  function GizwitsScheduler(this: Node, def: SchedulerDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const clock = followClock(RED);
    const following = config.followDst !== false && config.action === 'sync';
    const timeZone = () => checkTimeZone(nonEmptyText(config.timezone) ?? hostTimeZone());
    const key = SCHEDULE_TARGET_KEYS[config.target];
    const configuredId = nonEmptyText(config.targetId);
    const follower =
      following && key && configuredId
        ? startFollower(RED, node, {
            client: () => account.require().client(),
            target: { key, id: configuredId },
            tasks: () => declaredTasks(TYPE, undefined, config.schedules),
            timeZone,
            clock,
            say,
            asError,
          })
        : undefined;

    onInput<SchedulerMessage>(node, { say, asError }, async (msg) => {
      const action = chooseAction(TYPE, undefined, config.action, ACTIONS);
      const kind = config.target in SCHEDULE_TARGET_KEYS ? config.target : undefined;
      if (!kind)
        throw inputError(
          TYPE,
          keyed('scheduler.unknownTarget', { target: String(JSON.stringify(config.target)) }),
        );
      const id = nonEmptyText(config.targetId);
      if (!id) throw inputError(TYPE, keyed('scheduler.noTarget', { target: targetWord(kind).text }));
      let zone: string;
      try {
        zone = timeZone();
      } catch (error) {
        throw withNodeName(TYPE, error);
      }
      const options = { timeZone: zone, now: clock.now(), followDst: following && action === 'sync' };
      const acc = () => account.require();
      const tasks = scheduleService(
        () => acc().client(),
        () => acc().devices(),
        TYPE,
        options,
      );
      const context = { say, declared: config.schedules, prune: config.prune === true, follower };
      const outcome = await ACTIONS_RUN[action](tasks, { kind, id }, msg, context);
      msg.payload = outcome.payload;
      const warnings = outcome.warnings ?? [];
      if (warnings.length) {
        msg.warnings = warnings;
        for (const warning of warnings) node.warn(warning);
      }
      const text = outcome.status(clockTime());
      node.status({ fill: warnings.length ? 'yellow' : 'green', shape: 'dot', text });
    });
  }

  RED.nodes.registerType(TYPE, GizwitsScheduler as never);
};
