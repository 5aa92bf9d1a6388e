import { GizwitsError, keyed } from '../../client';

/** The parameters a message carries: an object, JSON text of one, or nothing (any scalar is ignored). */
export function paramsFrom(payload: unknown, operation: string): Record<string, unknown> {
  if (payload === undefined || payload === null || payload === '') return {};
  if (typeof payload === 'number' || typeof payload === 'boolean') return {};
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new GizwitsError({
        code: 'INVALID_PARAMS',
        operation,
        ...keyed('api.paramsNotJson', { operation }),
      });
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new GizwitsError({
      code: 'INVALID_PARAMS',
      operation,
      ...keyed('api.paramsNotObject', { operation }),
    });
  }
  return value as Record<string, unknown>;
}
