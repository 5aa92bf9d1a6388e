// Accounts: registration (anonymous, username, email, phone, third party), login, profile, passwords,
// app tokens and the SMS/captcha verification flow.
import { createHash, randomBytes } from 'node:crypto';
import { GizwitsApiError, formInvalid } from '../errors';
import { SIM_APP_ID, SIM_APP_SECRET, SIM_CAPTCHA_CODE, SIM_SMS_CODE } from '../fixtures';
import { headerValue } from '../http/io';
import type { RequestContext } from '../http/router';
import type { UserRecord } from '../model/accounts';
import { bodyObject, optionalString, requiredString, type JsonObject } from './fields';

const THIRD_PARTY_SOURCES = ['qq', 'sina', 'baidu', 'wechat', 'twitter', 'facebook', 'google', 'amazon'];

/** `PUT /app/verify/codes`: checks an SMS code sent to a phone. */
export function checkPhoneCode(context: RequestContext) {
  const body = bodyObject(context);
  requiredString(body, 'phone');
  checkSmsCode(body.sms_code ?? body.code);
  return {};
}

export function profile(context: RequestContext) {
  return profileOf(currentUser(context));
}

function tokenAnswer(context: RequestContext, user: UserRecord) {
  const issued = context.model.accounts.issueToken(user.uid);
  return { token: issued.token, uid: user.uid, expire_at: issued.expireAt };
}

function currentUser(context: RequestContext): UserRecord {
  const user = context.model.accounts.users.get(context.uid);
  if (!user) throw new GizwitsApiError(9004);
  return user;
}

/** The document's rule: at least 8 characters from at least 3 of upper, lower, digit and symbol. */
function checkPasswordStrength(password: string): void {
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (password.length < 8 || classes < 3) {
    throw formInvalid(
      'password needs at least 8 characters mixing 3 of upper case, lower case, digits, symbols',
    );
  }
}

function checkSmsCode(code: unknown): void {
  if (typeof code !== 'string' || code === '') throw formInvalid('code is required');
  if (code !== SIM_SMS_CODE) throw new GizwitsApiError(9010);
}

function ensureFree(
  context: RequestContext,
  field: 'username' | 'email' | 'phone',
  value: string,
  code: number,
): void {
  const holder = context.model.accounts.findBy(field, value);
  if (holder && holder.uid !== context.uid) throw new GizwitsApiError(code);
}

export function createUser(context: RequestContext) {
  const body = bodyObject(context);
  const accounts = context.model.accounts;
  const lang = optionalString(body, 'lang') ?? 'zh-cn';
  const phoneId = optionalString(body, 'phone_id');
  if (phoneId) {
    const user =
      accounts.findBy('phoneId', phoneId) ?? accounts.addUser({ phoneId, is_anonymous: true, lang });
    return tokenAnswer(context, user);
  }
  const source = optionalString(body, 'src');
  if (source) {
    if (!THIRD_PARTY_SOURCES.includes(source))
      throw formInvalid(`src must be one of ${THIRD_PARTY_SOURCES.join(', ')}`);
    const key = `${source}:${requiredString(body, 'uid')}`;
    requiredString(body, 'token');
    return tokenAnswer(
      context,
      accounts.findBy('thirdParty', key) ?? accounts.addUser({ thirdParty: key, lang }),
    );
  }
  const password = requiredString(body, 'password');
  checkPasswordStrength(password);
  const phone = optionalString(body, 'phone');
  const email = optionalString(body, 'email');
  const username = optionalString(body, 'username');
  if (phone) {
    checkSmsCode(body.code);
    ensureFree(context, 'phone', phone, 9018);
    return tokenAnswer(context, accounts.addUser({ phone, password, lang }));
  }
  if (email) {
    ensureFree(context, 'email', email, 9022);
    return tokenAnswer(context, accounts.addUser({ email, password, lang }));
  }
  if (username) {
    ensureFree(context, 'username', username, 9019);
    return tokenAnswer(context, accounts.addUser({ username, password, lang }));
  }
  throw formInvalid('give phone_id, username, email, phone or src/uid/token');
}

function profileOf(user: UserRecord) {
  return {
    username: user.username,
    uid: user.uid,
    phone: user.phone,
    birthday: user.birthday,
    address: user.address,
    lang: user.lang,
    remark: user.remark,
    name: user.name,
    is_anonymous: user.is_anonymous,
    gender: user.gender,
    email: user.email,
  };
}

export function updateUser(context: RequestContext) {
  const body = bodyObject(context);
  const user = currentUser(context);
  let touched = false;
  const oldPassword = optionalString(body, 'old_pwd');
  const newPassword = optionalString(body, 'new_pwd');
  if (oldPassword !== undefined || newPassword !== undefined) {
    if (!oldPassword || !newPassword) throw formInvalid('old_pwd and new_pwd go together');
    if (user.password !== oldPassword) throw new GizwitsApiError(9020);
    checkPasswordStrength(newPassword);
    user.password = newPassword;
    touched = true;
  }
  touched = applyIdentityChanges(context, user, body) || touched;
  touched = applyProfileChanges(user, body) || touched;
  if (!touched) throw formInvalid('nothing to update');
  return { updatedAt: new Date().toISOString().replace('Z', '000') };
}

