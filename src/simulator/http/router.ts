// A small method + path-pattern router: `/app/devices/:did/scheduler/:id` style patterns, no regexes.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimulatorModel } from '../model/model';

/**
 * What a route needs besides the AppID: `app` nothing more, `user` a user token, `userOrApp` a user token
 * or an app token from request_token (the SMS/captcha calls), `none` not even the AppID (/_sim/ routes).
 */
export type AuthLevel = 'none' | 'app' | 'user' | 'userOrApp';

export interface RequestContext {
  readonly model: SimulatorModel;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body; `{}` when the request had none. */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  /** The token's user for `user` routes (and `userOrApp` ones called with a user token); '' otherwise. */
  readonly uid: string;
  /** The simulator's own port, which bindings announce as the websocket port. */
  readonly port: number;
  /** The sandbox websocket listener's port, announced by the bindings of sandbox devices. */
  readonly sandboxPort: number;
  /** The TLS listeners' ports, announced as `wss_port`; the plain ports when there is no certificate. */
  readonly wssPort: number;
  readonly sandboxWssPort: number;
  /** Fields a fault switch puts in place of the true ones in that device's binding, if any. */
  readonly bindingPatch: (did: string) => Readonly<Record<string, unknown>> | undefined;
  readonly baseUrl: string;
}

export type RouteHandler = (context: RequestContext) => unknown;

export interface RouteDefinition {
  readonly method: string;
  readonly pattern: string;
  readonly auth: AuthLevel;
  readonly handle: RouteHandler;
}

export type RouteMatch =
  { kind: 'found'; route: RouteDefinition; params: Record<string, string> } | { kind: 'missing' };

interface CompiledRoute {
  route: RouteDefinition;
  segments: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: ReadonlyArray<RouteDefinition>) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(route.pattern) }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    for (const candidate of this.compiled) {
      if (candidate.route.method !== method || candidate.segments.length !== segments.length) continue;
      const params = matchSegments(candidate.segments, segments);
      if (params) return { kind: 'found', route: candidate.route, params };
    }
    return { kind: 'missing' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index];
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual[index]);
      } catch {
        return undefined;
      }
    } else if (expected !== actual[index]) {
      return undefined;
    }
  }
  return params;
}

/** Shorthand used by the route tables. */
export function route(
  method: string,
  pattern: string,
  auth: AuthLevel,
  handle: RouteHandler,
): RouteDefinition {
  return { method, pattern, auth, handle };
}
