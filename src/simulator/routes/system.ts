// Service version and the error table.
import { ERROR_TABLE } from '../errors';
import { SIM_API_VERSION } from '../fixtures';

export function serviceStatus() {
  return { status: { version: SIM_API_VERSION } };
}

export function errorTable() {
  return ERROR_TABLE.map((entry) => ({
    status: entry.status,
    error_code: entry.code,
    error_message: entry.message,
  }));
}
