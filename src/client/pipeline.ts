// The one request pipeline: builds a request from an endpoint row and flat parameters, sends it with
// keep-alive, turns any failure into a GizwitsError, and repeats what is safe to repeat.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { Axios, AxiosError, type AxiosResponse } from 'axios';
import { CloudBudget, type BudgetOptions } from './budget';
import type { OperationId } from './endpoints';
import { GizwitsError, keyed, parseErrorBody, type ErrorText } from './errors';
import { DEFAULT_RETRY, delayBeforeRetry, shouldRetry, type RetryPolicy } from './retry';
import type { PreparedRequest } from './prepared-request';
import { redact, redactValue } from './signing';

export interface PipelineOptions {
  baseUrl: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Secrets to scrub from anything the pipeline throws. */
  secrets?: () => Iterable<string | undefined>;
  /** Pauses between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** The account's budget against a failing cloud (docs/budget.md). */
  budget?: BudgetOptions;
}

export interface SendOptions {
  /** False: one attempt only, whatever the row says (logins: their own backoff decides the next). */
  retry?: boolean;
}

/** The largest answer read (bytes): a page of bindings or raw history is a few hundred KiB at most. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** The largest request body sent (bytes): rules and schedules are a few KiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export type HeaderSource = (
  request: PreparedRequest,
) => Promise<Record<string, string>> | Record<string, string>;

/**
 * Kept-alive sockets. axios sets TCP keep-alive to 60 s on the socket of every request; the agent sets its
 * own delay again whenever a socket goes back to the pool. With the same 60 s in both, neither is a
 * setsockopt call per request (the agent's default of 1 s made it two, about 0.04 ms of every call).
 */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 16 };

