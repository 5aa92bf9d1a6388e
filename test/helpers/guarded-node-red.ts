// A real headless Node-RED guarded as its documentation shows: adminAuth with an admin ("*"), a
// read-only user ("read") and anonymous read access (`default: {permissions: "read"}`). Its flow holds
// what the admin-route attacks aim at: accounts with stored credentials, a token account, an account the
// cloud refuses, and a core mqtt-broker with a password. Used by the headless test and the soak part.
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { SIM_APP_ID, SIM_USERS, type Simulator } from '../../src/simulator';
import type { AttackTarget } from './admin-attacks';
import { simAccount } from './flows';
import { startNodeRed, type NodeRedProcess } from './node-red-process';

export interface GuardedNodeRed {
  red: NodeRedProcess;
  /** Bearer headers of each caller; anonymous has none. */
  callers: {
    anonymous: Record<string, string>;
    reader: Record<string, string>;
    admin: Record<string, string>;
  };
  /** The attack target for a caller's headers. */
  target(headers: Record<string, string>): AttackTarget;
  stop(): Promise<number | null>;
}

const STORED_TOKEN = 'Stored-Token-Canary-2b7d41';
const BROKER_PASSWORD = 'Broker-Secret-9142';
const REFUSED_PASSWORD = 'Wrong-Stored-Pass-58';
const CANARY_NAME = 'GIZWITS_ADMIN_CANARY';

/** A token from Node-RED's own /auth/token (password grant, the admin CLI's client id). */
export async function adminToken(baseUrl: string, username: string, password: string): Promise<string> {
  const answer = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: 'node-red-admin',
      grant_type: 'password',
      scope: '',
      username,
      password,
    }).toString(),
  });
  const body = (await answer.json().catch(() => ({}))) as { access_token?: string };
  if (answer.status !== 200 || !body.access_token)
    throw new Error(`Node-RED refused the sign-in of ${username}: HTTP ${answer.status}`);
  return body.access_token;
}

export async function startGuardedNodeRed(
  sim: Simulator,
  options: { refusedLogins(): number },
): Promise<GuardedNodeRed> {
  // Fresh passwords each run: nothing to find in the repository, nothing reused between runs.
  const adminPassword = `admin-${randomBytes(9).toString('hex')}`;
  const readerPassword = `reader-${randomBytes(9).toString('hex')}`;
  const canary = { name: CANARY_NAME, value: `canary-${randomBytes(9).toString('hex')}` };
  const account = (id: string, extra: Record<string, unknown> = {}) =>
    simAccount(sim, { id, name: `${id} account`, ...extra }).node;
  const red = await startNodeRed({
    flows: [
      { id: 'tab', type: 'tab', label: 'guarded' },
      account('acct'),
      account('tokenAcct', { authMode: 'token' }),
      account('refusedAcct'),
      { id: 'mqtt', type: 'mqtt-broker', name: 'local mqtt', broker: '127.0.0.1', port: '1', clientid: '' },
    ],
    credentials: {
      acct: { username: SIM_USERS.demo.username, password: SIM_USERS.demo.password },
      tokenAcct: { uid: SIM_USERS.demo.uid, token: STORED_TOKEN },
      refusedAcct: { username: SIM_USERS.guest.username, password: REFUSED_PASSWORD },
      mqtt: { user: 'mqtt-user', password: BROKER_PASSWORD },
    },
    env: { [canary.name]: canary.value },
    settings: {
      adminAuth: {
        type: 'credentials',
        users: [
          { username: 'admin', password: bcrypt.hashSync(adminPassword, 8), permissions: '*' },
          { username: 'reader', password: bcrypt.hashSync(readerPassword, 8), permissions: 'read' },
        ],
        default: { permissions: 'read' },
      },
      // A silent address times out in 1 s, so that the port-state attack stays short.
      gizwits: { editorTimeoutMs: 1000 },
    },
  });
  try {
    // A flow that did not start (a config node refused) would make every attack fail for nothing.
    if (/\bError\b/.test(red.output())) throw new Error(`the guarded flows did not start:\n${red.output()}`);
    const callers = {
      anonymous: {},
      reader: { Authorization: `Bearer ${await adminToken(red.url, 'reader', readerPassword)}` },
      admin: { Authorization: `Bearer ${await adminToken(red.url, 'admin', adminPassword)}` },
    };
    return {
      red,
      callers,
      target: (headers) => ({
        baseUrl: red.url,
        headers,
        accountId: 'acct',
        tokenAccountId: 'tokenAcct',
        mqttBrokerId: 'mqtt',
        refusedAccountId: 'refusedAcct',
        appId: SIM_APP_ID,
        canary,
        secrets: [SIM_USERS.demo.password, STORED_TOKEN, BROKER_PASSWORD, REFUSED_PASSWORD],
        cloud: { url: sim.url, refusedLogins: options.refusedLogins },
      }),
      stop: () => red.stop(),
    };
  } catch (error) {
    await red.stop();
    throw error;
  }
}
