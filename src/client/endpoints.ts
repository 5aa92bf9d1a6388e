// Every operation of the Open API as a row of data, keyed by its operation id (the table of the document,
// test/fixtures/endpoints.tsv) and holding its route exactly as written there. One request pipeline
// (pipeline.ts) serves every row.
import type * as T from './types';

/**
 * How a call is authorised:
 * - `app`: the AppID header only;
 * - `user`: AppID + the user token of the session;
 * - `appToken`: AppID + an app token from `POST /app/request_token` (verification codes);
 * - `appAuth`: AppID + `X-Gizwits-Application-Auth` (getting that app token).
 */
export type AuthKind = 'app' | 'user' | 'appToken' | 'appAuth';

/** Where a list operation keeps its items, so that every page can be fetched. */
export type ListShape = 'devices' | 'rules' | 'objects' | 'array';

export interface EndpointRow {
  readonly route: string;
  readonly auth: AuthKind;
  /** Safe to repeat automatically after a transient failure. */
  readonly idempotent: boolean;
  /** Parameters that travel in the query string for POST/PUT/DELETE (GET sends every parameter there). */
  readonly query?: readonly string[];
  /** Needs `X-Gizwits-Timestamp` + `X-Gizwits-Signature` from the product secret. */
  readonly signed?: boolean;
  /** Paginated with limit/skip, and where the items are. */
  readonly paged?: ListShape;
  /** The page size limit the document sets, when it sets one. */
  readonly maxLimit?: number;
}

const READ = { auth: 'user', idempotent: true } as const;
const WRITE = { auth: 'user', idempotent: true } as const;
const ONCE = { auth: 'user', idempotent: false } as const;

