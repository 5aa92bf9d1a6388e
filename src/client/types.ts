// Request and answer shapes of the Open API, from the field tables of the document. Fields the document
// marks optional, or that real answers omit, are optional here; unknown extra fields pass through.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AttrValues = Record<string, Json>;

export interface TokenAnswer {
  uid: string;
  token: string;
  /** Seconds since the epoch. */
  expire_at: number;
}

/** `POST /app/request_token` spells the expiry `expired_at` (docs/open-api.md). */
export interface AppTokenAnswer {
  token: string;
  expired_at?: number;
  expire_at?: number;
}

export interface UserInfo {
  uid: string;
  username?: string | null;
  phone?: string | null;
  email?: string | null;
  name?: string | null;
  gender?: 'M' | 'F' | 'N' | string | null;
  birthday?: string | null;
  address?: string | null;
  lang?: string | null;
  remark?: string | null;
  is_anonymous?: boolean;
}

export type BindingRole = 'special' | 'owner' | 'guest' | 'normal';

export interface Binding {
  product_key: string;
  did: string;
  mac: string;
  is_online: boolean;
  passcode?: string;
  host: string;
  port?: number;
  port_s?: number;
  ws_port: number;
  wss_port: number;
  remark?: string;
  is_disabled?: boolean;
  type?: 'normal' | 'center_control' | 'sub_dev' | string;
  dev_alias?: string;
  dev_label?: string[];
  proto_ver?: string;
  wifi_soft_version?: string | null;
  is_sandbox?: boolean;
  role?: BindingRole | string;
}

export interface BindingsPage {
  devices: Binding[];
}

export interface UnbindAnswer {
  success: string[];
  failed: string[];
}

export interface GuestBinding {
  uid: string;
  username?: string | null;
  phone?: string | null;
  email?: string | null;
  created_at?: string;
}

export interface DeviceLatest {
  did: string;
  /** Seconds since the epoch (docs/open-api.md). */
  updated_at: number | string;
  attr: AttrValues;
}

export type DatapointType = 'status_writable' | 'status_readonly' | 'alert' | 'fault' | 'W' | 'R' | 'N' | 'E';
export type DatapointDataType = 'bool' | 'uint8' | 'uint16' | 'uint32' | 'enum' | 'binary' | string;

export interface DatapointAttr {
  id: number;
  name: string;
  display_name?: string;
  desc?: string;
  type: DatapointType | string;
  data_type: DatapointDataType;
  uint_spec?: { min: number; max: number; ratio?: number; addition?: number };
  enum?: Array<string | { id?: number; value?: number; name?: string; display_name?: string }>;
  position?: { byte_offset: number; bit_offset: number; len: number; unit: 'bit' | 'byte' | string };
}

export interface ProductDatapoints {
  name?: string;
  product_key: string;
  protocolType?: string;
  packetVersion?: string;
  entities: Array<{ id: number; name: string; display_name?: string; attrs: DatapointAttr[] }>;
  ui?: unknown;
}

export interface PagedMeta {
  total?: number;
  limit?: number;
  skip?: number;
  next?: string | null;
  previous?: string | null;
  [key: string]: unknown;
}

export interface Paged<T> {
  meta: PagedMeta;
  objects: T[];
}

export interface RawDataEntry {
  type: 'app2dev' | 'dev2app' | 'dev_online' | 'dev_re_online' | 'dev_offline' | string;
  ip?: string;
  payload_bin?: string;
  /** Seconds with a fraction (docs/open-api.md). */
  timestamp: number;
  source?: 'd3' | 'client' | string;
  uid?: string;
  appid?: string;
}

export interface Message {
  id: string;
  type: number;
  status: number;
  content: string;
  created_at?: string;
  updated_at?: string;
}

