// Admin routes the editor calls with the account as its edit dialog holds it, deployed or not:
// the sign-in test and the pick-lists (devices, a device's data points, groups, scenes).
// Body: {id, config, credentials} (+ did or productKey for data points). Credentials left as the
// editor's placeholder, or absent, mean "the deployed node's stored value". Errors: HTTP 400 {message, code}.
import { createHash } from 'node:crypto';
import {
  GizwitsClient,
  GizwitsError,
  toProductSchema,
  type Binding,
  type Datapoint,
  type Group,
  type ProductSchema,
  type Scene,
} from '../../client';
import {
  CREDENTIAL_FIELDS,
  PASSWORD_PLACEHOLDER,
  clientOptionsFrom,
  resolveCredentials,
  resolveEnvReference,
  type AccountConfig,
  type AccountCredentials,
} from '../common/account-config';
import { errorTranslator } from '../common/error-text';
import { migrateConfig } from '../common/migrate';
import type { Node, NodeAPI } from '../common/red';

type Body = Record<string, unknown>;

const CONFIG_FIELDS = ['name', 'region', 'apiUrl', 'appId', 'authMode', 'productKey'] as const;

/** A pick-list client lives this long after its last use, so that one dialog signs in once. */
const IDLE_MS = 60_000;

export interface DeviceChoice {
  did: string;
  alias: string;
  productKey: string;
  productName?: string;
  online: boolean;
  mac: string;
}

interface Dialog {
  config: AccountConfig;
  credentials: AccountCredentials;
}

interface CachedClient {
  client: GizwitsClient;
  schemas: Map<string, Promise<ProductSchema>>;
  timer: NodeJS.Timeout;
}

function problem(error: unknown): GizwitsError {
  return error instanceof GizwitsError
    ? error
    : new GizwitsError({
        code: 'NETWORK',
        serverMessage: error instanceof Error ? error.message : String(error),
      });
}

/** The message without any secret of the dialog in it, whatever an error quoted. */
function redact(text: string, dialog: Dialog | undefined): string {
  let out = text;
  for (const field of CREDENTIAL_FIELDS) {
    const secret = dialog?.credentials[field];
    if (field !== 'username' && field !== 'uid' && secret && secret.length >= 3)
      out = out.split(secret).join('***');
  }
  return out;
}