export const ENDPOINTS = {
  'users.create': { route: 'POST /app/users', auth: 'app', idempotent: false },
  'users.get': { route: 'GET /app/users', ...READ },
  'users.update': { route: 'PUT /app/users', ...WRITE },
  'users.login': { route: 'POST /app/login', auth: 'app', idempotent: true },
  'app.requestToken': { route: 'POST /app/request_token', auth: 'appAuth', idempotent: true },
  'users.resetPassword': { route: 'POST /app/reset_password', auth: 'app', idempotent: false },
  'verify.smsCode': { route: 'POST /app/sms_code', auth: 'appToken', idempotent: false },
  'verify.getCaptcha': { route: 'GET /app/verify/codes', auth: 'appToken', idempotent: true },
  'verify.checkCaptcha': { route: 'POST /app/verify/codes', auth: 'appToken', idempotent: false },
  'verify.checkSmsCode': { route: 'PUT /app/verify/codes', auth: 'appToken', idempotent: false },
  'messages.list': { route: 'GET /app/messages', ...READ, paged: 'objects' },
  'messages.mark': { route: 'PUT /app/messages/{id}', ...WRITE, query: ['status'] },
  'bindings.bindMac': { route: 'POST /app/bind_mac', ...WRITE, signed: true },
  'bindings.unbind': { route: 'DELETE /app/bindings', ...WRITE },
  'bindings.list': { route: 'GET /app/bindings', ...READ, paged: 'devices' },
  'bindings.bindQr': { route: 'POST /app/bind_latest', ...WRITE },
  'bindings.update': { route: 'PUT /app/bindings/{did}', ...WRITE },
  'bindings.listGuests': { route: 'GET /app/{did}/bindings', ...READ },
  'bindings.unbindGuest': { route: 'DELETE /app/{did}/bindings', ...WRITE, query: ['uid'] },
  'devices.latest': { route: 'GET /app/devdata/{did}/latest', auth: 'app', idempotent: true },
  'devices.datapoint': { route: 'GET /app/datapoint', auth: 'app', idempotent: true },
  'devices.get': { route: 'GET /app/devices/{did}', ...READ },
  'devices.rawData': { route: 'GET /app/devices/{did}/raw_data', ...READ, paged: 'objects', maxLimit: 1000 },
  'devices.control': { route: 'POST /app/control/{did}', ...ONCE },
  'sharing.create': { route: 'POST /app/sharing', ...ONCE },
  'sharing.list': { route: 'GET /app/sharing', ...READ, paged: 'objects' },
  'sharing.revoke': { route: 'DELETE /app/sharing/{id}', ...WRITE },
  'sharing.respond': { route: 'PUT /app/sharing/{id}', ...WRITE, query: ['status'] },
  'sharing.getCode': { route: 'GET /app/sharing/code/{code}', ...READ },
  'sharing.acceptCode': { route: 'POST /app/sharing/code/{code}', ...ONCE },
  'sharing.setAlias': { route: 'PUT /app/sharing/{id}/alias', ...WRITE, query: ['user_alias'] },
  'sharing.transfer': { route: 'POST /app/sharing/{did}/transfer', ...ONCE, query: ['uid'] },
  'groups.list': { route: 'GET /app/group', ...READ },
  'groups.create': { route: 'POST /app/group', ...ONCE },
  'groups.delete': { route: 'DELETE /app/group/{id}', ...WRITE },
  'groups.update': { route: 'PUT /app/group/{id}', ...WRITE },
  'groups.devices': { route: 'GET /app/group/{id}/devices', ...READ },
  'groups.addDevices': { route: 'POST /app/group/{id}/devices', ...WRITE, query: ['show_detail'] },
  'groups.removeDevices': { route: 'DELETE /app/group/{id}/devices', ...WRITE },
  'groups.control': { route: 'POST /app/group/{id}/control', ...ONCE },
  'rules.params': { route: 'GET /app/rules/params', ...READ },
  'rules.list': { route: 'GET /app/rules', ...READ, paged: 'rules' },
  'rules.create': { route: 'POST /app/rules', ...ONCE },
  'rules.delete': { route: 'DELETE /app/rules/{rule_id}', ...WRITE },
  'rules.update': { route: 'PUT /app/rules/{rule_id}', ...WRITE },
  'scenes.list': { route: 'GET /app/scene', ...READ },
  'scenes.create': { route: 'POST /app/scene', ...ONCE },
  'scenes.delete': { route: 'DELETE /app/scene/{id}', ...WRITE },
  'scenes.update': { route: 'PUT /app/scene/{id}', ...WRITE },
  'scenes.taskStatus': { route: 'GET /app/scene/{id}/task', ...READ },
  'scenes.run': { route: 'POST /app/scene/{id}/task', ...ONCE },
  'schedulers.list': { route: 'GET /app/devices/{did}/scheduler', ...READ, paged: 'array' },
  'schedulers.create': { route: 'POST /app/devices/{did}/scheduler', ...ONCE },
  'schedulers.update': { route: 'PUT /app/devices/{did}/scheduler/{id}', ...WRITE },
  'schedulers.delete': { route: 'DELETE /app/devices/{did}/scheduler/{id}', ...WRITE },
  'commonSchedulers.list': { route: 'GET /app/common_scheduler', ...READ, paged: 'array' },
  'commonSchedulers.create': { route: 'POST /app/common_scheduler', ...ONCE },
  'commonSchedulers.update': { route: 'PUT /app/common_scheduler/{id}', ...WRITE },
  'commonSchedulers.delete': { route: 'DELETE /app/common_scheduler/{id}', ...WRITE },
  'devices.aggData': {
    route: 'PUT /app/devdata/{did}/agg_data',
    ...READ,
    query: ['start_ts', 'end_ts', 'attrs', 'aggregator', 'unit'],
  },
  'system.status': { route: 'GET /status', auth: 'app', idempotent: true },
  'system.errors': { route: 'GET /errors', auth: 'app', idempotent: true },
} as const satisfies Record<string, EndpointRow>;

export type OperationId = keyof typeof ENDPOINTS;

export function isOperationId(value: unknown): value is OperationId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ENDPOINTS, value);
}

export interface ParsedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  pathParams: string[];
}

