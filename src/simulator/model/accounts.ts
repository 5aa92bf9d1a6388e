// Users, user tokens, app tokens (request_token) and captchas.
import { GizwitsApiError } from '../errors';
import { newHex32 } from './ids';

export const TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600;

export interface UserRecord {
  uid: string;
  username: string | null;
  password: string | null;
  email: string | null;
  phone: string | null;
  /** Anonymous registration key; the same phone_id always maps back to this user. */
  phoneId: string | null;
  /** `src:uid` of a third-party login. */
  thirdParty: string | null;
  is_anonymous: boolean;
  name: string;
  gender: 'M' | 'F' | 'N';
  birthday: string;
  address: string;
  lang: string;
  remark: string;
}

export interface IssuedToken {
  token: string;
  uid: string;
  /** Seconds since the epoch. */
  expireAt: number;
  /** Set by the expire-tokens fault: the token is refused with this code from then on. */
  refusedWith?: 9004 | 9006;
}

export interface AppToken {
  token: string;
  expireAt: number;
  refusedWith?: 9004 | 9006;
}

/** Who a request's X-Gizwits-User-token stands for. */
export type TokenOwner = { kind: 'user'; uid: string } | { kind: 'app' };

export class AccountStore {
  readonly users = new Map<string, UserRecord>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly appTokens = new Map<string, AppToken>();
  readonly captchas = new Map<string, string>();

  addUser(fields: Partial<UserRecord> & { uid?: string }): UserRecord {
    const user: UserRecord = {
      uid: fields.uid ?? newHex32(),
      username: fields.username ?? null,
      password: fields.password ?? null,
      email: fields.email ?? null,
      phone: fields.phone ?? null,
      phoneId: fields.phoneId ?? null,
      thirdParty: fields.thirdParty ?? null,
      is_anonymous: fields.is_anonymous ?? false,
      name: fields.name ?? '',
      gender: fields.gender ?? 'N',
      birthday: fields.birthday ?? '',
      address: fields.address ?? '',
      lang: fields.lang ?? 'zh-cn',
      remark: fields.remark ?? '',
    };
    this.users.set(user.uid, user);
    return user;
  }

  /** The login name may be a username, an email or a phone number. */
  findByLoginName(name: string): UserRecord | undefined {
    for (const user of this.users.values()) {
      if (user.username === name || user.email === name || user.phone === name) return user;
    }
    return undefined;
  }

  findBy(
    field: 'username' | 'email' | 'phone' | 'phoneId' | 'thirdParty',
    value: string,
  ): UserRecord | undefined {
    for (const user of this.users.values()) if (user[field] === value) return user;
    return undefined;
  }

  issueToken(uid: string): IssuedToken {
    const issued: IssuedToken = { token: newHex32(), uid, expireAt: nowSeconds() + TOKEN_LIFETIME_SECONDS };
    this.tokens.set(issued.token, issued);
    return issued;
  }

  issueAppToken(): AppToken {
    const issued: AppToken = { token: newHex32(), expireAt: nowSeconds() + TOKEN_LIFETIME_SECONDS };
    this.appTokens.set(issued.token, issued);
    return issued;
  }

  /** Resolves a token or answers 9004 (unknown/missing) or 9006 (expired), as the real cloud does. */
  resolve(token: string | undefined, allowAppToken: boolean): TokenOwner {
    if (!token) throw new GizwitsApiError(9004, 'X-Gizwits-User-token is missing');
    const user = this.tokens.get(token);
    const app = allowAppToken ? this.appTokens.get(token) : undefined;
    const found = user ?? app;
    if (!found) throw new GizwitsApiError(9004);
    if (found.refusedWith) throw new GizwitsApiError(found.refusedWith);
    if (found.expireAt <= nowSeconds()) throw new GizwitsApiError(9006);
    if (user) {
      if (!this.users.has(user.uid)) throw new GizwitsApiError(9004);
      return { kind: 'user', uid: user.uid };
    }
    return { kind: 'app' };
  }

  /** Every token issued so far is refused from now on; tokens issued later work. */
  refuseIssuedTokens(code: 9004 | 9006): void {
    for (const issued of this.tokens.values()) issued.refusedWith = code;
    for (const issued of this.appTokens.values()) issued.refusedWith = code;
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
