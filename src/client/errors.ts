import { ERROR_TABLE } from './error-table';

/** Codes the client itself raises, beside the Open API's numeric ones. */
export type LocalErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP'
  | 'BAD_RESPONSE'
  | 'INVALID_PARAMS'
  | 'INVALID_CONFIG'
  | 'LOGIN_COOLDOWN'
  | 'LOGIN_BACKOFF'
  | 'CLOUD_BACKOFF'
  | 'NOT_LOGGED_IN'
  | 'CLOSED';

/**
 * A message's key in the nodes' error catalogue and the values it names, so that the nodes can say it in
 * the runtime's language; `message` stays the English wording.
 */
export interface ErrorText {
  key: string;
  /** Values named in the text; a nested ErrorText is itself translated (a message inside a message). */
  params?: Record<string, string | number | ErrorText>;
}

/** Tags an English message with its catalogue key: `keyed('write.bool', {name}, \`"${name}" takes...\`)`. */
export function keyed(
  key: string,
  params: Record<string, string | number | ErrorText>,
  message: string,
): { message: string; text: ErrorText } {
  return { message, text: { key, params } };
}

export interface GizwitsErrorInit {
  code: number | LocalErrorCode;
  message?: string;
  text?: ErrorText;
  status?: number;
  operation?: string;
  serverMessage?: string;
  detail?: unknown;
  retryable?: boolean;
  hint?: string;
  /** The server's Retry-After header, when it sent one. */
  retryAfter?: string;
}

/** Codes a retry (after a pause) can cure: throttling and transient server or network trouble. */
const RETRYABLE_API_CODES = new Set([9041, 9008]);
const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);

/** What a user can do about the commonest codes; shown after the error so a Catch node says it. */
export const ERROR_HINTS: Readonly<Record<number, string>> = {
  9003: 'check the AppID of the gizwits-account node',
  9004: 'the user token is invalid: log in again, or use password mode so the node can',
  9005: 'no such user: check the username of the gizwits-account node',
  9006: 'the user token expired: log in again, or use password mode so the node can',
  9014: 'no device has this did: check the device id',
  9015: 'the request was malformed: check the parameters',
  9017: 'the account has not bound this device',
  9020: 'check the username and password of the gizwits-account node',
  9025: 'a data point name or value is not valid for this product',
  9041: 'the Gizwits cloud is throttling this app: send fewer requests',
  9042: 'the device is offline',
  9043: "the host's clock differs from the cloud's by more than 5 minutes",
  9044: 'check the product secret of the gizwits-account node',
  9038: 'check the app secret of the gizwits-account node',
};

export function errorName(code: number): string | undefined {
  return ERROR_TABLE[code]?.[0];
}

export function isRetryableCode(code: number | LocalErrorCode, status?: number): boolean {
  if (typeof code === 'number')
    return RETRYABLE_API_CODES.has(code) || (status !== undefined && RETRYABLE_HTTP.has(status));
  if (code === 'NETWORK' || code === 'TIMEOUT') return true;
  return code === 'HTTP' && status !== undefined && RETRYABLE_HTTP.has(status);
}

/**
 * The one error the client throws. `code` is the Open API's error_code where the cloud gave one, or a
 * local code; `errorName` is the document's name for it. Messages never contain secrets: they are built
 * only from the code, the operation id, the server's message and a hint.
 */
export class GizwitsError extends Error {
  readonly code: number | LocalErrorCode;
  readonly errorName: string | undefined;
  readonly status: number | undefined;
  readonly operation: string | undefined;
  readonly serverMessage: string | undefined;
  readonly detail: unknown;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly retryAfter: string | undefined;
  readonly text: ErrorText | undefined;

