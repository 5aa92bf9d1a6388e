import { ERROR_TABLE } from './error-table';
import { english, messageCatalogue, type ErrorText, type TextParam } from './messages';

export type { ErrorText } from './messages';

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
 * Tags an error with its catalogue text: `keyed('request.closed', {operation})`. The message is the text's
 * en-US rendering; there is no English beside the key (a third argument does not compile).
 */
export function keyed(
  key: string,
  params: Record<string, TextParam> = {},
): { message: string; text: ErrorText } {
  const text = { key, params };
  return { message: english(text), text };
}

export interface GizwitsErrorInit {
  code: number | LocalErrorCode;
  /** The catalogue text of the error; without one, the client words it from the code (see describe). */
  text?: ErrorText;
  /** Only for the same error in other words (a translation, a redaction): never English beside a key. */
  message?: string;
  status?: number;
  operation?: string;
  serverMessage?: string;
  detail?: unknown;
  retryable?: boolean;
  /** What the user can do, when not the code's usual hint (`hints.<code>`): a catalogue text. */
  hint?: ErrorText;
  /** The server's Retry-After header, when it sent one. */
  retryAfter?: string;
}

/** Codes a retry (after a pause) can cure: throttling and transient server or network trouble. */
const RETRYABLE_API_CODES = new Set([9041, 9008]);
const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);

/** What a user can do about the commonest codes, in English: the en-US catalogue's `hints.<code>`. */
export const ERROR_HINTS = messageCatalogue('en-US')!.hints as Readonly<Record<number, string>>;

/** The catalogue text of a code's usual hint, if it has one. */
function codeHint(code: number | LocalErrorCode): ErrorText | undefined {
  return typeof code === 'number' && ERROR_HINTS[code] !== undefined ? { key: `hints.${code}` } : undefined;
}

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
  /** The hint in English, as the message ends with it, and its catalogue text. */
  readonly hint: string | undefined;
  readonly hintText: ErrorText | undefined;
  readonly retryAfter: string | undefined;
  readonly text: ErrorText | undefined;

  constructor(init: GizwitsErrorInit) {
    const name = typeof init.code === 'number' ? errorName(init.code) : undefined;
    const hint = init.hint ?? codeHint(init.code);
    const text = init.text ?? (init.message === undefined ? describe(init, name, hint) : undefined);
    super(init.message ?? english(text!));
    this.name = 'GizwitsError';
    this.code = init.code;
    this.errorName = name;
    this.status = init.status;
    this.operation = init.operation;
    this.serverMessage = init.serverMessage;
    this.detail = init.detail;
    this.hint = hint && english(hint);
    this.hintText = hint;
    this.retryAfter = init.retryAfter;
    this.retryable = init.retryable ?? isRetryableCode(init.code, init.status);
    this.text = text;
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
      hint: this.hintText,
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
 * The text of an error that has none of its own, from its code: a cloud code says its number, name and
 * message (`cloud`, or `cloudWithHint`); a local code its name and the words that came with it.
 */
function describe(init: GizwitsErrorInit, name: string | undefined, hint: ErrorText | undefined): ErrorText {
  const detail: TextParam = init.serverMessage
    ? { key: 'request.detail', params: { text: init.serverMessage } }
    : '';
  if (typeof init.code === 'number') {
    const params = {
      code: init.code,
      name: name ?? 'GIZ_OPENAPI_UNDOCUMENTED_CODE',
      message: init.serverMessage || ERROR_TABLE[init.code]?.[1] || 'no message',
    };
    if (init.operation) {
      const withOperation = { operation: init.operation, ...params };
      return hint
        ? { key: 'cloudWithHint', params: { ...withOperation, hint } }
        : { key: 'cloud', params: withOperation };
    }
    return hinted({ key: 'failed.request', params: { what: { key: 'failed.code', params } } }, hint);
  }
  const what: ErrorText =
    init.code === 'HTTP'
      ? { key: 'failed.http', params: { status: init.status ?? '?', detail } }
      : { key: 'failed.local', params: { code: init.code, detail } };
  const framed: ErrorText = init.operation
    ? { key: 'failed.operation', params: { operation: init.operation, what } }
    : { key: 'failed.request', params: { what } };
  return hinted(framed, hint);
}

/** A text followed by `: <hint>`, when there is one. */
function hinted(text: ErrorText, hint: ErrorText | undefined): ErrorText {
  return hint ? { key: 'failed.hinted', params: { what: text, hint } } : text;
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
