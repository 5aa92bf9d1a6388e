// The parts of `npm run bench` that are not measurements: counters, the simulator worker's handle, a bare
// REST and websocket client, and stats. bench/run.ts says what is measured and how.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { SIM_APP_ID } from '../src/simulator/fixtures';
import { SOCKET_PATH } from '../src/simulator/ws/frames';
import type { BenchUser, SimCall, SimOrder, SimReady, SimReply, SimSetup } from './sim-worker';

export type Json = Record<string, unknown>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A positive whole number from the environment, or `fallback` when the variable is not set. */
export function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values: number[]) => percentile(values, 50);

/** The heap this thread uses after garbage collection: the least of a few collections. */
export async function heapAfterGc(): Promise<number> {
  if (!global.gc) throw new Error('run node with --expose-gc (npm run bench does)');
  let least = Infinity;
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    global.gc();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

/**
 * CPU time this thread has used, in ms (Linux: /proc/thread-self/stat, counted in ticks of 10 ms). Unlike
 * wall time, it leaves out other processes' turns on the core (though not what they do to its caches).
 */
export function threadCpuMs(): number {
  const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
  // After the command name, which is in parentheses and may hold spaces: utime and stime are fields 14
  // and 15 of stat(5), so the 12th and 13th after the name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A count that promises the moment (performance.now()) it reaches a target. */
export class Counter {
  value = 0;
  private waiters: Array<{ target: number; resolve: (at: number) => void }> = [];
  private next = Infinity;

  inc(): void {
    if (++this.value < this.next) return;
    const at = performance.now();
    const due = this.waiters.filter((waiter) => waiter.target <= this.value);
    this.waiters = this.waiters.filter((waiter) => waiter.target > this.value);
    this.next = Math.min(...this.waiters.map((waiter) => waiter.target));
    for (const waiter of due) waiter.resolve(at);
  }

  reach(target: number, timeoutMs: number, what: string): Promise<number> {
    if (this.value >= target) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what}: ${this.value} of ${target} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        target,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
      this.next = Math.min(this.next, target);
    });
  }
}

/** bench/sim-worker.ts, running in its worker thread. */
export class SimWorker {
  private readonly replies: Array<(reply: SimReply) => void> = [];
  private callsSeen = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly ready: SimReady,
  ) {
    worker.on('message', (reply: SimReply) => this.replies.shift()?.(reply));
  }

  static start(setup: SimSetup): Promise<SimWorker> {
    // The worker inherits this process's -r tsx/cjs, so it can be TypeScript too.
    const worker = new Worker(path.join(__dirname, 'sim-worker.ts'), { workerData: setup });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (reply: SimReply) => {
        if (reply.type !== 'ready') return reject(new Error(`the simulator worker said ${reply.type}`));
        worker.off('error', reject);
        worker.on('error', (error) => {
          console.error('the simulator worker failed:', error);
          process.exit(1);
        });
        resolve(new SimWorker(worker, reply));
      });
    });
  }

  get url(): string {
    return this.ready.url;
  }

  get socketUrl(): string {
    return `ws://127.0.0.1:${this.ready.port}${SOCKET_PATH}`;
  }

  get productKey(): string {
    return this.ready.productKey;
  }

  /** The user of that many devices, one of those the setup's `sizes` asked for. */
  user(size: number): BenchUser {
    const user = this.ready.users.find((candidate) => candidate.group === 'size' && candidate.size === size);
    if (!user) throw new Error(`no user with ${size} devices`);
    return user;
  }

  /** The accounts of the scale case. */
  get scaleUsers(): BenchUser[] {
    return this.ready.users.filter((user) => user.group === 'scale');
  }

  /**
   * The Open API calls the simulator answered since `traffic()` last said (the first time: since it
   * started), and how many websocket frames it has received from clients in all.
   */
  async traffic(): Promise<{ calls: SimCall[]; socketFrames: number }> {
    const reply = await this.order({ type: 'calls', from: this.callsSeen });
    if (reply.type !== 'calls') throw new Error(`the simulator worker said ${reply.type}`);
    this.callsSeen = reply.next;
    return { calls: reply.calls, socketFrames: reply.socketFrames };
  }

  /** Ends every websocket of the simulator abruptly. */
  async dropSockets(): Promise<void> {
    await this.order({ type: 'drop-sockets' });
  }

  /**
   * The simulator queues `count` reports round-robin over `dids` while this thread is held; then this
   * thread is released and the time until `counter` (fed by the consumer under test) has counted them all
   * gives the consumer's events per second, and this thread's CPU time over that span its cost per event
   * (this thread runs the consumer: Node-RED and its nodes, or the bare client). `simPerSecond` is how fast the simulator queued them. A
   * full garbage collection first, where other consumers share this process: the garbage of the burst
   * before is not this consumer's to collect. `collect: false` for a consumer alone in its process, whose
   * garbage is its own (bench/throughput.ts).
   */
  async burst(
    dids: string[],
    count: number,
    counter: Counter,
    { collect = true }: { collect?: boolean } = {},
  ): Promise<{ perSecond: number; cpuUsPerEvent: number; simPerSecond: number }> {
    if (collect) global.gc?.();
    const reached = counter.reach(counter.value + count, 60_000 + count, 'burst');
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const queued = this.order({ type: 'burst', dids, count, gate: gate.buffer as SharedArrayBuffer });
    // Holds this whole thread (Node-RED and the clients) until every frame of the burst is on its way.
    if (Atomics.wait(gate, 0, 0, 120_000) === 'timed-out')
      throw new Error('the simulator did not queue the burst within 120 s');
    const released = performance.now();
    const cpuBefore = threadCpuMs();
    const last = await reached;
    const cpuMs = threadCpuMs() - cpuBefore;
    const reply = await queued;
    return {
      perSecond: count / ((last - released) / 1000),
      cpuUsPerEvent: (cpuMs * 1000) / count,
      simPerSecond: reply.type === 'burst-done' ? count / (reply.ms / 1000) : NaN,
    };
  }

  async close(): Promise<void> {
    await this.order({ type: 'close' });
    await this.worker.terminate();
  }

  private order(order: SimOrder): Promise<SimReply> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.worker.postMessage(order);
    });
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One Open API call over node:http with a keep-alive connection: the least a REST client can do. */
export function rest(
  sim: SimWorker,
  method: string,
  pathname: string,
  body?: unknown,
  token?: string,
): Promise<Json> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { 'X-Gizwits-Application-Id': SIM_APP_ID };
  if (token) headers['X-Gizwits-User-token'] = token;
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(pathname, sim.url), { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) return reject(new Error(`${method} ${pathname}: ${text}`));
        resolve(JSON.parse(text) as Json);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