  constructor(init: GizwitsErrorInit) {
    const name = typeof init.code === 'number' ? errorName(init.code) : undefined;
    const hint = init.hint ?? (typeof init.code === 'number' ? ERROR_HINTS[init.code] : undefined);
    super(init.message ?? describe(init, name, hint));
    this.name = 'GizwitsError';
    this.code = init.code;
    this.errorName = name;
    this.status = init.status;
    this.operation = init.operation;
    this.serverMessage = init.serverMessage;
    this.detail = init.detail;
    this.hint = hint;
    this.retryAfter = init.retryAfter;
    this.retryable = init.retryable ?? isRetryableCode(init.code, init.status);
    this.text = init.text ?? (init.message === undefined ? cloudText(init, name, hint) : undefined);
  }

  /** The same error in other words (a translation): every field kept but the message. */
  withMessage(message: string): GizwitsError {
    const copy = new GizwitsError({
      code: this.code,
      message,
      text: this.text,
      status: this.status,
      operation: this.operation,
      serverMessage: this.serverMessage,
      detail: this.detail,
      retryable: this.retryable,
      hint: this.hint,
      retryAfter: this.retryAfter,
    });
    copy.stack = `${copy.name}: ${message}\n${(this.stack ?? '').split('\n').slice(1).join('\n')}`;
    return copy;
  }

  /** True when the cloud refused the user token (invalid or expired). */
  get isTokenError(): boolean {
    return this.code === 9004 || this.code === 9006;
  }

  /** True when a login was refused because the credentials are wrong. */
  get isBadCredentials(): boolean {
    return this.code === 9020 || this.code === 9005;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      errorName: this.errorName,
      status: this.status,
      operation: this.operation,
      serverMessage: this.serverMessage,
      retryable: this.retryable,
    };
  }
}

/**
 * The catalogue text of what describe() words for a code of the cloud: `cloud`, or `cloudWithHint` with
 * the code's usual hint (`hints.<code>`). None without an operation, or with a hint of the caller's own.
 */
function cloudText(
  init: GizwitsErrorInit,
  name: string | undefined,
  hint: string | undefined,
): ErrorText | undefined {
  if (typeof init.code !== 'number' || !init.operation) return undefined;
  const params = {
    operation: init.operation,
    code: init.code,
    name: name ?? 'GIZ_OPENAPI_UNDOCUMENTED_CODE',
    message: init.serverMessage || ERROR_TABLE[init.code]?.[1] || 'no message',
  };
  if (!hint) return { key: 'cloud', params };
  if (hint !== ERROR_HINTS[init.code]) return undefined;
  return { key: 'cloudWithHint', params: { ...params, hint: { key: `hints.${init.code}` } } };
}

function describe(init: GizwitsErrorInit, name: string | undefined, hint: string | undefined): string {
  const where = init.operation ? `Gizwits ${init.operation} failed` : 'Gizwits request failed';
  let what: string;
  if (typeof init.code === 'number') {
    const documented = ERROR_TABLE[init.code]?.[1];
    const text = init.serverMessage || documented || 'no message';
    what = `${init.code} ${name ?? 'GIZ_OPENAPI_UNDOCUMENTED_CODE'} (${text})`;
  } else if (init.code === 'HTTP') {
    what = `HTTP ${init.status ?? '?'}${init.serverMessage ? ` (${init.serverMessage})` : ''}`;
  } else {
    what = `${init.code}${init.serverMessage ? ` (${init.serverMessage})` : ''}`;
  }
  return `${where}: ${what}${hint ? `: ${hint}` : ''}`;
}

/** Reads an Open API error body (`{error_code, error_message, detail_message}`), tolerating strings. */
export function parseErrorBody(
  body: unknown,
): { code: number; message?: string; detail?: unknown } | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const code = Number(record.error_code);
  if (!Number.isInteger(code) || code <= 0) return undefined;
  const message = typeof record.error_message === 'string' ? record.error_message : undefined;
  const detail = record.detail_message ?? record.detail ?? undefined;
  return { code, message, detail: detail === null ? undefined : detail };
}