/** The answer parsed as JSON, or left as it came when it is not JSON (axios's own silent parsing). */
function jsonAnswer(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/** Turns an HTTP answer or a transport failure into a GizwitsError (never carrying request headers). */
export function toGizwitsError(
  operation: OperationId,
  failure: AxiosResponse | AxiosError | unknown,
): GizwitsError {
  if (failure instanceof GizwitsError) return failure;
  if (isAxiosResponse(failure)) {
    const parsed = parseErrorBody(failure.data);
    const retryAfter = headerValue(failure.headers?.['retry-after']);
    if (parsed) {
      return new GizwitsError({
        code: parsed.code,
        status: failure.status,
        operation,
        serverMessage: parsed.message,
        detail: parsed.detail,
        retryAfter,
      });
    }
    const statusText = failure.statusText || undefined;
    return new GizwitsError({
      code: 'HTTP',
      status: failure.status,
      operation,
      serverMessage: statusText,
      retryAfter,
      text: {
        key: 'request.http',
        params: { operation, status: failure.status ?? '?', detail: detailText(statusText) },
      },
    });
  }
  if (failure instanceof AxiosError) {
    if (failure.response) return toGizwitsError(operation, failure.response);
    if (/maxBodyLength/.test(failure.message)) {
      return new GizwitsError({
        code: 'INVALID_PARAMS',
        operation,
        ...keyed('request.requestTooLarge', { operation, bytes: MAX_REQUEST_BYTES }),
      });
    }
    if (/maxContentLength/.test(failure.message)) {
      return new GizwitsError({
        code: 'BAD_RESPONSE',
        operation,
        serverMessage: `the answer was larger than ${MAX_ANSWER_BYTES} bytes`,
        retryable: false,
        text: { key: 'request.answerTooLarge', params: { operation, bytes: MAX_ANSWER_BYTES } },
      });
    }
    const timedOut =
      failure.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT' || /timeout/i.test(failure.message);
    const reason = failure.code ?? failure.message;
    const hint: ErrorText = { key: timedOut ? 'request.hint.timeout' : 'request.hint.unreachable' };
    return new GizwitsError({
      code: timedOut ? 'TIMEOUT' : 'NETWORK',
      operation,
      serverMessage: reason,
      hint,
      text: {
        key: timedOut ? 'request.timeout' : 'request.unreachable',
        params: { operation, detail: detailText(reason), hint },
      },
    });
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  return new GizwitsError({
    code: 'NETWORK',
    operation,
    serverMessage: message,
    text: { key: 'request.network', params: { operation, detail: detailText(message) } },
  });
}

/**
 * Whether a request failed because the kept-alive socket it reused had been closed by the server (reset or
 * hung up before any answer), which Node marks with `reusedSocket` on the request.
 */
function staleKeptAliveSocket(error: unknown): boolean {
  if (!(error instanceof AxiosError) || error.response) return false;
  const request = error.request as { reusedSocket?: unknown } | undefined;
  if (request?.reusedSocket !== true) return false;
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' || /socket hang up/i.test(error.message);
}

/**
 * The ` (<words>)` that follows a local code in a message when there are words from elsewhere (the
 * server's status text, the network error's code or message): kept as they are, or '' when none.
 */
function detailText(words: string | undefined): string | ErrorText {
  return words ? { key: 'request.detail', params: { text: words } } : '';
}

/** The text with every secret taken out of its values (the catalogue's own words hold none). */
function redactText(text: ErrorText, secrets: Array<string | undefined>): ErrorText {
  const params: Record<string, string | number | ErrorText> = {};
  for (const [name, value] of Object.entries(text.params ?? {})) {
    params[name] =
      typeof value === 'string'
        ? redact(value, secrets)
        : typeof value === 'number'
          ? value
          : redactText(value, secrets);
  }
  return { key: text.key, params };
}

function isAxiosResponse(value: unknown): value is AxiosResponse {
  return (
    !!value &&
    typeof value === 'object' &&
    'status' in value &&
    'data' in value &&
    'headers' in value &&
    !(value instanceof Error)
  );
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value[0];
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? undefined
      : String(value);
}

function hasKeys(record: Record<string, string>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function closedError(operation: string): GizwitsError {
  return new GizwitsError({
    code: 'CLOSED',
    operation,
    ...keyed('request.closed', { operation }),
  });
}

export class RequestPipeline {
  readonly baseUrl: string;
  readonly retry: RetryPolicy;
  private readonly http: Axios;
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);
  private readonly secrets: () => Iterable<string | undefined>;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly budget: CloudBudget;
  /** Ends requests still in flight when the pipeline closes, so that none opens a socket afterwards. */
  private readonly aborter = new AbortController();
  private closed = false;

  constructor(options: PipelineOptions) {
    this.baseUrl = options.baseUrl;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.secrets = options.secrets ?? (() => []);
    this.sleep = options.sleep ?? sleepFor;
    this.budget = new CloudBudget(options.budget);
    // Every request in flight listens on this one signal (and stops listening when it ends): many at once
    // are expected, not a leak, so Node's warning past 10 listeners would only be noise in the log.
    setMaxListeners(0, this.aborter.signal);
    // A bare Axios with only these defaults, not axios.create(): that one takes axios's own defaults in
    // (header buckets per method, three adapters, transforms for forms and streams), and every request
    // merges them all again. The same http adapter, so the same requests, answers and errors.
    this.http = new Axios({
      adapter: 'http',
      transformResponse: [jsonAnswer],
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 15_000,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      maxBodyLength: MAX_REQUEST_BYTES,
      responseType: 'json',
      transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
      headers: { Accept: 'application/json' },
    });
  }

  /**
   * Sends one prepared request, repeating it after transient failures when the row allows and the
   * account's retry bucket has one to spare. `headers` is asked again before every attempt, so that a
   * refreshed token is used. While the cloud keeps failing, nothing is sent (CLOUD_BACKOFF).
   */
  async send<R>(request: PreparedRequest, headers: HeaderSource, options: SendOptions = {}): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw closedError(request.operation);
      let attemptHeaders: Record<string, string>;
      try {
        attemptHeaders = await headers(request);
      } catch (error) {
        // The session's own failure (its login was already counted as an attempt of its own).
        throw this.scrub(toGizwitsError(request.operation, error));
      }
      this.budget.admit(request.operation);
      try {
        const answer = await this.sendOnce<R>(request, attemptHeaders);
        this.budget.succeeded();
        return answer;
      } catch (error) {
        if (this.closed) throw closedError(request.operation);
        const failure = this.scrub(toGizwitsError(request.operation, error));
        this.budget.failed(failure);
        if (options.retry === false) throw failure;
        if (!shouldRetry(failure, attempt, request.row.idempotent, this.retry)) throw failure;
        if (!this.budget.takeRetry()) throw failure;
        await this.sleep(delayBeforeRetry(failure, attempt, this.retry));
      }
    }
  }

  private async sendOnce<R>(request: PreparedRequest, headers: Record<string, string>): Promise<R> {
    const config = {
      method: request.method,
      url: request.path,
      params: hasKeys(request.query) ? request.query : undefined,
      // As JSON already: axios would otherwise deep-copy the object while merging the config, then check
      // it against forms, streams and buffers before serialising it the same way.
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      headers: request.body ? { ...headers, 'Content-Type': 'application/json' } : headers,
      signal: this.aborter.signal,
    };
    let response: AxiosResponse;
    try {
      response = await this.http.request(config);
    } catch (error) {
      // A kept-alive socket the server closed just as this request went out on it: the request never
      // reached the server's handler, so a call safe to repeat goes once more on a new socket, at once and
      // outside the retry budget (docs/open-api.md, Kept-alive connections). A device command is not
      // repeated: its failure is reported, as any other failed command.
      if (!request.row.idempotent || !staleKeptAliveSocket(error)) throw error;
      response = await this.http.request(config);
    }
    if (response.status < 200 || response.status >= 300) throw toGizwitsError(request.operation, response);
    const data: unknown = response.data;
    if (data === '' || data === undefined || data === null) return {} as R;
    if (typeof data === 'string') {
      throw new GizwitsError({
        code: 'BAD_RESPONSE',
        status: response.status,
        operation: request.operation,
        serverMessage: 'the answer was not JSON',
        text: { key: 'request.notJson', params: { operation: request.operation } },
      });
    }
    return data as R;
  }

  private scrub(error: GizwitsError): GizwitsError {
    const secrets = [...this.secrets()];
    const clean = redact(error.message, secrets);
    const detail = redactValue(error.detail, secrets);
    if (clean === error.message && detail === error.detail) return error;
    return new GizwitsError({
      code: error.code,
      status: error.status,
      operation: error.operation,
      serverMessage: error.serverMessage && redact(error.serverMessage, secrets),
      detail,
      retryable: error.retryable,
      retryAfter: error.retryAfter,
      hint: error.hintText,
      message: clean,
      text: error.text && redactText(error.text, secrets),
    });
  }

  /** Refuses new requests, aborts those in flight and closes every kept-alive socket. */
  close(): void {
    this.closed = true;
    this.aborter.abort();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