export function registerAdminRoutes(RED: NodeAPI): void {
  // Answers in the runtime's language, as the nodes' errors are.
  const translated = errorTranslator(RED);
  const clients = new Map<string, CachedClient>();

  /** The account as typed in the dialog, stored credentials filling the placeholders, ${ENV} resolved. */
  function dialogFrom(body: Body): Dialog {
    const id = typeof body.id === 'string' && body.id ? body.id : undefined;
    const deployed = id ? (RED.nodes.getNode(id) as Node | null) : null;
    const lookup = (name: string) =>
      deployed ? (RED.util.getSetting(deployed, name) as string | undefined) : process.env[name];
    const stored = (id ? RED.nodes.getCredentials(id) : undefined) as AccountCredentials | undefined;
    const typed = (body.credentials && typeof body.credentials === 'object' ? body.credentials : {}) as Body;
    const merged: AccountCredentials = {};
    for (const field of CREDENTIAL_FIELDS) {
      const value = typed[field];
      merged[field] =
        value === PASSWORD_PLACEHOLDER || value === undefined || value === null
          ? stored?.[field]
          : String(value);
    }
    const raw = (body.config && typeof body.config === 'object' ? body.config : {}) as Body;
    const config: AccountConfig = { secure: raw.secure as boolean | string | undefined };
    for (const field of CONFIG_FIELDS) {
      const value = raw[field];
      if (typeof value === 'string') config[field] = resolveEnvReference(value.trim(), lookup);
    }
    return {
      config: migrateConfig('gizwits-account', config as AccountConfig & Body),
      credentials: resolveCredentials(merged, lookup),
    };
  }

  function release(key: string): void {
    const cached = clients.get(key);
    if (!cached) return;
    clearTimeout(cached.timer);
    cached.client.close();
    clients.delete(key);
  }

  /** A short-lived client for these exact values, shared by the requests of one editing session. */
  function clientFor(dialog: Dialog): { key: string; cached: CachedClient } {
    const options = clientOptionsFrom(dialog.config, dialog.credentials);
    const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
    let cached = clients.get(key);
    if (cached) {
      clearTimeout(cached.timer);
    } else {
      const client = new GizwitsClient({ ...options, retry: { retries: 0 }, timeoutMs: 10_000 });
      cached = { client, schemas: new Map(), timer: undefined as unknown as NodeJS.Timeout };
      clients.set(key, cached);
    }
    cached.timer = setTimeout(() => release(key), IDLE_MS);
    cached.timer.unref();
    return { key, cached };
  }

  function schemaOf(cached: CachedClient, productKey: string): Promise<ProductSchema> {
    let schema = cached.schemas.get(productKey);
    if (!schema) {
      schema = cached.client.call('devices.datapoint', { product_key: productKey }).then(toProductSchema);
      schema.catch(() => cached.schemas.delete(productKey));
      cached.schemas.set(productKey, schema);
    }
    return schema;
  }

  async function devicesOf(cached: CachedClient): Promise<DeviceChoice[]> {
    const bindings = (await cached.client.listAll('bindings.list', {})) as Binding[];
    const productKeys = [...new Set(bindings.map((b) => b.product_key))];
    const names = new Map<string, string>();
    await Promise.all(
      productKeys.map((productKey) =>
        schemaOf(cached, productKey)
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
          message: `The device ${did} is not bound to this account: choose one from the list`,
        });
      productKey = device.productKey;
    }
    if (!productKey)
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        message: 'Give a device (did) or a product key to list its data points',
      });
    return [...(await schemaOf(cached, productKey)).datapoints.values()];
  }

  /** One pick-list route: builds the client, answers the list, or 400 {message, code} without secrets. */
  function picklist(
    path: string,
    permission: string,
    answer: (cached: CachedClient, body: Body) => Promise<unknown>,
  ) {
    RED.httpAdmin.post(path, RED.auth.needsPermission(permission), async (req, res) => {
      const body = (req.body ?? {}) as Body;
      let dialog: Dialog | undefined;
      let key: string | undefined;
      try {
        dialog = dialogFrom(body);
        const use = clientFor(dialog);
        key = use.key;
        res.json(await answer(use.cached, body));
      } catch (error) {
        const e = translated(problem(error)) as GizwitsError;
        // A refused sign-in or a broken connection must not stick to the next try.
        if (key && !(e.code === 'INVALID_PARAMS')) release(key);
        res.status(400).json({ code: e.code, errorName: e.errorName, message: redact(e.message, dialog) });
      }
    });
  }

  picklist('/gizwits/account/devices', 'gizwits-account.read', (cached) => devicesOf(cached));
  picklist('/gizwits/account/datapoints', 'gizwits-account.read', datapointsOf);
  picklist('/gizwits/account/groups', 'gizwits-account.read', async (cached) =>
    ((await cached.client.listAll('groups.list', {})) as Group[]).map((g) => ({
      id: g.id,
      group_name: g.group_name,
      product_key: g.product_key ?? '',
    })),
  );
  picklist('/gizwits/account/scenes', 'gizwits-account.read', async (cached) =>
    ((await cached.client.listAll('scenes.list', {})) as Scene[]).map((s) => ({
      id: s.id,
      scene_name: s.scene_name,
    })),
  );

  // The sign-in test always signs in anew (no cached client), so that it proves the credentials.
  RED.httpAdmin.post(
    '/gizwits/account/login-test',
    RED.auth.needsPermission('gizwits-account.write'),
    async (req, res) => {
      let client: GizwitsClient | undefined;
      let dialog: Dialog | undefined;
      try {
        dialog = dialogFrom((req.body ?? {}) as Body);
        client = new GizwitsClient({
          ...clientOptionsFrom(dialog.config, dialog.credentials),
          retry: { retries: 0 },
          timeoutMs: 10_000,
        });
        const { uid, expireAt } = await client.verifyLogin();
        res.json({ ok: true, uid, expireAt });
      } catch (error) {
        const e = translated(problem(error)) as GizwitsError;
        res
          .status(400)
          .json({ ok: false, code: e.code, errorName: e.errorName, message: redact(e.message, dialog) });
      } finally {
        client?.close();
      }
    },
  );
}
