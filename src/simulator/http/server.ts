// The request pipeline every Open API call goes through: latency and injected faults, routing, AppID
// and token checks, JSON body, handler, Gizwits-shaped errors, and the call log tests read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GizwitsApiError } from '../errors';
import type { FaultSwitches } from '../faults';
import { SIM_APP_ID } from '../fixtures';
import type { SimulatorModel } from '../model/model';
import { headerValue, parseJsonBody, readBody, sendGatewayFailure, sendJson } from './io';
import type { RequestContext, Router } from './router';

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  errorCode?: number;
  at: number;
}

export interface PipelineDeps {
  model: SimulatorModel;
  faults: FaultSwitches;
  calls: CallRecord[];
  apiRoutes: Router;
  controlRoutes: Router;
  /** The listening port, known only once the server listens. */
  port(): number;
  /** The sandbox websocket listener's port, likewise. */
  sandboxPort(): number;
  /** The wss listeners' ports (the plain ones when the simulator has no certificate). */
  wssPorts(): { main: number; sandbox: number };
}

const CONTROL_PREFIX = '/_sim/';

export function createRequestListener(deps: PipelineDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    serve(deps, request, response).catch(() => {
      if (!response.headersSent)
        sendJson(response, 500, { error_code: 9008, error_message: 'server error', detail_message: null });
    });
  };
}

async function serve(deps: PipelineDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = new URL(request.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const rawBody = await readBody(request);
  const isControl = path.startsWith(CONTROL_PREFIX);

  const answer = (status: number, body: unknown, errorCode?: number): void => {
    sendJson(response, status, body);
    if (!isControl)
      deps.calls.push({ method, path, status, at: Date.now(), ...(errorCode ? { errorCode } : {}) });
  };

  try {
    if (!isControl) {
      if (deps.faults.latencyMs > 0) await deps.model.sleep(deps.faults.latencyMs);
      const fault = deps.faults.takeInjectedFault();
      if (fault?.kind === 'fail') {
        sendGatewayFailure(response, fault.status);
        deps.calls.push({ method, path, status: fault.status, at: Date.now() });
        return;
      }
      if (fault?.kind === 'throttle') throw new GizwitsApiError(9041, null, fault.status);
    }
    const routes = isControl ? deps.controlRoutes : deps.apiRoutes;
    const match = routes.match(method, path);
    if (match.kind === 'missing') throw new GizwitsApiError(9999, `no such API: ${method} ${path}`, 404);
    const { route, params } = match;

    if (route.auth !== 'none') checkAppId(request);
    let uid = '';
    if (route.auth === 'user' || route.auth === 'userOrApp') {
      const owner = deps.model.accounts.resolve(
        headerValue(request, 'x-gizwits-user-token'),
        route.auth === 'userOrApp',
      );
      if (owner.kind === 'user') uid = owner.uid;
    }
    const context: RequestContext = {
      model: deps.model,
      method,
      path,
      params,
      query: url.searchParams,
      body: parseJsonBody(rawBody),
      headers: request.headers,
      uid,
      port: deps.port(),
      sandboxPort: deps.sandboxPort(),
      wssPort: deps.wssPorts().main,
      sandboxWssPort: deps.wssPorts().sandbox,
      bindingPatch: (did) => deps.faults.bindingPatch(did),
      baseUrl: `http://${request.headers.host ?? `127.0.0.1:${deps.port()}`}`,
    };
    const result = await route.handle(context);
    answer(200, result ?? {});
  } catch (error) {
    if (response.headersSent || response.destroyed) return;
    if (error instanceof GizwitsApiError) {
      answer(error.status, error.toBody(), error.code);
    } else {
      const detail = error instanceof Error ? error.message : String(error);
      answer(500, { error_code: 9008, error_message: 'server error', detail_message: detail }, 9008);
    }
  }
}

function checkAppId(request: IncomingMessage): void {
  const appId = headerValue(request, 'x-gizwits-application-id');
  if (!appId) throw new GizwitsApiError(9003, 'X-Gizwits-Application-Id is missing');
  if (appId !== SIM_APP_ID) throw new GizwitsApiError(9003);
}
