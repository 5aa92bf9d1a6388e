// How a simulated module behaves where firmware versions differ (docs/lan.md §3 and §5), and what it
// says about itself in discovery replies.

export interface LanProfile {
  /** Close the socket after answering a wrong passcode (GAgent does; older firmware keeps it). */
  closeOnLoginFail: boolean;
  /** Acknowledge a write with an empty 0091 / an 0094 holding only the sequence number. */
  emptyWriteAck: boolean;
  /** How the device pushes reports: 0091, or 0093 with sequence number 0 (newer firmware). */
  reportCmd: 0x91 | 0x93;
  /** The flag byte of pushed reports (newer firmware sets 1). */
  reportFlag: 0 | 1;
  /** Send the login reply twice (newer ESP32-C3 firmware). */
  duplicateLoginReply: boolean;
  /** Bytes put between the sequence number and the P0 of an 0094 (newer firmware); empty for none. */
  prefix0094: Buffer;
  /** Outside the binding window, the passcode reply keeps the length byte 0f of a full reply. */
  closedWindowLengthBug: boolean;
}

/** The open GAgent firmware. */
export const GAGENT_PROFILE: Readonly<LanProfile> = {
  closeOnLoginFail: true,
  emptyWriteAck: true,
  reportCmd: 0x91,
  reportFlag: 0,
  duplicateLoginReply: false,
  prefix0094: Buffer.alloc(0),
  closedWindowLengthBug: true,
};

/** The newer-firmware variations seen by one source: all of them at once. */
export const NEWER_FIRMWARE_PROFILE: Readonly<LanProfile> = {
  ...GAGENT_PROFILE,
  reportCmd: 0x93,
  reportFlag: 1,
  duplicateLoginReply: true,
  prefix0094: Buffer.from('5a17c3e8a0b1', 'hex'),
};

export interface ModuleIdentity {
  firmware: string;
  /** The 8 MCU attribute bytes. */
  mcuAttributes: Buffer;
  apiServer: string;
  gagentVersion: string;
  /** Extra bytes some modules append to a discovery reply; empty for none. */
  trailer: string;
}

export const DEFAULT_IDENTITY: Readonly<ModuleIdentity> = {
  firmware: '04020034',
  mcuAttributes: Buffer.alloc(8),
  apiServer: 'api.gizwits.com:80',
  gagentVersion: '4.1.2',
  trailer: '',
};
