// Running a scene and waiting for its task to end: the polling and its timers live here, with the client,
// not in a node. The wait ends early when the caller's signal aborts.
import type { GizwitsClient } from './client';
import { GizwitsError, keyed } from './errors';
import type { Scene } from './types';

/** The API's task status codes, by number. */
export const SCENE_STATUSES = ['running', 'done', 'failed', 'idle'] as const;
export type SceneStatus = (typeof SCENE_STATUSES)[number];

/** Polling pauses: 250 ms, growing by half each time, never above 2 s. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2000;

/** The wait for a scene was ended by its caller (the node closed): no failure. */
export class SceneWaitCancelled extends Error {
  constructor() {
    super('the wait for the scene was cancelled');
    this.name = 'SceneWaitCancelled';
  }
}

export function sceneStatusOf(answer: { status?: unknown }): SceneStatus {
  const name = SCENE_STATUSES[Number(answer?.status)];
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

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new SceneWaitCancelled());
    const cancel = () => {
      clearTimeout(timer);
      reject(new SceneWaitCancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', cancel);
      resolve();
    }, ms);
    signal?.addEventListener('abort', cancel, { once: true });
  });
}

export interface SceneWait {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Who waits, named in the timeout error (a node type). */
  caller: string;
}

export function sceneService(client: GizwitsClient) {
  const status = async (id: string) => sceneStatusOf(await client.call('scenes.taskStatus', { id }));

  /** Polls the task of a scene with a growing pause until it is no longer running, or the time is up. */
  async function waitForEnd(id: string, { timeoutMs, signal, caller }: SceneWait): Promise<SceneStatus> {
    const deadline = Date.now() + timeoutMs;
    let delay = FIRST_POLL_MS;
    for (;;) {
      await pause(Math.min(delay, Math.max(0, deadline - Date.now())), signal);
      const now = await status(id);
      if (now !== 'running') return now;
      if (Date.now() >= deadline) {
        const seconds = timeoutMs / 1000;
        throw new GizwitsError({
          code: 'TIMEOUT',
          ...keyed('scene.stillRunning', { type: caller, id, seconds }),
        });
      }
      delay = Math.min(delay * 1.5, MAX_POLL_MS);
    }
  }

  return {
    status,
    /** The account's scenes. */
    list: async (): Promise<Scene[]> => (await client.call('scenes.list', {})) as Scene[],
    /** Runs a scene and returns its task status right after. */
    async run(id: string): Promise<SceneStatus> {
      await client.call('scenes.run', { id });
      return status(id);
    },
    /** Runs a scene and waits until its task has ended (done, failed or idle). */
    async runAndWait(id: string, wait: SceneWait): Promise<SceneStatus> {
      await client.call('scenes.run', { id });
      return waitForEnd(id, wait);
    },
  };
}