export function closeRestAgent(): void {
  agent.destroy();
}

export async function restLogin(sim: SimWorker, user: BenchUser): Promise<string> {
  const answer = await rest(sim, 'POST', '/app/login', { username: user.username, password: user.password });
  return String(answer.token);
}

/**
 * The least a websocket client can do: log in, subscribe, JSON-parse every frame and count `s2c_noti`.
 * It also writes (`c2s_write` with a req_sn, answered by `s2c_ack`) and waits for a report, for the
 * latency part.
 */
export class BareClient {
  readonly notis = new Counter();
  private reqSn = 0;
  private readonly waiting = new Map<string, (frame: Json) => void>();
  private reportWaiter: { name: string; value: unknown; resolve: () => void } | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Json;
      if (frame.cmd === 's2c_noti') {
        this.notis.inc();
        const attrs = (frame.data as { attrs?: Json } | undefined)?.attrs;
        if (this.reportWaiter && attrs?.[this.reportWaiter.name] === this.reportWaiter.value) {
          const { resolve } = this.reportWaiter;
          this.reportWaiter = undefined;
          resolve();
        }
        return;
      }
      const key = frame.cmd === 's2c_ack' ? `s2c_ack:${String(frame.res_sn)}` : String(frame.cmd);
      const waiter = this.waiting.get(key);
      if (waiter) {
        this.waiting.delete(key);
        waiter(frame);
      } else if (frame.cmd === 's2c_invalid_msg') {
        console.error('bare client:', JSON.stringify(frame));
      }
    });
    ws.on('error', (error) => console.error('bare client:', error.message));
  }

  static async connect(sim: SimWorker, user: BenchUser, subscribe: string[]): Promise<BareClient> {
    const token = await restLogin(sim, user);
    const ws = new WebSocket(sim.socketUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const client = new BareClient(ws);
    const login = await client.request('login_res', {
      cmd: 'login_req',
      data: {
        appid: SIM_APP_ID,
        uid: user.uid,
        token,
        p0_type: 'attrs_v4',
        heartbeat_interval: 180,
        auto_subscribe: false,
      },
    });
    if ((login.data as Json | undefined)?.success !== true) throw new Error('bare client: login refused');
    for (let i = 0; i < subscribe.length; i += 100) {
      const batch = subscribe.slice(i, i + 100);
      const answer = await client.request('subscribe_res', {
        cmd: 'subscribe_req',
        data: batch.map((did) => ({ did })),
      });
      const success = (answer.data as { success?: unknown[] } | undefined)?.success ?? [];
      if (success.length !== batch.length)
        throw new Error(`bare client: subscribe failed: ${JSON.stringify(answer)}`);
    }
    return client;
  }

  write(did: string, attrs: Json): Promise<Json> {
    const sn = ++this.reqSn;
    return this.request(`s2c_ack:${sn}`, { cmd: 'c2s_write', req_sn: sn, data: { did, attrs } });
  }

  /** Resolves at the next `s2c_noti` that reports data point `name` at `value`. */
  report(name: string, value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bare client: no report of ${name} within 10 s`)),
        10_000,
      );
      this.reportWaiter = {
        name,
        value,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private request(answer: string, frame: Json): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(answer);
        reject(new Error(`bare client: no ${answer} within 10 s`));
      }, 10_000);
      this.waiting.set(answer, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(JSON.stringify(frame));
    });
  }
}
