// Who may make the editor's admin routes call which account, read from one request.
//
// Two kinds of request, and nothing in between:
// - `{id}` (+ did or productKey): a deployed gizwits-account node, with its saved region, apiUrl, appId
//   and credentials, resolved as the deployed node resolves them. Read permission is enough: the caller
//   chooses which deployed account, never where its credentials go.
// - `{config, credentials}`: an account being edited, not yet deployed. It may name any address, so it
//   needs the permission to edit accounts, and it brings every credential it uses, typed in the dialog:
//   a stored value is never filled in for it, and nothing in it is read from the environment.
import { GizwitsError, keyed, type ClientOptions, type ErrorText, type LocalErrorCode } from '../../client';
import {
  CREDENTIAL_FIELDS,
  PASSWORD_PLACEHOLDER,
  clientOptionsFrom,
  type AccountConfig,
  type AccountCredentials,
} from '../common/account-config';
import type { GizwitsAccountNode } from '../common/account-node';
import { migrateConfig } from '../common/migrate';
import type { NodeAPI } from '../common/red';

export type Body = Record<string, unknown>;

/** The permission that editing an account needs, in Node-RED's `<type>.<read|write>` naming. */
export const EDIT_PERMISSION = 'gizwits-account.write';

/** The settings a client is made of (the name is only a label). */
const CONFIG_FIELDS = ['region', 'apiUrl', 'appId', 'authMode', 'productKey'] as const;

/** A whole-value `${NAME}`, as Node-RED and the deployed node read environment references. */
const ENV_REFERENCE = /^\s*\$\{(\S+)\}\s*$/;

/** What a route may call: the client options and every secret in them, for redaction. */
export interface Target {
  /** The deployed node's id, or undefined for values typed in a dialog. */
  deployedId: string | undefined;
  options: ClientOptions;
  secrets: string[];
}

/** A request refused before any client was made: its HTTP status, code and catalogue text. */
export class RouteRefusal extends Error {
  readonly error: GizwitsError;
  readonly status: number;
  readonly code: 'FORBIDDEN' | 'NOT_FOUND' | LocalErrorCode;

  constructor(
    readonly failure: 'permission' | 'not-found' | 'invalid',
    code: 'INVALID_PARAMS' | 'INVALID_CONFIG',
    text: { message: string; text: ErrorText },
  ) {
    super(text.message);
    this.status = failure === 'permission' ? 403 : failure === 'not-found' ? 404 : 400;
    this.code = failure === 'permission' ? 'FORBIDDEN' : failure === 'not-found' ? 'NOT_FOUND' : code;
    this.error = new GizwitsError({ code, ...text });
  }
}

/** `true` when the request brings account values of its own, i.e. is an account being edited. */
export function isEdited(body: Body): boolean {
  return body.config !== undefined || body.credentials !== undefined;
}

/**
 * Whether the caller may edit accounts. Node-RED's read guard has just authenticated the request and
 * left the caller's scope in `req.authInfo`; this applies Node-RED's own rule to it, so that the refusal
 * can be a 403 with a message rather than the guard's bare 401. With no adminAuth there is no user, and
 * everyone may edit, as in the editor itself.
 */
export function mayEdit(RED: NodeAPI, req: { user?: unknown; authInfo?: { scope?: unknown } }): boolean {
  if (!req.user) return !(RED.settings as unknown as Record<string, unknown>).adminAuth;
  return grants(req.authInfo?.scope, EDIT_PERMISSION);
}

function grants(scope: unknown, permission: string): boolean {
  if (Array.isArray(scope)) return scope.some((one) => grants(one, permission));
  if (scope === '*' || scope === permission) return true;
  if (scope === 'write' || scope === '*.write') return permission.endsWith('.write');
  return false;
}

export function needsEditRefusal(): RouteRefusal {
  return new RouteRefusal(
    'permission',
    'INVALID_PARAMS',
    keyed('admin.needsWrite', { permission: EDIT_PERMISSION }),
  );
}

/** A deployed gizwits-account node by id, with its saved settings; refused for any other id. */
export function deployedTarget(RED: NodeAPI, body: Body): Target {
  const id = typeof body.id === 'string' ? body.id.trim() : '';
  if (!id) throw new RouteRefusal('invalid', 'INVALID_PARAMS', keyed('admin.noAccount', {}));
  const node = RED.nodes.getNode(id) as (GizwitsAccountNode & { type?: string }) | null;
  if (!node || node.type !== 'gizwits-account' || typeof node.clientOptions !== 'function')
    throw new RouteRefusal('not-found', 'INVALID_PARAMS', keyed('admin.notDeployed', { id }));
  let options: ClientOptions;
  try {
    options = node.clientOptions();
  } catch {
    // The reason would quote saved or environment values the caller did not send: say only which node.
    throw new RouteRefusal('invalid', 'INVALID_CONFIG', keyed('admin.deployedInvalid', { id }));
  }
  return { deployedId: id, options, secrets: secretsOf(options, true) };
}

/** The account exactly as typed in a dialog: no placeholder filled in, no `${NAME}` resolved. */
export function typedTarget(body: Body): Target {
  const raw = (body.config && typeof body.config === 'object' ? body.config : {}) as Body;
  const config: AccountConfig = {};
  for (const field of CONFIG_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string') config[field] = checkTyped(field, value.trim());
  }
  if (typeof raw.secure === 'boolean' || typeof raw.secure === 'string') config.secure = raw.secure;
  const given = (body.credentials && typeof body.credentials === 'object' ? body.credentials : {}) as Body;
  const credentials: AccountCredentials = {};
  for (const field of CREDENTIAL_FIELDS) {
    const value = given[field];
    if (typeof value !== 'string' || value === '') continue;
    if (value === PASSWORD_PLACEHOLDER)
      throw new RouteRefusal(
        'invalid',
        'INVALID_PARAMS',
        keyed('admin.placeholder', { field: { key: `admin.field.${field}` } }),
      );
    credentials[field] = checkTyped(field, value);
  }
  const options = clientOptionsFrom(
    migrateConfig('gizwits-account', config as AccountConfig & Body),
    credentials,
  );
  // The username and uid were typed by the caller, who may see them again; redacting such short,
  // common words would garble the messages that name a field ("username").
  return { deployedId: undefined, options, secrets: secretsOf(options, false) };
}

/** A field of the dialog; its name in messages is the catalogue's `admin.field.<field>`. */
type FieldName = (typeof CONFIG_FIELDS)[number] | (typeof CREDENTIAL_FIELDS)[number];

/** A typed value as it is; an environment reference refused by name, never looked up. */
function checkTyped(field: FieldName, value: string): string {
  const reference = ENV_REFERENCE.exec(value);
  if (reference)
    throw new RouteRefusal(
      'invalid',
      'INVALID_PARAMS',
      keyed('admin.envReference', { field: { key: `admin.field.${field}` }, name: reference[1] }),
    );
  return value;
}

/**
 * Every value of the options that must not come back in an answer; with `stored`, also the user's name
 * and id, which the caller of a deployed account did not send.
 */
function secretsOf(options: ClientOptions, stored: boolean): string[] {
  const { username, password, phoneId, uid, token } = options.credentials;
  return [
    ...(stored ? [username, uid] : []),
    password,
    phoneId,
    token,
    options.appSecret,
    ...Object.values(options.productSecrets ?? {}),
  ].filter((value): value is string => typeof value === 'string' && value !== '');
}
