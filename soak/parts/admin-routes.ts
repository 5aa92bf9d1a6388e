// Soak part: the editor's admin routes behind adminAuth, attacked as anonymous, as the read-only user and
// as the admin, in a real headless Node-RED against the simulated cloud. Goal: no attack succeeds, the
// admin's write routes still work, and refused sign-ins reach the cloud at most 3 times per user.
import { SIM_APP_ID, SIM_USERS, startSimulator } from '../../src/simulator';
import { ATTACK_COUNT, postRoute, runAdminAttacks } from '../../test/helpers/admin-attacks';
import { startGuardedNodeRed } from '../../test/helpers/guarded-node-red';
import type { SoakPart, SoakPartResult } from '../types';

const CALLERS = ['anonymous', 'reader', 'admin'] as const;

export const run: SoakPart = async ({ full, seed, log }) => {
  const rounds = full ? 10 : 1;
  const failures: string[] = [];
  const sim = await startSimulator({ port: 0, driftIntervalMs: 0 });
  const refusedLogins = () =>
    sim.calls.filter((c) => c.method === 'POST' && c.path === '/app/login' && c.errorCode === 9020).length;
  let tried = 0;
  let succeeded = 0;
  let signInsTried = 0;
  let signInsReached = 0;
  let adminWrites = 0;
  let adminWritesOk = 0;
  const started = Date.now();
  try {
    const guarded = await startGuardedNodeRed(sim, { refusedLogins });
    try {
      for (let round = 1; round <= rounds; round += 1) {
        for (const caller of CALLERS) {
          const target = guarded.target(guarded.callers[caller]);
          const results = await runAdminAttacks(target);
          tried += results.length;
          for (const result of results) {
            if (result.figures) {
              signInsTried += result.figures.tried;
              signInsReached += result.figures.reached;
            }
            if (result.succeeded) {
              succeeded += 1;
              failures.push(`${caller}, round ${round}: ${result.name}: ${result.detail}`);
            }
          }
          log(
            `admin-routes: round ${round}/${rounds} (seed ${seed}) as ${caller}: ${results.length} attacks, ${results.filter((r) => r.succeeded).length} succeeded`,
          );
        }
        // The routes must still serve their purpose: the admin tries typed settings.
        adminWrites += 1;
        const login = await postRoute(guarded.target(guarded.callers.admin), 'login-test', {
          config: {
            region: 'custom',
            apiUrl: sim.url,
            appId: SIM_APP_ID,
            authMode: 'password',
            secure: false,
          },
          credentials: { username: SIM_USERS.demo.username, password: SIM_USERS.demo.password },
        });
        if (login.status === 200) adminWritesOk += 1;
        else failures.push(`round ${round}: the admin's typed sign-in test answered HTTP ${login.status}`);
      }
    } finally {
      await guarded.stop();
    }
  } catch (error) {
    failures.push(`could not run: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await sim.close();
  }
  const result: SoakPartResult = {
    name: 'admin-routes',
    goal:
      '0 of the reproduced admin-route attacks succeed as anonymous, read-only or admin; the admin can still ' +
      'test typed settings; at most 3 refused sign-ins per user reach the cloud in 5 minutes',
    pass: failures.length === 0 && tried === rounds * CALLERS.length * ATTACK_COUNT && succeeded === 0,
    figures: {
      rounds,
      callers: CALLERS.length,
      attacksTried: tried,
      attacksSucceeded: succeeded,
      refusedSignInsTried: signInsTried,
      refusedSignInsReachedCloud: signInsReached,
      adminTypedSignIns: `${adminWritesOk}/${adminWrites}`,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    },
    failures,
  };
  return result;
};
