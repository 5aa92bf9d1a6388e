// The one rule for "another attempt cannot cure this", shared by the device sockets (their logins) and
// the registry (its loads of the bindings), so that neither retries what will never work: refused
// credentials wait for the session's cooldown, not for a reconnect loop (docs/budget.md, Logins).
import { GizwitsError } from './errors';

export interface FailureContext {
  /** The session uses a uid + token given in the settings: nothing can log in for a new one. */
  tokenGiven?: boolean;
}

/**
 * Refused credentials, a refused or expired token that was given (not one we logged in for), a login
 * cooldown, an unusable configuration, or a closed client. This is the union of the socket's and the
 * registry's former checks: they differed only in the given token, which the registry alone knew about;
 * a socket whose given token expired now fails too, instead of reconnecting to the same refusal forever.
 */
export function isPermanentFailure(error: unknown, context: FailureContext = {}): boolean {
  if (!(error instanceof GizwitsError)) return false;
  if (error.isBadCredentials || (error.isTokenError && context.tokenGiven === true)) return true;
  return error.code === 'LOGIN_COOLDOWN' || error.code === 'INVALID_CONFIG' || error.code === 'CLOSED';
}
