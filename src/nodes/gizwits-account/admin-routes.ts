// Admin routes the editor calls: the sign-in test and the pick-lists (devices, a device's data points,
// groups, scenes). Which account a request may use, and with which permission, is admin-request.ts's
// business; here a client is made for it, the list answered, and every failure worded by its class
// (permission / invalid / not found / refused / cooldown / network) without a secret or a value the
// caller did not send. Answers: 200 with the list, or {code, failure, message} with 400, 403, 404,
// 429 (+ Retry-After) or 502.
import { createHash } from 'node:crypto';
import {
  GizwitsClient,
  GizwitsError,
  keyed,
  SchemaCache,
  redact,
  type Binding,
  type ClientOptions,
  type Datapoint,
  type Group,
  type Scene,
} from '../../client';
import { findAccount } from '../common/account-node';
import { errorTranslator } from '../common/error-text';
import type { NodeAPI } from '../common/red';
import {
  RouteRefusal,
  deployedTarget,
  isEdited,
  mayEdit,
  needsEditRefusal,
  typedTarget,
  type Body,
  type Target,
} from './admin-request';

/** A pick-list client lives this long after its last use, so that one dialog signs in once. */
const IDLE_MS = 60_000;
/** How long a route waits for the cloud, unless settings.gizwits.editorTimeoutMs says otherwise. */
const TIMEOUT_MS = 10_000;

/** Local codes that mean "no Gizwits Open API answered": all worded alike, whatever the port did. */
const UNREACHABLE = new Set<unknown>(['NETWORK', 'TIMEOUT', 'HTTP', 'BAD_RESPONSE', 'CLOSED']);

export interface DeviceChoice {
  did: string;
  alias: string;
  productKey: string;
  productName?: string;
  online: boolean;
  mac: string;
  /** Seen on the local network by a discovery of this account (docs/lan.md). */
  lan?: boolean;
}

interface CachedClient {
  client: GizwitsClient;
  schemas: SchemaCache;
  timer: NodeJS.Timeout;
  /** Requests using the client now; a released client is closed only once the last of them ends. */
  inFlight: number;
  released: boolean;
}

interface Failure {
  status: number;
  code: string | number;
  failure: 'permission' | 'invalid' | 'not-found' | 'refused' | 'cooldown' | 'network';
  error: GizwitsError;
  retryAfter?: number;
}

/** The one answer for every way an address can fail to be the Open API. */
export function unreachable(): GizwitsError {
  return new GizwitsError({
    code: 'NETWORK',
    ...keyed('admin.unreachable', {}),
  });
}

/** The class of a failure, its HTTP status, and the error to word (unreachable ones all the same). */
function classify(error: unknown): Failure {
  if (error instanceof RouteRefusal)
    return { status: error.status, code: error.code, failure: error.failure, error: error.error };
  if (!(error instanceof GizwitsError) || UNREACHABLE.has(error.code))
    return { status: 502, code: 'NETWORK', failure: 'network', error: unreachable() };
  if (error.code === 'LOGIN_COOLDOWN') {
    const seconds = error.text?.params?.seconds;
    return {
      status: 429,
      code: error.code,
      failure: 'cooldown',
      error,
      retryAfter: typeof seconds === 'number' ? seconds : undefined,
    };
  }
  if (typeof error.code === 'number') return { status: 400, code: error.code, failure: 'refused', error };
  return { status: 400, code: error.code, failure: 'invalid', error };
}

/**
 * The runtime log's line for an editor request (a list, a sign-in test) that got no answer: the dialog
 * is told only "could not reach" (the route must not be a port scanner), but whoever runs Node-RED may
 * see which way it failed. Only our own codes and a socket error's name go in, never text from the wire
 * or a typed value.
 */
function unreachableLogLine(error: unknown): string {
  const local = error instanceof GizwitsError ? error : undefined;
  const reason = typeof local?.serverMessage === 'string' && /^E[A-Z_]{2,30}$/.test(local.serverMessage);
  const what = local
    ? `${String(local.code)}${reason ? ` ${local.serverMessage}` : ''} in ${local.operation ?? 'a request'}`
    : `an unexpected ${error instanceof Error ? error.name : 'failure'}`;
  return `[gizwits] an editor request got no answer from the Open API: ${what}`;
}

/** Values typed in the request that must not come back, whatever a failure quoted. */
function typedSecrets(body: Body): string[] {
  const given = (body.credentials && typeof body.credentials === 'object' ? body.credentials : {}) as Body;
  return ['password', 'phoneId', 'token', 'appSecret', 'productSecret']
    .map((field) => given[field])
    .filter((value): value is string => typeof value === 'string');
}

