// Translating client states and errors into node status and messages happens here, and only here.
import { GizwitsError, type ClientState } from '../../client';
import type { NodeStatus } from './red';

const SHORT_ERRORS: Record<string, string> = {
  NETWORK: 'cloud unreachable',
  TIMEOUT: 'timed out',
  INVALID_CONFIG: 'check the account',
  INVALID_PARAMS: 'bad input',
  LOGIN_COOLDOWN: 'login refused',
  LOGIN_BACKOFF: 'login failed, waiting',
  CLOUD_BACKOFF: 'cloud failing, waiting',
  BAD_RESPONSE: 'bad answer',
  CLOSED: 'closed',
  HTTP: 'HTTP error',
};

/** A few words for a red status ring: the error name's tail for cloud codes, a phrase otherwise. */
export function shortReason(error: unknown): string {
  if (error instanceof GizwitsError) {
    if (typeof error.code === 'number') {
      const name = error.errorName
        ?.replace(/^GIZ_OPENAPI_/, '')
        .toLowerCase()
        .replace(/_/g, ' ');
      return `${error.code}${name ? ` ${name}` : ''}`;
    }
    if (error.code === 'HTTP') return `HTTP ${error.status ?? ''}`.trim();
    return SHORT_ERRORS[error.code] ?? String(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 40 ? `${message.slice(0, 37)}...` : message;
}

export function errorStatus(error: unknown): NodeStatus {
  return { fill: 'red', shape: 'ring', text: shortReason(error) };
}

/** Status for the account's connection state, with the shared core keys where they fit. */
export function stateStatus(state: ClientState, error?: GizwitsError): NodeStatus {
  switch (state) {
    case 'authenticating':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'ready':
      return { fill: 'green', shape: 'dot', text: 'node-red:common.status.connected' };
    case 'failed':
      return error
        ? errorStatus(error)
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
