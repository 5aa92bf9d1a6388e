// Service version and the error table.
import { ERROR_TABLE } from '../errors';
import { SIM_API_VERSION } from '../fixtures';
import { route, type RouteDefinition } from '../http/router';

export const systemRoutes: RouteDefinition[] = [
  route('GET', '/status', 'app', () => ({ status: { version: SIM_API_VERSION } })),
  route('GET', '/errors', 'app', () =>
    ERROR_TABLE.map((entry) => ({
      status: entry.status,
      error_code: entry.code,
      error_message: entry.message,
    })),
  ),
];
