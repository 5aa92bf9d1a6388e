// A process of the bench's own (a consumer of part 1, the write counter), started by node itself or under
// a wrapper such as valgrind, and spoken to over IPC: one reply to each order, in turn.
import { fork, type ChildProcess } from 'node:child_process';

/**
 * How the process is started: by node itself, or under a wrapper (bench/instructions.ts: valgrind), which
 * is given node's path and flags after its own.
 */
export interface Launcher {
  wrapper?: { path: string; args: string[] };
  /** node flags besides --expose-gc and -r tsx/cjs. */
  nodeFlags?: string[];
}

export class BenchChild<Order, Reply> {
  private readonly replies: Array<(reply: Reply) => void> = [];

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => this.replies.shift()?.(reply));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts `script` with `env` added; resolves at its first reply (it is ready). */
  static start<Order, Reply>(
    script: string,
    env: Record<string, string>,
    launcher: Launcher,
    what: string,
  ): Promise<BenchChild<Order, Reply>> {
    const nodeArgs = [...(launcher.nodeFlags ?? []), '--expose-gc', '-r', 'tsx/cjs'];
    const { wrapper } = launcher;
    const child = fork(script, [], {
      execPath: wrapper ? wrapper.path : process.execPath,
      execArgv: wrapper ? [...wrapper.args, process.execPath, ...nodeArgs] : nodeArgs,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = new BenchChild<Order, Reply>(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${what} ended with ${code}`)));
      started.replies.push(() => resolve(started));
    });
  }

  /** Sends `order`; resolves with the reply to it. */
  ask(order: Order): Promise<Reply> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.send(order as object);
    });
  }

  /** Sends `order`, the last; resolves when the process has ended. */
  end(order: Order): Promise<void> {
    return new Promise((resolve) => {
      this.child.removeAllListeners('exit');
      this.child.once('exit', () => resolve());
      this.child.send(order as object);
    });
  }
}