export function registerAdminRoutes(RED: NodeAPI): void {
  // Answers in the runtime's language, as the nodes' errors are.
  const translated = errorTranslator(RED);
  const clients = new Map<string, CachedClient>();

  function timeoutMs(): number {
    const tuning = (RED.settings as unknown as { gizwits?: { editorTimeoutMs?: unknown } }).gizwits;
    return typeof tuning?.editorTimeoutMs === 'number' ? tuning.editorTimeoutMs : TIMEOUT_MS;
  }

  function newClient(options: ClientOptions): GizwitsClient {
    return new GizwitsClient({ ...options, retry: { retries: 0 }, timeoutMs: timeoutMs() });
  }

  /**
   * The account a request may use. Edited values need the permission to edit accounts; read permission
   * (which the route's guard has checked) serves deployed accounts only.
   */
  function targetOf(req: Parameters<typeof mayEdit>[1], body: Body): Target {
    if (!isEdited(body)) return deployedTarget(RED, body);
    if (!mayEdit(RED, req)) throw needsEditRefusal();
    return typedTarget(body);
  }

  function answerFailure(
    res: {
      status(code: number): { json(body: unknown): void };
      setHeader(name: string, value: string): void;
    },
    error: unknown,
    secrets: string[],
    extra: Body = {},
  ): void {
    const { status, code, failure, error: shown, retryAfter } = classify(error);
    if (failure === 'network') RED.log.warn(unreachableLogLine(error));
    const message = redact(translated(shown).message, secrets);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json({ ...extra, code, errorName: shown.errorName, failure, message });
  }

  /**
   * Takes this client out of use: the next request makes a new one. Requests still using it (the dialog
   * asks for several lists at once) finish on it; it closes after the last of them.
   */
  function release(key: string, cached: CachedClient): void {
    clearTimeout(cached.timer);
    if (clients.get(key) === cached) clients.delete(key);
    cached.released = true;
    if (cached.inFlight === 0) cached.client.close();
  }

  /** A short-lived client for these exact options, shared by the requests of one editing session. */
  function clientFor(options: ClientOptions): { key: string; cached: CachedClient } {
    const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
    let cached = clients.get(key);
    if (cached) {
      clearTimeout(cached.timer);
    } else {
      const client = newClient(options);
      cached = {
        client,
        schemas: new SchemaCache(client),
        timer: undefined as unknown as NodeJS.Timeout,
        inFlight: 0,
        released: false,
      };
      clients.set(key, cached);
    }
    const current = cached;
    cached.timer = setTimeout(() => release(key, current), IDLE_MS);
    cached.timer.unref();
    return { key, cached };
  }

  async function devicesOf(cached: CachedClient): Promise<DeviceChoice[]> {
    const bindings = (await cached.client.listAll('bindings.list', {})) as Binding[];
    const productKeys = [...new Set(bindings.map((b) => b.product_key))];
    const names = new Map<string, string>();
    await Promise.all(
      productKeys.map((productKey) =>
        cached.schemas
          .get(productKey)
          .then((schema) => names.set(productKey, schema.name))
          // The product name only decorates the list; a device stays choosable without it.
          .catch(() => undefined),
      ),
    );
    return bindings
      .map((b) => ({
        did: b.did,
        alias: b.dev_alias ?? '',
        productKey: b.product_key,
        productName: names.get(b.product_key),
        online: b.is_online === true,
        mac: b.mac,
      }))
      .sort((a, b) => (a.alias || a.did).localeCompare(b.alias || b.did));
  }

  async function datapointsOf(cached: CachedClient, body: Body): Promise<Datapoint[]> {
    let productKey = typeof body.productKey === 'string' ? body.productKey.trim() : '';
    const did = typeof body.did === 'string' ? body.did.trim() : '';
    if (!productKey && did) {
      const device = (await devicesOf(cached)).find((d) => d.did === did);
      if (!device)
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('admin.notBound', { did }),
        });
      productKey = device.productKey;
    }
    if (!productKey)
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        ...keyed('admin.noDevice', {}),
      });
    return [...(await cached.schemas.get(productKey)).datapoints.values()];
  }

  /** One pick-list route: read permission for deployed accounts, edit permission for edited ones. */
  function picklist(path: string, answer: (cached: CachedClient, body: Body) => Promise<unknown>) {
    RED.httpAdmin.post(path, RED.auth.needsPermission('gizwits-account.read'), async (req, res) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
      let secrets = typedSecrets(body);
      let use: { key: string; cached: CachedClient } | undefined;
      try {
        const target = targetOf(req, body);
        secrets = [...secrets, ...target.secrets];
        use = clientFor(target.options);
        use.cached.inFlight++;
        res.json(await answer(use.cached, body));
      } catch (error) {
        // A refused sign-in or a broken connection must not stick to the next try.
        if (use && !(error instanceof GizwitsError && error.code === 'INVALID_PARAMS'))
          release(use.key, use.cached);
        answerFailure(res, error, secrets);
      } finally {
        if (use && --use.cached.inFlight === 0 && use.cached.released) use.cached.client.close();
      }
    });
  }

  picklist('/gizwits/account/devices', async (cached, body) => {
    const seen = findAccount(RED, body.id)?.lanSeen?.();
    return (await devicesOf(cached)).map((d) => (seen?.has(d.did) ? { ...d, lan: true } : d));
  });
  picklist('/gizwits/account/datapoints', datapointsOf);
  picklist('/gizwits/account/groups', async (cached) =>
    ((await cached.client.listAll('groups.list', {})) as Group[]).map((g) => ({
      id: g.id,
      group_name: g.group_name,
      product_key: g.product_key ?? '',
    })),
  );
  picklist('/gizwits/account/scenes', async (cached) =>
    ((await cached.client.listAll('scenes.list', {})) as Scene[]).map((s) => ({
      id: s.id,
      scene_name: s.scene_name,
    })),
  );

  // Signing in proves credentials, typed or stored: an edit of its own, so it needs edit permission.
  // It always signs in anew (no cached client), and counts against the process-wide login gate.
  RED.httpAdmin.post(
    '/gizwits/account/login-test',
    RED.auth.needsPermission('gizwits-account.write'),
    async (req, res) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
      let secrets = typedSecrets(body);
      let client: GizwitsClient | undefined;
      try {
        const target = isEdited(body) ? typedTarget(body) : deployedTarget(RED, body);
        secrets = [...secrets, ...target.secrets];
        client = newClient(target.options);
        const { uid, expireAt } = await client.verifyLogin();
        res.json({ ok: true, uid, expireAt });
      } catch (error) {
        answerFailure(res, error, secrets, { ok: false });
      } finally {
        client?.close();
      }
    },
  );
}