export interface Sharing {
  id: number;
  type: number;
  uid?: string;
  username?: string | null;
  user_alias?: string | null;
  email?: string | null;
  phone?: string | null;
  did: string;
  product_name?: string;
  dev_alias?: string;
  status: number;
  created_at?: string;
  updated_at?: string;
  expired_at?: string;
}

export interface SharingCreated {
  id: number | null;
  qr_content?: string | null;
}

export interface SharingCodeInfo {
  owner: string;
  product_name?: string;
  dev_alias?: string;
  expired_at?: string;
}

export interface Group {
  id: string;
  group_name: string;
  product_key?: string;
  verbose_name?: string;
  created_at?: string;
  updated_at?: string;
}

export interface GroupDevice {
  did: string;
  type?: string;
  verbose_name?: string;
  dev_alias?: string;
  product_key?: string;
}

export interface GroupAddAnswer {
  success: string[];
  failed: string[];
  detail?: Array<{ did: string; error_code: number; error_message: string; detail_msg?: string | null }>;
}

export interface DeviceResult {
  did: string;
  result: boolean;
}

export interface RuleParam {
  name: string;
  display_name?: string;
  type: 'int' | 'bool' | 'enum' | 'binary' | string;
  enum?: string[];
}

export interface RuleInput {
  did: string;
  prefix: string;
  product_key: string;
}

export interface RuleCondition {
  left: string;
  opt: '>' | '>=' | '<' | '<=' | '==' | '!=';
  right: string;
}

export interface RuleOutput {
  type: 'devctrl' | 'delay';
  did?: string;
  attrs?: AttrValues;
  raw?: number[];
  delay?: number;
}

export interface Rule {
  rule_id?: number;
  name: string;
  remark?: string;
  did?: string;
  product_key?: string;
  interval?: number;
  event: 'online' | 'offline' | 'alert' | 'fault' | 'data';
  event_attr?: { attr_name: string; value: string };
  input?: RuleInput[];
  condition?: RuleCondition[][];
  output: RuleOutput[][];
}

export interface SceneTask {
  task_type: 'delay' | 'device' | 'group';
  did?: string;
  group_id?: string;
  product_key?: string;
  group_name?: string;
  attrs?: AttrValues;
  raw?: string;
  time?: number;
  dev_remark?: string;
  dev_alias?: string;
  verbose_name?: string;
}

export interface Scene {
  id: string;
  scene_name: string;
  remark?: string;
  tasks?: SceneTask[];
  created_at?: string;
  updated_at?: string;
}

/** 0 running, 1 done, 2 failed, 3 not running. */
export interface SceneTaskStatus {
  status: 0 | 1 | 2 | 3 | number;
}

export type Repeat = 'none' | 'day' | string;

export interface Schedule {
  id?: string;
  did?: string;
  group_id?: string;
  scene_id?: string;
  product_key?: string;
  raw?: string;
  attrs?: AttrValues;
  /** UTC date YYYY-MM-DD, for one-time tasks. */
  date?: string;
  /** UTC time HH:MM. */
  time: string;
  repeat: Repeat;
  days?: Array<number | string>;
  start_date?: string;
  end_date?: string;
  enabled?: boolean;
  remark?: string;
  created_at?: string;
}

export interface IdAnswer {
  id: string;
}

export interface RuleIdAnswer {
  rule_id: number;
}

export interface AggAnswer {
  query: Record<string, unknown>;
  data: Array<{ datatime?: string; uid?: string; product_key?: string; attrs: Record<string, Json> }>;
}

export interface StatusAnswer {
  status: { version: string };
}

export interface ErrorEntry {
  status: number;
  error_code: number;
  error_message: string;
}

export interface CaptchaAnswer {
  captcha_url: string;
  captcha_id: string;
}

export interface UpdatedAnswer {
  updatedAt: string;
}

export interface BindingUpdateAnswer {
  remark?: string;
  dev_alias?: string;
  dev_label?: string[];
}

/** An empty or unspecified answer (the document lists no fields). */
export type Empty = Record<string, unknown>;
