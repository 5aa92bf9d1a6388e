// Test-only steering of the simulator's clock under /_sim/clock, for tests in another process (the
// programmatic API is `sim.model.clock`). Moving the clock forward fires the schedules due in between.
import { formInvalid } from '../errors';
import { route, type RequestContext, type RouteDefinition } from '../http/router';
import { bodyObject } from './fields';

function clockState(context: RequestContext) {
  const clock = context.model.clock;
  return { now: new Date(clock.now()).toISOString(), speed: clock.speed };
}

export const simClockRoutes: RouteDefinition[] = [
  route('GET', '/_sim/clock', 'none', clockState),
  /** Body: any of `at` (ISO text or epoch ms), `advanceMs`, `speed`, or `reset: true`. */
  route('POST', '/_sim/clock', 'none', (context) => {
    const body = bodyObject(context);
    const clock = context.model.clock;
    try {
      if (body.reset === true) clock.reset();
      if (body.speed !== undefined) clock.setSpeed(Number(body.speed));
      if (body.at !== undefined) {
        if (typeof body.at !== 'string' && typeof body.at !== 'number')
          throw new RangeError('at must be an ISO time or epoch ms');
        clock.set(body.at);
      }
      if (body.advanceMs !== undefined) clock.advance(Number(body.advanceMs));
    } catch (error) {
      throw formInvalid((error as Error).message);
    }
    return clockState(context);
  }),
  route('GET', '/_sim/firings', 'none', (context) => context.model.firings),
];
