// gizwits-scene-trigger: runs a scene (`POST /app/scene/{id}/task`), named by id or by name, and reports
// its task status; with `wait`, polls the status with a growing pause until the scene is done or failed.
import { GizwitsError, keyed, type Scene } from '../../client';
import { inputError, nonEmptyText, secondsOf } from '../common/automation';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

const TYPE = 'gizwits-scene-trigger';
/** The API's task status codes, by number. */
const STATUS_NAMES = ['running', 'done', 'failed', 'idle'] as const;
type SceneStatus = (typeof STATUS_NAMES)[number];

/** Polling pauses: 250 ms, growing by half each time, never above 2 s. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2000;

interface SceneTriggerDef extends NodeDef {
  account: string;
  scene: string;
  wait: boolean;
  timeout: number | string;
  configVersion?: number;
}

type SceneMessage = NodeMessageInFlow & { action?: unknown; sceneId?: unknown; sceneName?: unknown };

class Cancelled extends Error {}

function statusName(answer: { status?: unknown }): SceneStatus {
  const name = STATUS_NAMES[Number(answer?.status)];
  if (!name) {
    const status = String(JSON.stringify(answer?.status));
    throw new GizwitsError({
      code: 'BAD_RESPONSE',
      operation: 'scenes.taskStatus',
      serverMessage: `unknown task status ${status}`,
      ...keyed('scene.badStatus', { operation: 'scenes.taskStatus', status }),
    });
  }
  return name;
}

export = function (RED: NodeAPI) {
  function GizwitsSceneTrigger(this: Node, def: SceneTriggerDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const timeoutMs = secondsOf(config.timeout, 60) * 1000;
    /** The pauses of polls in flight, so that close can end them at once. */
    const pauses = new Set<() => void>();
    let closed = false;

    function pause(ms: number): Promise<void> {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Cancelled());
        const cancel = () => {
          clearTimeout(timer);
          pauses.delete(cancel);
          reject(new Cancelled());
        };
        const timer = setTimeout(() => {
          pauses.delete(cancel);
          resolve();
        }, ms);
        pauses.add(cancel);
      });
    }

    async function sceneIdOf(msg: SceneMessage): Promise<{ id: string; name?: string }> {
      const id = nonEmptyText(msg.sceneId);
      if (id) return { id };
      if (msg.sceneName !== undefined) {
        const name = nonEmptyText(msg.sceneName);
        if (!name) throw inputError(TYPE, keyed('scene.badName', {}));
        const scenes = (await account.require().client().call('scenes.list', {})) as Scene[];
        const matches = scenes.filter((scene) => scene.scene_name === name);
        if (matches.length === 0) {
          const names = scenes.map((scene) => `"${scene.scene_name}"`).join(', ');
          const known = names ? keyed('scene.known', { scenes: names }) : undefined;
          throw inputError(TYPE, keyed('scene.unknown', { name, known: known?.text ?? '' }));
        }
        if (matches.length > 1) {
          const ids = matches.map((s) => s.id).join(', ');
          throw inputError(TYPE, keyed('scene.ambiguous', { number: matches.length, name, ids }));
        }
        return { id: matches[0].id, name };
      }
      const configured = nonEmptyText(config.scene);
      if (configured) return { id: configured };
      throw inputError(TYPE, keyed('scene.noScene', {}));
    }

    async function waitForEnd(id: string): Promise<SceneStatus> {
      const client = account.require().client();
      const deadline = Date.now() + timeoutMs;
      let delay = FIRST_POLL_MS;
      for (;;) {
        await pause(Math.min(delay, Math.max(0, deadline - Date.now())));
        const status = statusName(await client.call('scenes.taskStatus', { id }));
        if (status !== 'running') return status;
        if (Date.now() >= deadline) {
          const seconds = timeoutMs / 1000;
          throw new GizwitsError({
            code: 'TIMEOUT',
            ...keyed('scene.stillRunning', { type: TYPE, id, seconds }),
          });
        }
        delay = Math.min(delay * 1.5, MAX_POLL_MS);
      }
    }

    onInput<SceneMessage>(
      node,
      { say, asError },
      async (msg) => {
        if (msg.action !== undefined && msg.action !== 'list' && msg.action !== 'run')
          throw inputError(
            TYPE,
            keyed('scene.unknownAction', { action: String(JSON.stringify(msg.action)) }),
          );
        if (msg.action === 'list') {
          node.status({ fill: 'blue', shape: 'dot', text: say('status.listing') });
          msg.payload = await account.require().client().call('scenes.list', {});
          const time = clockTime();
          node.status({
            fill: 'green',
            shape: 'dot',
            text: say('status.listed', { time }),
          });
          return;
        }
        const { id } = await sceneIdOf(msg);
        const client = account.require().client();
        node.status({ fill: 'blue', shape: 'dot', text: say('status.running') });
        await client.call('scenes.run', { id });
        const status = config.wait
          ? await waitForEnd(id)
          : statusName(await client.call('scenes.taskStatus', { id }));
        msg.payload = { sceneId: id, status };
        msg.sceneId = id;
        const time = clockTime();
        node.status({
          fill: status === 'failed' ? 'red' : status === 'running' ? 'blue' : 'green',
          shape: status === 'failed' ? 'ring' : 'dot',
          // The task's status as the scene left it: status.task.running, .done, .failed or .idle.
          text: say(`status.task.${status}`, { time }),
        });
      },
      // Stopped mid-run (a pause cancelled, or a request the closing account's client ended): no failure.
      { ignore: (error) => error instanceof Cancelled || closed },
    );

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      for (const cancel of [...pauses]) cancel();
      done();
    });
  }

  RED.nodes.registerType(TYPE, GizwitsSceneTrigger as never);
};
