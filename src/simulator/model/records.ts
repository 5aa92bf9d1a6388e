// The shapes the simulator stores per user. Stores are plain maps on the model; the routes validate
// requests and shape answers.

export type BindingRole = 'special' | 'owner' | 'guest' | 'normal';

export interface BindingRecord {
  uid: string;
  did: string;
  role: BindingRole;
  remark: string;
  dev_alias: string;
  dev_label: string[];
  createdAt: number;
}

export interface GroupRecord {
  id: string;
  uid: string;
  group_name: string;
  /** '' for a group that may mix products. */
  product_key: string;
  dids: string[];
  createdAt: number;
  updatedAt: number;
}

export type SceneTaskType = 'delay' | 'device' | 'group';

export interface SceneTask {
  task_type: SceneTaskType;
  time?: number;
  did?: string;
  group_id?: string;
  attrs?: Record<string, unknown>;
  raw?: string;
}

/** 0 running, 1 done, 2 failed, 3 not running (never run since the simulator started). */
export type SceneTaskStatus = 0 | 1 | 2 | 3;

export interface SceneRecord {
  id: string;
  uid: string;
  scene_name: string;
  remark: string;
  tasks: SceneTask[];
  createdAt: number;
  updatedAt: number;
  status: SceneTaskStatus;
}

export interface RuleRecord {
  rule_id: number;
  uid: string;
  /** The rule as the client sent it (validated), without rule_id. */
  body: Record<string, unknown>;
}

export interface SchedulerRecord {
  id: string;
  uid: string;
  /** `device` for /app/devices/{did}/scheduler, `common` for /app/common_scheduler. */
  family: 'device' | 'common';
  createdAt: number;
  fields: Record<string, unknown>;
}

/** 0 waiting, 1 accepted, 2 refused, 3 cancelled. */
export type SharingStatus = 0 | 1 | 2 | 3;

export interface SharingRecord {
  id: number;
  /** 0 to a named user, 1 by QR code. */
  type: 0 | 1;
  did: string;
  ownerUid: string;
  guestUid: string | null;
  code: string | null;
  status: SharingStatus;
  user_alias: string | null;
  durationMinutes: number | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export interface MessageRecord {
  id: string;
  uid: string;
  type: 1;
  /** 0 unread, 1 read, 2 deleted. */
  status: 0 | 1 | 2;
  content: string;
  createdAt: number;
  updatedAt: number;
}
