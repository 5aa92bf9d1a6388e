// The DST follower of a sync scheduler node: started with the node, run by the account's client, stopped
// when the node closes; its reports reach the flow through dst-report.ts.
import { DstFollower, type FollowClock, type GizwitsClient } from '../../client';
import type { Node, NodeAPI, Say } from '../common/red';
import { dstReporter, followRetry } from './dst-report';

/**
 * The DST follower of a sync node's declared tasks, run by the account's client and stopped when the node
 * closes; none when the configuration cannot work (the node's first message says what is wrong with it).
 */
export function startFollower(
  RED: NodeAPI,
  node: Node,
  options: {
    client: () => GizwitsClient;
    target: { key: 'did' | 'group_id' | 'scene_id'; id: string };
    tasks: () => unknown[];
    timeZone: () => string;
    clock: FollowClock;
    say: Say;
    asError: (error: unknown) => Error;
  },
): DstFollower | undefined {
  let follower: DstFollower;
  try {
    const tasks = options.tasks();
    const timeZone = options.timeZone();
    follower = new DstFollower({
      client: options.client(),
      target: options.target,
      timeZone,
      tasks,
      clock: options.clock,
      retry: followRetry(RED),
      onReport: dstReporter(node, options.say, options.asError),
    });
  } catch {
    return undefined;
  }
  node.on('close', () => follower.stop());
  follower.start();
  return follower;
}
