// From a gizwits-account configuration (deployed, or as typed in the edit dialog) to client options.
import {
  GizwitsError,
  keyed,
  parseTargets,
  type AuthMode,
  type ClientOptions,
  type DiscoveryTarget,
} from '../../client';

export interface AccountConfig {
  name?: string;
  region?: string;
  apiUrl?: string;
  appId?: string;
  authMode?: string;
  secure?: boolean | string;
  productKey?: string;
  /** `off` (default), `prefer` or `only`: docs/lan.md. */
  lan?: string;
  /** Discovery addresses, comma-separated `host[:port]`; empty = every interface's broadcast. */
  lanTargets?: string;
}

export interface AccountCredentials {
  username?: string;
  password?: string;
  phoneId?: string;
  uid?: string;
  token?: string;
  appSecret?: string;
  productSecret?: string;
}

export const CREDENTIAL_FIELDS = [
  'username',
  'password',
  'phoneId',
  'uid',
  'token',
  'appSecret',
  'productSecret',
] as const;

/** The editor shows a stored password as this placeholder; it means "keep the deployed value". */
export const PASSWORD_PLACEHOLDER = '__PWRD__';

const ENV_REFERENCE = /^\$\{(\S+)\}$/;

/**
 * Node-RED replaces `${VAR}` in node properties but not in credentials; this does the same for
 * credentials, so that headless deployments can keep every secret in the environment.
 */
export function resolveEnvReference(
  value: string | undefined,
  lookup: (name: string) => string | undefined,
): string | undefined {
  if (typeof value !== 'string') return value;
  const match = ENV_REFERENCE.exec(value.trim());
  if (!match) return value;
  const resolved = lookup(match[1]);
  if (resolved === undefined || resolved === '') {
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('account.envNotSet', { name: match[1] }),
    });
  }
  return resolved;
}

export function resolveCredentials(
  credentials: AccountCredentials | undefined,
  lookup: (name: string) => string | undefined,
): AccountCredentials {
  const out: AccountCredentials = {};
  for (const field of CREDENTIAL_FIELDS) {
    const value = credentials?.[field];
    if (typeof value === 'string' && value !== '') out[field] = resolveEnvReference(value, lookup);
  }
  return out;
}

function authModeOf(value: string | undefined): AuthMode {
  const mode = value || 'password';
  if (mode === 'password' || mode === 'anonymous' || mode === 'token') return mode;
  throw new GizwitsError({
    code: 'INVALID_CONFIG',
    // The client's own text for the same mistake.
    ...keyed('session.unknownMode', { mode }),
  });
}

export function isSecure(config: AccountConfig): boolean {
  return !(config.secure === false || config.secure === 'false');
}

/** Client options from a configuration and its (already resolved) credentials. Throws INVALID_CONFIG. */
export function clientOptionsFrom(config: AccountConfig, credentials: AccountCredentials): ClientOptions {
  const appId = (config.appId ?? '').trim();
  if (!appId)
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      // The client's own text for the same mistake.
      ...keyed('config.noAppId', {}),
    });
  const mode = authModeOf(config.authMode);
  const productKey = (config.productKey ?? '').trim();
  return {
    appId,
    region: config.region || 'cn',
    apiUrl: config.apiUrl,
    credentials: {
      mode,
      username: credentials.username,
      password: credentials.password,
      phoneId: credentials.phoneId,
      uid: credentials.uid,
      token: credentials.token,
    },
    appSecret: credentials.appSecret,
    productSecrets:
      productKey && credentials.productSecret ? { [productKey]: credentials.productSecret } : {},
  };
}

export const LAN_MODES = ['off', 'prefer', 'only'] as const;
export type LanMode = (typeof LAN_MODES)[number];

export interface LanSettings {
  mode: LanMode;
  targets: DiscoveryTarget[];
}

/** The account's LAN settings (docs/lan.md), checked. Throws INVALID_CONFIG. */
export function lanSettingsFrom(config: AccountConfig): LanSettings {
  const mode = (config.lan ?? '').trim() || 'off';
  if (!(LAN_MODES as readonly string[]).includes(mode))
    throw new GizwitsError({ code: 'INVALID_CONFIG', ...keyed('config.unknownLan', { mode }) });
  return { mode: mode as LanMode, targets: parseTargets(config.lanTargets ?? '') };
}
