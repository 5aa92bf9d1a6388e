// The set-up the LAN node tests share (docs/lan.md): a simulator whose devices speak the LAN protocol on
// loopback (each on a 127.0.0.x address of its own, one free TCP port), and a Node-RED tuned to find,
// log in to and give up on them quickly.
import { startSimulator, type Simulator } from '../../src/simulator';
import { FAST_SOCKET } from './live';
import { helper } from './node-red';
import { freePort } from './node-red-process';

export interface LanSimulator {
  sim: Simulator;
  /** The devices' LAN port, on each device's own address. */
  tcpPort: number;
  /** Set by a test that closed this device's LAN side: it is started again after the test. */
  closed: string | undefined;
}

/** Starts the simulator with its LAN side before the suite; `gizwits` adds to the runtime's tuning. */
export function useLanSimulator(gizwits: Record<string, unknown> = {}): LanSimulator {
  const ctx: LanSimulator = { sim: undefined as unknown as Simulator, tcpPort: 0, closed: undefined };
  before(async () => {
    ctx.tcpPort = await freePort();
    ctx.sim = await startSimulator({
      port: 0,
      driftIntervalMs: 0,
      lan: { tcpPort: ctx.tcpPort, udpPort: 0 },
    });
    helper.settings({
      gizwits: {
        ...FAST_SOCKET,
        ...gizwits,
        lanTcpPort: ctx.tcpPort,
        lanDiscoveryMs: 400,
        lanHeartbeatMs: 400,
        lanRequestTimeoutMs: 1000,
        lanLoginSettleMs: 1,
        lanReconnectBaseMs: 100,
        lanReconnectCapMs: 400,
      },
    });
  });
  afterEach(async () => {
    ctx.sim.faults.reset();
    if (ctx.closed) await ctx.sim.lan!.device(ctx.closed).start();
    ctx.closed = undefined;
  });
  after(async () => {
    helper.settings({});
    await ctx.sim.close();
  });
  return ctx;
}