const parsedRoutes = new Map<string, ParsedRoute>();

export function parseRoute(route: string): ParsedRoute {
  let parsed = parsedRoutes.get(route);
  if (!parsed) {
    const [method, path] = route.split(' ') as [ParsedRoute['method'], string];
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    parsed = { method, path, pathParams };
    parsedRoutes.set(route, parsed);
  }
  return parsed;
}

type P = Record<string, unknown>;
type Page = { limit?: number; skip?: number };

/** Parameters and answer of each operation. Path, query and body parameters share one flat object. */
export interface Operations {
  'users.create': {
    params: {
      phone_id?: string;
      username?: string;
      password?: string;
      email?: string;
      phone?: string;
      code?: string;
      lang?: string;
      src?: string;
      uid?: string;
      token?: string;
    };
    result: T.TokenAnswer;
  };
  'users.get': { params: P; result: T.UserInfo };
  'users.update': {
    params: Partial<T.UserInfo> & { password?: string; code?: string; old_pwd?: string; new_pwd?: string };
    result: T.UpdatedAnswer;
  };
  'users.login': { params: { username: string; password: string; lang?: string }; result: T.TokenAnswer };
  'app.requestToken': { params: P; result: T.AppTokenAnswer };
  'users.resetPassword': {
    params: { email?: string; phone?: string; new_pwd?: string; code?: string };
    result: T.Empty;
  };
  'verify.smsCode': { params: { phone: string; code?: string }; result: T.Empty };
  'verify.getCaptcha': { params: P; result: T.CaptchaAnswer };
  'verify.checkCaptcha': {
    params: { captcha_id: string; captcha_code: string; phone: string };
    result: T.Empty;
  };
  'verify.checkSmsCode': { params: { phone: string; sms_code: string }; result: T.Empty };
  'messages.list': { params: Page & { type?: number }; result: T.Paged<T.Message> };
  'messages.mark': { params: { id: string | number; status: 1 | 2 }; result: T.Empty };
  'bindings.bindMac': {
    params: { product_key: string; mac: string; remark?: string; dev_alias?: string; set_owner?: 0 | 1 };
    result: T.Binding;
  };
  'bindings.unbind': { params: { devices: Array<{ did: string }> }; result: T.UnbindAnswer };
  'bindings.list': {
    params: Page & { show_disabled?: 0 | 1; show_proto_ver?: 0 | 1 };
    result: T.BindingsPage;
  };
  'bindings.bindQr': { params: { qr_content: string; set_owner?: 0 | 1 }; result: T.Binding };
  'bindings.update': {
    params: { did: string; remark?: string; dev_alias?: string; dev_label?: string[] };
    result: T.BindingUpdateAnswer;
  };
  'bindings.listGuests': { params: { did: string }; result: T.GuestBinding[] };
  'bindings.unbindGuest': { params: { did: string; uid: string }; result: T.Empty };
  'devices.latest': { params: { did: string }; result: T.DeviceLatest };
  'devices.datapoint': { params: { product_key: string }; result: T.ProductDatapoints };
  'devices.get': { params: { did: string }; result: T.Binding };
  'devices.rawData': {
    params: Page & {
      did: string;
      type: 'cmd' | 'online';
      start_time: number;
      end_time: number;
      sort?: 'desc' | 'asc' | string;
    };
    result: T.Paged<T.RawDataEntry>;
  };
  'devices.control': { params: { did: string; attrs?: T.AttrValues; raw?: number[] }; result: T.Empty };
  'sharing.create': {
    params: {
      type: 0 | 1;
      did: string;
      uid?: string;
      username?: string;
      email?: string;
      phone?: string;
      duration?: number;
    };
    result: T.SharingCreated;
  };
  'sharing.list': {
    params: Page & { sharing_type: 0 | 1; status?: string | number; did?: string };
    result: T.Paged<T.Sharing>;
  };
  'sharing.revoke': { params: { id: number | string }; result: { id: number } };
  'sharing.respond': { params: { id: number | string; status: 1 | 2 }; result: { id: number } };
  'sharing.getCode': { params: { code: string }; result: T.SharingCodeInfo };
  'sharing.acceptCode': { params: { code: string }; result: T.Empty };
  'sharing.setAlias': { params: { id: number | string; user_alias: string }; result: T.Empty };
  'sharing.transfer': { params: { did: string; uid: string }; result: T.Empty };
  'groups.list': { params: P; result: T.Group[] };
  'groups.create': { params: { group_name: string; product_key?: string }; result: T.IdAnswer };
  'groups.delete': { params: { id: string }; result: T.Empty };
  'groups.update': { params: { id: string; group_name: string }; result: T.Empty };
  'groups.devices': { params: { id: string }; result: T.GroupDevice[] };
  'groups.addDevices': {
    params: { id: string; dids: string[]; show_detail?: 0 | 1 };
    result: T.GroupAddAnswer;
  };
  'groups.removeDevices': { params: { id: string; dids: string[] }; result: T.UnbindAnswer };
  'groups.control': {
    params: { id: string; attrs?: T.AttrValues; raw?: number[] };
    result: T.DeviceResult[];
  };
  'rules.params': { params: { product_key?: string }; result: Record<string, T.RuleParam[]> };
  'rules.list': { params: Page; result: { rules: T.Rule[] } };
  'rules.create': { params: T.Rule; result: T.RuleIdAnswer };
  'rules.delete': { params: { rule_id: number }; result: T.RuleIdAnswer };
  'rules.update': { params: T.Rule & { rule_id: number }; result: T.RuleIdAnswer };
  'scenes.list': { params: P; result: T.Scene[] };
  'scenes.create': {
    params: { scene_name: string; remark?: string; tasks?: T.SceneTask[] } & Partial<T.SceneTask>;
    result: T.IdAnswer;
  };
  'scenes.delete': { params: { id: string }; result: T.Empty };
  'scenes.update': {
    params: {
      id: string;
      scene_name?: string;
      remark?: string;
      tasks?: T.SceneTask[];
    } & Partial<T.SceneTask>;
    result: T.Empty;
  };
  'scenes.taskStatus': { params: { id: string }; result: T.SceneTaskStatus };
  'scenes.run': { params: { id: string }; result: T.Empty };
  'schedulers.list': { params: Page & { did: string }; result: T.Schedule[] };
  'schedulers.create': { params: T.Schedule & { did: string }; result: T.IdAnswer };
  'schedulers.update': { params: T.Schedule & { did: string; id: string }; result: T.IdAnswer };
  'schedulers.delete': { params: { did: string; id: string }; result: T.Empty };
  'commonSchedulers.list': {
    params: Page & { did?: string; group_id?: string; scene_id?: string };
    result: T.Schedule[];
  };
  'commonSchedulers.create': { params: T.Schedule; result: T.IdAnswer };
  'commonSchedulers.update': { params: T.Schedule & { id: string }; result: T.IdAnswer };
  'commonSchedulers.delete': { params: { id: string }; result: T.Empty };
  'devices.aggData': {
    params: {
      did: string;
      start_ts: number;
      end_ts?: number;
      attrs: string;
      aggregator: 'sum' | 'avg' | 'max' | 'min';
      unit: 'hours' | 'day' | 'weeks' | 'months' | string;
    };
    result: T.AggAnswer;
  };
  'system.status': { params: P; result: T.StatusAnswer };
  'system.errors': { params: P; result: T.ErrorEntry[] };
}

export type ParamsOf<K extends OperationId> = Operations[K]['params'];
export type ResultOf<K extends OperationId> = Operations[K]['result'];

type AssertNever<X extends never> = X;
/** Fails to compile when a row of the table has no types, or a type no row. */
export type EveryRowTyped = AssertNever<
  Exclude<OperationId, keyof Operations> | Exclude<keyof Operations, OperationId>
>;
