// The gizwits-scheduler node as its tests load it (the demo plug's tasks unless told otherwise), and the
// simulator's tasks and clock put back as each test found them.
import { SIM_DEVICES, type Simulator } from '../../src/simulator';
import { loadNode } from './node-red';

/** Loads a gizwits-scheduler node (id `scheduler`) for the demo plug; `config` adds to or replaces that. */
export function loadScheduler(sim: Simulator, config: Record<string, unknown>) {
  return loadNode(sim, {
    type: 'gizwits-scheduler',
    config: { target: 'device', targetId: SIM_DEVICES.demoPlug1, ...config },
  });
}

/** Deletes every stored task and sets the simulator's clock back to real time. */
export function resetTasks(sim: Simulator): void {
  sim.model.schedulers.clear();
  sim.model.clock.reset();
}
