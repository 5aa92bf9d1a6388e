// Translating client states and errors into node status and messages happens here, and only here.
import { GizwitsError, writeReason, type ClientState } from '../../client';
import type { NodeStatus, Say } from './red';

/**
 * The few words of a red status ring for each local error code: keys of the node's own catalogue
 * (`status.reason.*`, in every node's locales: see REASON_KEYS), where status texts live.
 */
const SHORT_ERRORS: Record<string, string> = {
  NETWORK: 'status.reason.network',
  TIMEOUT: 'status.reason.timeout',
  INVALID_CONFIG: 'status.reason.config',
  INVALID_PARAMS: 'status.reason.input',
  LOGIN_COOLDOWN: 'status.reason.loginRefused',
  LOGIN_BACKOFF: 'status.reason.loginWaiting',
  CLOUD_BACKOFF: 'status.reason.cloudWaiting',
  BAD_RESPONSE: 'status.reason.badAnswer',
  NOT_LOGGED_IN: 'status.reason.notSignedIn',
  CLOSED: 'status.reason.closed',
};

/** The reason a refused write names (`write.reason.*` of the client), as a few words: "brightness 150 > 100". */
const WRITE_REASONS: Record<string, string> = {
  'write.reason.range': 'status.reason.range',
  'write.reason.step': 'status.reason.step',
  'write.reason.enum': 'status.reason.enum',
  'write.reason.bool': 'status.reason.type',
  'write.reason.number': 'status.reason.type',
  'write.reason.unknown': 'status.reason.unknown',
  'write.reason.readonly': 'status.reason.readonly',
};

/** Every `status.reason.*` key: each node that shows errors has them all in its catalogue. */
export const REASON_KEYS = [...new Set([...Object.values(SHORT_ERRORS), ...Object.values(WRITE_REASONS)])];

function shortWriteReason(error: GizwitsError, say: Say): string | undefined {
  const reason = writeReason(error);
  const key = reason && WRITE_REASONS[reason.key];
  if (!reason || !key) return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(reason.params ?? {}))
    if (typeof value !== 'object') params[name] = String(value);
  if (reason.key === 'write.reason.range') {
    const above = Number(params.value) > Number(params.max);
    params.bound = above ? `> ${params.max}` : `< ${params.min}`;
  }
  const text = say(key, params);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A few words for a red status ring: the error name's tail for cloud codes, the data point and value a
 * refused write names, a phrase otherwise, in the catalogue of the node's `say`.
 */
export function shortReason(error: unknown, say: Say): string {
  if (error instanceof GizwitsError) {
    if (typeof error.code === 'number') {
      const name = error.errorName
        ?.replace(/^GIZ_OPENAPI_/, '')
        .toLowerCase()
        .replace(/_/g, ' ');
      return `${error.code}${name ? ` ${name}` : ''}`;
    }
    if (error.code === 'HTTP') return `HTTP ${error.status ?? ''}`.trim();
    const write = shortWriteReason(error, say);
    if (write) return write;
    const short = SHORT_ERRORS[error.code];
    return short ? say(short) : String(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 40 ? `${message.slice(0, 37)}...` : message;
}

export function errorStatus(error: unknown, say: Say): NodeStatus {
  return { fill: 'red', shape: 'ring', text: shortReason(error, say) };
}

/** Status for the account's connection state, with the shared core keys where they fit. */
export function stateStatus(state: ClientState, error: Error | undefined, say: Say): NodeStatus {
  switch (state) {
    case 'authenticating':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'ready':
      return { fill: 'green', shape: 'dot', text: 'node-red:common.status.connected' };
    case 'failed':
      return error
        ? errorStatus(error, say)
        : { fill: 'red', shape: 'ring', text: 'node-red:common.status.error' };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: 'node-red:common.status.disconnected' };
    default:
      return {};
  }
}

/** `HH:MM:SS` of now, for "done at …" status texts. */
export function clockTime(date = new Date()): string {
  return date.toTimeString().slice(0, 8);
}

/** An Error whose message says what was wrong, for `done(err)` (GizwitsErrors pass through). */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(String(error));
}
