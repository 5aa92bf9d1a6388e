// The simulated cloud's clock, which schedules fire by. It follows real time until a test sets it,
// moves it on, or speeds it up; every jump is announced so that tasks due in between fire at once.
import { EventEmitter } from 'node:events';

export interface SimClockEvents {
  /** The clock was set or advanced from `from` to `to` (epoch ms). */
  jump: [from: number, to: number];
}

export class SimClock extends EventEmitter<SimClockEvents> {
  private simBase = Date.now();
  private realBase = this.simBase;
  private factor = 1;

  /** Simulated epoch ms. */
  now(): number {
    return this.simBase + (Date.now() - this.realBase) * this.factor;
  }

  /** How many simulated ms pass per real ms. */
  get speed(): number {
    return this.factor;
  }

  /** Puts the clock at `at` (epoch ms, a Date or an ISO text); time runs on from there at the same speed. */
  set(at: number | string | Date): void {
    const to = typeof at === 'number' ? at : new Date(at).getTime();
    if (!Number.isFinite(to)) throw new RangeError(`SimClock.set: ${String(at)} is not a time`);
    const from = this.now();
    this.rebase(to);
    this.emit('jump', from, to);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('SimClock.advance: ms must be 0 or more');
    this.set(this.now() + ms);
  }

  /** Simulated time runs `factor` times as fast as real time (60: a minute a second). */
  setSpeed(factor: number): void {
    if (!Number.isFinite(factor) || factor <= 0)
      throw new RangeError('SimClock.setSpeed: factor must be above 0');
    this.rebase(this.now());
    this.factor = factor;
  }

  /** Back to real time at real speed (no jump is announced). */
  reset(): void {
    this.simBase = Date.now();
    this.realBase = this.simBase;
    this.factor = 1;
  }

  private rebase(simNow: number): void {
    this.simBase = simNow;
    this.realBase = Date.now();
  }
}
