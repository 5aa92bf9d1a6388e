// gizwits-scene-trigger: runs a scene (`POST /app/scene/{id}/task`), named by id or by name, and reports
// its task status; with `wait`, the client's scene service polls until the scene is done or failed.
import {
  inputError,
  keyed,
  nonEmptyText,
  sceneService,
  SceneWaitCancelled,
  secondsOf,
  type Scene,
} from '../../client';
import { onInput } from '../common/input';
import { setUpNode } from '../common/node-setup';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from '../common/red';
import { clockTime } from '../common/status';

const TYPE = 'gizwits-scene-trigger';

interface SceneTriggerDef extends NodeDef {
  account: string;
  scene: string;
  wait: boolean;
  timeout: number | string;
  configVersion?: number;
}

type SceneMessage = NodeMessageInFlow & { action?: unknown; sceneId?: unknown; sceneName?: unknown };

/** The id of the scene a message names by id or by name (looked up in `scenes`), else the configured one. */
async function sceneIdOf(
  msg: SceneMessage,
  configured: unknown,
  scenes: () => Promise<Scene[]>,
): Promise<string> {
  const id = nonEmptyText(msg.sceneId);
  if (id) return id;
  if (msg.sceneName !== undefined) {
    const name = nonEmptyText(msg.sceneName);
    if (!name) throw inputError(TYPE, keyed('scene.badName', {}));
    const all = await scenes();
    const matches = all.filter((scene) => scene.scene_name === name);
    if (matches.length === 0) {
      const names = all.map((scene) => `"${scene.scene_name}"`).join(', ');
      const known = names ? keyed('scene.known', { scenes: names }) : undefined;
      throw inputError(TYPE, keyed('scene.unknown', { name, known: known?.text ?? '' }));
    }
    if (matches.length > 1) {
      const ids = matches.map((s) => s.id).join(', ');
      throw inputError(TYPE, keyed('scene.ambiguous', { number: matches.length, name, ids }));
    }
    return matches[0].id;
  }
  const fromConfig = nonEmptyText(configured);
  if (fromConfig) return fromConfig;
  throw inputError(TYPE, keyed('scene.noScene', {}));
}

export = function (RED: NodeAPI) {
  function GizwitsSceneTrigger(this: Node, def: SceneTriggerDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, TYPE, { mirrorState: false });
    const timeoutMs = secondsOf(config.timeout, 60) * 1000;
    /** Ends the waits in flight when the node closes. */
    const closing = new AbortController();

    onInput<SceneMessage>(
      node,
      { say, asError },
      async (msg) => {
        if (msg.action !== undefined && msg.action !== 'list' && msg.action !== 'run')
          throw inputError(
            TYPE,
            keyed('scene.unknownAction', { action: String(JSON.stringify(msg.action)) }),
          );
        const scenes = () => sceneService(account.require().client());
        if (msg.action === 'list') {
          node.status({ fill: 'blue', shape: 'dot', text: say('status.listing') });
          msg.payload = await scenes().list();
          node.status({ fill: 'green', shape: 'dot', text: say('status.listed', { time: clockTime() }) });
          return;
        }
        const id = await sceneIdOf(msg, config.scene, () => scenes().list());
        node.status({ fill: 'blue', shape: 'dot', text: say('status.running') });
        const status = config.wait
          ? await scenes().runAndWait(id, { timeoutMs, signal: closing.signal, caller: TYPE })
          : await scenes().run(id);
        msg.payload = { sceneId: id, status };
        msg.sceneId = id;
        node.status({
          fill: status === 'failed' ? 'red' : status === 'running' ? 'blue' : 'green',
          shape: status === 'failed' ? 'ring' : 'dot',
          // The task's status as the scene left it: status.task.running, .done, .failed or .idle.
          text: say(`status.task.${status}`, { time: clockTime() }),
        });
      },
      // Stopped mid-run (a wait cancelled, or a request the closing account's client ended): no failure.
      { ignore: (error) => error instanceof SceneWaitCancelled || closing.signal.aborted },
    );

    node.on('close', () => closing.abort());
  }

  RED.nodes.registerType(TYPE, GizwitsSceneTrigger as never);
};
