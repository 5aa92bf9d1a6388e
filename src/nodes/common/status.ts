// Translating client states and errors into node status and messages happens here, and only here.
import { GizwitsError, type ClientState } from '../../client';
import type { NodeStatus, Say } from './red';

/**
 * The few words of a red status ring for each local error code, in the catalogue of the node showing it
 * (`status.reason.*`, in every node's locales: see REASON_KEYS) with the English beside the key.
 */
const SHORT_ERRORS: Record<string, [key: string, english: string]> = {
  NETWORK: ['status.reason.network', 'cloud unreachable'],
  TIMEOUT: ['status.reason.timeout', 'timed out'],
  INVALID_CONFIG: ['status.reason.config', 'check the account'],
  INVALID_PARAMS: ['status.reason.input', 'bad input'],
  LOGIN_COOLDOWN: ['status.reason.loginRefused', 'login refused'],
  LOGIN_BACKOFF: ['status.reason.loginWaiting', 'login failed, waiting'],
  CLOUD_BACKOFF: ['status.reason.cloudWaiting', 'cloud failing, waiting'],
  BAD_RESPONSE: ['status.reason.badAnswer', 'bad answer'],
  NOT_LOGGED_IN: ['status.reason.notSignedIn', 'not signed in'],
  CLOSED: ['status.reason.closed', 'closed'],
};

/** The reason a refused write names, as a few words: "brightness 150 > 100", "mode 彩虹?". */
const WRITE_REASONS: Record<string, [key: string, english: (p: Record<string, string>) => string]> = {
  'write.range': ['status.reason.range', (p) => `${p.name} ${p.value} ${p.bound}`],
  'write.step': ['status.reason.step', (p) => `${p.name} ${p.value} off step ${p.step}`],
  'write.enum': ['status.reason.enum', (p) => `${p.name}: no ${p.value}`],
  'write.bool': ['status.reason.type', (p) => `${p.name} ${p.value}: wrong type`],
  'write.number': ['status.reason.type', (p) => `${p.name} ${p.value}: wrong type`],
  'write.unknown': ['status.reason.unknown', (p) => `no data point ${p.name}`],
  'write.readonly': ['status.reason.readonly', (p) => `${p.name} is read-only`],
};

/** Every `status.reason.*` key: each node that shows errors has them all in its catalogue. */
export const REASON_KEYS = [
  ...new Set([...Object.values(SHORT_ERRORS), ...Object.values(WRITE_REASONS)].map(([key]) => key)),
];

/** English where the node has no catalogue (the unit-test helper). */
const english: Say = (_key, text) => text;

function writeReason(error: GizwitsError, say: Say): string | undefined {
  const key = error.text?.key ?? '';
  const reason = WRITE_REASONS[key];
  if (!reason) return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.text?.params ?? {}))
    if (typeof value !== 'object') params[name] = String(value);
  if (key === 'write.range') {
    const above = Number(params.value) > Number(params.max);
    params.bound = above ? `> ${params.max}` : `< ${params.min}`;
  }
  const text = say(reason[0], reason[1](params), params);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A few words for a red status ring: the error name's tail for cloud codes, the data point and value a
 * refused write names, a phrase otherwise, in the catalogue of the node's `say`.
 */
export function shortReason(error: unknown, say: Say = english): string {
  if (error instanceof GizwitsError) {
    if (typeof error.code === 'number') {
      const name = error.errorName
        ?.replace(/^GIZ_OPENAPI_/, '')
        .toLowerCase()
        .replace(/_/g, ' ');
      return `${error.code}${name ? ` ${name}` : ''}`;
    }
    if (error.code === 'HTTP') return `HTTP ${error.status ?? ''}`.trim();
    const write = writeReason(error, say);
    if (write) return write;
    const short = SHORT_ERRORS[error.code];
    return short ? say(short[0], short[1]) : String(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 40 ? `${message.slice(0, 37)}...` : message;
}

export function errorStatus(error: unknown, say: Say = english): NodeStatus {
  return { fill: 'red', shape: 'ring', text: shortReason(error, say) };
}

/** Status for the account's connection state, with the shared core keys where they fit. */
export function stateStatus(state: ClientState, error?: GizwitsError, say: Say = english): NodeStatus {
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