/** Username, phone and email changes, which also turn an anonymous user into a regular one. */
function applyIdentityChanges(context: RequestContext, user: UserRecord, body: JsonObject): boolean {
  const username = optionalString(body, 'username');
  const phone = optionalString(body, 'phone');
  const email = optionalString(body, 'email');
  const password = optionalString(body, 'password');
  if (!username && !phone && !email) return false;
  if (password !== undefined) checkPasswordStrength(password);
  if (user.is_anonymous && password === undefined)
    throw formInvalid('password is required to leave anonymous mode');
  if (phone) {
    checkSmsCode(body.code);
    ensureFree(context, 'phone', phone, 9018);
    user.phone = phone;
  }
  if (email) {
    ensureFree(context, 'email', email, 9022);
    user.email = email;
  }
  if (username) {
    ensureFree(context, 'username', username, 9019);
    user.username = username;
  }
  if (password !== undefined) user.password = password;
  user.is_anonymous = false;
  return true;
}

function applyProfileChanges(user: UserRecord, body: JsonObject): boolean {
  let touched = false;
  const gender = optionalString(body, 'gender');
  if (gender !== undefined) {
    if (gender !== 'M' && gender !== 'F' && gender !== 'N') throw formInvalid('gender must be M, F or N');
    user.gender = gender;
    touched = true;
  }
  const birthday = optionalString(body, 'birthday');
  if (birthday !== undefined) {
    if (!/^(\d{4}-)?\d{2}-\d{2}$/.test(birthday)) throw formInvalid('birthday must be YYYY-MM-DD or MM-DD');
    user.birthday = birthday;
    touched = true;
  }
  for (const field of ['name', 'address', 'lang'] as const) {
    const value = optionalString(body, field);
    if (value !== undefined) {
      user[field] = value;
      touched = true;
    }
  }
  // The document's field table spells it `remar`; its example answers `remark`.
  const remark = optionalString(body, 'remark') ?? optionalString(body, 'remar');
  if (remark !== undefined) {
    user.remark = remark;
    touched = true;
  }
  return touched;
}

export function login(context: RequestContext) {
  const body = bodyObject(context);
  const name = requiredString(body, 'username');
  const password = requiredString(body, 'password');
  const user = context.model.accounts.findByLoginName(name);
  if (!user || user.password === null || user.password !== password) throw new GizwitsApiError(9020);
  return tokenAnswer(context, user);
}

export function applicationAuth(appId: string, appSecret: string): string {
  return createHash('md5')
    .update(appId + appSecret)
    .digest('hex');
}

export function requestAppToken(context: RequestContext) {
  const given = headerValue(context, 'x-gizwits-application-auth');
  if (!given || given.toLowerCase() !== applicationAuth(SIM_APP_ID, SIM_APP_SECRET))
    throw new GizwitsApiError(9038);
  const issued = context.model.accounts.issueAppToken();
  return { token: issued.token, expired_at: issued.expireAt };
}

export function resetPassword(context: RequestContext) {
  const body = bodyObject(context);
  const accounts = context.model.accounts;
  const email = optionalString(body, 'email');
  const phone = optionalString(body, 'phone');
  if (email) {
    if (!accounts.findBy('email', email)) throw new GizwitsApiError(9005);
    return {};
  }
  if (!phone) throw formInvalid('email or phone is required');
  const newPassword = requiredString(body, 'new_pwd');
  checkSmsCode(body.code);
  const user = accounts.findBy('phone', phone);
  if (!user) throw new GizwitsApiError(9005);
  checkPasswordStrength(newPassword);
  user.password = newPassword;
  return {};
}

/** Without `code` it "sends" an SMS (always SIM_SMS_CODE); with `code` it checks one. */
export function smsCode(context: RequestContext) {
  const body = bodyObject(context);
  requiredString(body, 'phone');
  if (body.code !== undefined) checkSmsCode(body.code);
  return {};
}

export function newCaptcha(context: RequestContext) {
  const id = randomBytes(20).toString('hex');
  context.model.accounts.captchas.set(id, SIM_CAPTCHA_CODE);
  return { captcha_url: `${context.baseUrl}/captcha/image/${id}/`, captcha_id: id };
}

export function checkCaptcha(context: RequestContext) {
  const body = bodyObject(context);
  const id = requiredString(body, 'captcha_id');
  const code = requiredString(body, 'captcha_code');
  requiredString(body, 'phone');
  const expected = context.model.accounts.captchas.get(id);
  if (!expected || expected.toLowerCase() !== code.toLowerCase()) throw new GizwitsApiError(9010);
  context.model.accounts.captchas.delete(id);
  return {};
}
