// A request built from an endpoint row and flat parameters: each parameter placed in the path, the query
// or the body as the row's route places it, and refused before sending when it cannot be placed.
import { ENDPOINTS, parseRoute, type EndpointRow, type OperationId } from './endpoints';
import { GizwitsError, keyed } from './errors';

export interface PreparedRequest {
  operation: OperationId;
  row: EndpointRow;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

/** Splits flat parameters into path, query and body by the row's route, as the document places them. */
export function prepareRequest(
  operation: OperationId,
  params: Record<string, unknown> | undefined,
): PreparedRequest {
  const row: EndpointRow = ENDPOINTS[operation];
  const { method, path: template, pathParams } = parseRoute(row.route);
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    throw new GizwitsError({
      code: 'INVALID_PARAMS',
      operation,
      ...keyed('request.paramsNotObject', { operation }),
    });
  }
  const rest: Record<string, unknown> = { ...(params ?? {}) };
  let path = template;
  for (const name of pathParams) {
    const value = rest[name];
    if (value === undefined || value === null || value === '') {
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        operation,
        ...keyed('request.missingParam', { operation, name, route: row.route }),
      });
    }
    if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        operation,
        ...keyed('request.paramType', { operation, name }),
      });
    }
    const text = String(value);
    // URL parsing drops the segments `.` and `..` (`/app/devices/../latest` is `/app/latest`), and the
    // cloud would then answer another operation: refuse them, and blank ones, before any call.
    if (text.trim() === '' || text === '.' || text === '..') {
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        operation,
        ...keyed('request.dotParam', { operation, name }),
      });
    }
    path = path.replace(`{${name}}`, encodeURIComponent(text));
    delete rest[name];
  }
  const query: Record<string, string> = {};
  const queryNames = method === 'GET' ? Object.keys(rest) : (row.query ?? []);
  for (const name of queryNames) {
    const value = rest[name];
    delete rest[name];
    if (value === undefined || value === null) continue;
    query[name] = Array.isArray(value)
      ? value.join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }
  const body =
    method === 'GET' || Object.keys(rest).length === 0
      ? method === 'POST' || method === 'PUT'
        ? {}
        : undefined
      : rest;
  return { operation, row, method, path, query, body };
}
