import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SIM_APP_ID, SIM_APP_SECRET, SIM_CAPTCHA_CODE, SIM_SMS_CODE, SIM_USERS } from '../../src/simulator';
import { call, login, useSimulator } from './helpers';

describe('simulator: users and tokens', () => {
  const ctx = useSimulator();

  it('logs in by username, email or phone and answers uid, token and expire_at seven days ahead', async () => {
    for (const name of [SIM_USERS.demo.username, SIM_USERS.demo.email!, SIM_USERS.demo.phone!]) {
      const answer = await call(ctx.sim, 'POST', '/app/login', {
        body: { username: name, password: SIM_USERS.demo.password },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.uid, SIM_USERS.demo.uid);
      assert.match(answer.body.token, /^[0-9a-f]{32}$/);
      const weekAhead = Date.now() / 1000 + 7 * 24 * 3600;
      assert.ok(Math.abs(answer.body.expire_at - weekAhead) < 60, `expire_at ${answer.body.expire_at}`);
    }
  });

  it('refuses a wrong password with HTTP 400 and 9020 in the Gizwits error shape', async () => {
    const answer = await call(ctx.sim, 'POST', '/app/login', {
      body: { username: 'demo', password: 'Wrong-Pass-1' },
    });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, {
      error_code: 9020,
      error_message: 'username or password error!',
      detail_message: null,
    });
  });

  it('refuses a missing or foreign AppID with 9003', async () => {
    const missing = await call(ctx.sim, 'POST', '/app/login', {
      appId: null,
      body: { username: 'demo', password: 'x' },
    });
    const foreign = await call(ctx.sim, 'GET', '/status', { appId: '0'.repeat(32) });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error_code, 9003);
    assert.equal(foreign.body.error_code, 9003);
  });

  it('answers 9004 with HTTP 400 (not 401) for a missing or unknown token', async () => {
    const missing = await call(ctx.sim, 'GET', '/app/users');
    const unknown = await call(ctx.sim, 'GET', '/app/users', { token: 'f'.repeat(32) });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error_code, 9004);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, {
      error_code: 9004,
      error_message: 'token invalid!',
      detail_message: null,
    });
  });

  it('refuses every earlier token after expireAllTokens, while a new login works', async () => {
    const before = await login(ctx.sim);
    ctx.sim.faults.expireAllTokens(9006);
    const refused = await call(ctx.sim, 'GET', '/app/users', { token: before });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error_code, 9006);
    const fresh = await login(ctx.sim);
    assert.equal((await call(ctx.sim, 'GET', '/app/users', { token: fresh })).status, 200);
    ctx.sim.faults.expireAllTokens();
    assert.equal((await call(ctx.sim, 'GET', '/app/users', { token: fresh })).body.error_code, 9004);
  });

  it('registers anonymously and brings the same phone_id back to the same uid', async () => {
    const first = await call(ctx.sim, 'POST', '/app/users', { body: { phone_id: 'phone-abc-1' } });
    const second = await call(ctx.sim, 'POST', '/app/users', { body: { phone_id: 'phone-abc-1' } });
    const other = await call(ctx.sim, 'POST', '/app/users', { body: { phone_id: 'phone-abc-2' } });
    assert.equal(first.status, 200);
    assert.equal(second.body.uid, first.body.uid);
    assert.notEqual(second.body.token, first.body.token);
    assert.notEqual(other.body.uid, first.body.uid);
    assert.ok(first.body.expire_at > Date.now() / 1000);
    const profile = await call(ctx.sim, 'GET', '/app/users', { token: first.body.token });
    assert.equal(profile.body.is_anonymous, true);
  });

  it('registers by username with a strong password, refuses weak passwords and taken names', async () => {
    const weak = await call(ctx.sim, 'POST', '/app/users', {
      body: { username: 'newbie', password: 'short' },
    });
    assert.equal(weak.body.error_code, 9015);
    const created = await call(ctx.sim, 'POST', '/app/users', {
      body: { username: 'newbie', password: 'Newbie-Pass-1' },
    });
    assert.equal(created.status, 200, created.text);
    const taken = await call(ctx.sim, 'POST', '/app/users', {
      body: { username: 'newbie', password: 'Newbie-Pass-1' },
    });
    assert.equal(taken.body.error_code, 9019);
    const again = await call(ctx.sim, 'POST', '/app/login', {
      body: { username: 'newbie', password: 'Newbie-Pass-1' },
    });
    assert.equal(again.body.uid, created.body.uid);
  });

  it('registers by phone only with the SMS code', async () => {
    const wrongCode = await call(ctx.sim, 'POST', '/app/users', {
      body: { phone: '13911112222', password: 'Phone-Pass-1', code: '000000' },
    });
    assert.equal(wrongCode.body.error_code, 9010);
    const created = await call(ctx.sim, 'POST', '/app/users', {
      body: { phone: '13911112222', password: 'Phone-Pass-1', code: SIM_SMS_CODE },
    });
    assert.equal(created.status, 200, created.text);
  });

  it('changes the password with old_pwd/new_pwd and then logs in only with the new one', async () => {
    const registered = await call(ctx.sim, 'POST', '/app/users', {
      body: { email: 'pw@example.com', password: 'First-Pass-1' },
    });
    const token = registered.body.token as string;
    const wrongOld = await call(ctx.sim, 'PUT', '/app/users', {
      token,
      body: { old_pwd: 'nope', new_pwd: 'Second-Pass-2' },
    });
    assert.equal(wrongOld.body.error_code, 9020);
    const changed = await call(ctx.sim, 'PUT', '/app/users', {
      token,
      body: { old_pwd: 'First-Pass-1', new_pwd: 'Second-Pass-2' },
    });
    assert.equal(changed.status, 200);
    assert.match(changed.body.updatedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    const oldLogin = await call(ctx.sim, 'POST', '/app/login', {
      body: { username: 'pw@example.com', password: 'First-Pass-1' },
    });
    const newLogin = await call(ctx.sim, 'POST', '/app/login', {
      body: { username: 'pw@example.com', password: 'Second-Pass-2' },
    });
    assert.equal(oldLogin.body.error_code, 9020);
    assert.equal(newLogin.status, 200);
  });

  it('updates and returns profile fields', async () => {
    const token = await login(ctx.sim, 'guest');
    await call(ctx.sim, 'PUT', '/app/users', {
      token,
      body: { name: '访客', gender: 'F', birthday: '01-15' },
    });
    const profile = await call(ctx.sim, 'GET', '/app/users', { token });
    assert.equal(profile.body.name, '访客');
    assert.equal(profile.body.gender, 'F');
    assert.equal(profile.body.username, 'guest');
    const bad = await call(ctx.sim, 'PUT', '/app/users', { token, body: { gender: 'X' } });
    assert.equal(bad.body.error_code, 9015);
  });

  it('gives an app token (expired_at, with a d) only for the right X-Gizwits-Application-Auth', async () => {
    const auth = createHash('md5')
      .update(SIM_APP_ID + SIM_APP_SECRET)
      .digest('hex');
    const good = await call(ctx.sim, 'POST', '/app/request_token', {
      headers: { 'X-Gizwits-Application-Auth': auth },
    });
    assert.equal(good.status, 200, good.text);
    assert.match(good.body.token, /^[0-9a-f]{32}$/);
    assert.ok(good.body.expired_at > Date.now() / 1000);
    assert.equal(good.body.expire_at, undefined);
    const bad = await call(ctx.sim, 'POST', '/app/request_token', {
      headers: { 'X-Gizwits-Application-Auth': 'a'.repeat(32) },
    });
    assert.equal(bad.body.error_code, 9038);

    const sms = await call(ctx.sim, 'POST', '/app/sms_code', {
      token: good.body.token,
      body: { phone: '13900000000' },
    });
    assert.equal(sms.status, 200);
    const checked = await call(ctx.sim, 'PUT', '/app/verify/codes', {
      token: good.body.token,
      body: { phone: '13900000000', sms_code: '999999' },
    });
    assert.equal(checked.body.error_code, 9010);
  });

  it('runs the captcha flow: a captcha id, then its code sends the SMS once', async () => {
    const token = await login(ctx.sim);
    const captcha = await call(ctx.sim, 'GET', '/app/verify/codes', { token });
    assert.match(captcha.body.captcha_id, /^[0-9a-f]{40}$/);
    assert.ok(captcha.body.captcha_url.includes(captcha.body.captcha_id));
    const wrong = await call(ctx.sim, 'POST', '/app/verify/codes', {
      token,
      body: { captcha_id: captcha.body.captcha_id, captcha_code: 'XXXX', phone: '13900000000' },
    });
    assert.equal(wrong.body.error_code, 9010);
    const body = {
      captcha_id: captcha.body.captcha_id,
      captcha_code: SIM_CAPTCHA_CODE.toLowerCase(),
      phone: '13900000000',
    };
    assert.equal((await call(ctx.sim, 'POST', '/app/verify/codes', { token, body })).status, 200);
    assert.equal(
      (await call(ctx.sim, 'POST', '/app/verify/codes', { token, body })).body.error_code,
      9010,
      'single use',
    );
  });

  it('resets a password by phone with the SMS code', async () => {
    await call(ctx.sim, 'POST', '/app/users', {
      body: { phone: '13955556666', password: 'Reset-Pass-1', code: SIM_SMS_CODE },
    });
    const reset = await call(ctx.sim, 'POST', '/app/reset_password', {
      body: { phone: '13955556666', new_pwd: 'Reset-Pass-2', code: SIM_SMS_CODE },
    });
    assert.equal(reset.status, 200, reset.text);
    const relog = await call(ctx.sim, 'POST', '/app/login', {
      body: { username: '13955556666', password: 'Reset-Pass-2' },
    });
    assert.equal(relog.status, 200);
    const unknown = await call(ctx.sim, 'POST', '/app/reset_password', {
      body: { email: 'nobody@example.com' },
    });
    assert.equal(unknown.body.error_code, 9005);
  });
});
