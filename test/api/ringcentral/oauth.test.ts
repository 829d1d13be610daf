import { SDK } from '@ringcentral/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRcError, PASSWORD, type RcWorld, rcWorld } from './harness.js';
import { expectSpec } from './spec.js';

let w: RcWorld;
beforeAll(async () => {
  w = await rcWorld();
});
afterAll(async () => w.close());

/** A token request as RingCentral's clients send it: form-encoded, client credentials in HTTP Basic. */
async function token(form: Record<string, string>, client = { id: w.clientId, secret: w.clientSecret }) {
  const res = await fetch(`${w.server}/restapi/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}

describe('POST /restapi/oauth/token', () => {
  it('password grant through @ringcentral/sdk: every TokenInfo field, then the extension answers', async () => {
    const sdk = new SDK({ server: w.server, clientId: w.clientId, clientSecret: w.clientSecret });
    const res = await sdk.platform().login({ username: w.agent.email, password: PASSWORD });
    const info = await res.json();
    expectSpec('POST', '/restapi/oauth/token', 200, info);
    expect(info).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token_expires_in: 604800,
      owner_id: String(w.agent.id),
    });
    for (const f of ['access_token', 'refresh_token', 'scope', 'endpoint_id', 'session_id'])
      expect(typeof info[f], f).toBe('string');
    const ext = await (await sdk.platform().get('/restapi/v1.0/account/~/extension/~')).json();
    expect(ext.id).toBe(w.agent.id);
    expect(await sdk.platform().loggedIn()).toBe(true);
  });

  it('password grant by phone number with the extension, any-case email', async () => {
    const byPhone = await token({
      grant_type: 'password',
      username: '+14155550001',
      password: PASSWORD,
      extension: '101',
    });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.owner_id).toBe(String(w.agent.id));
    const upper = await token({
      grant_type: 'password',
      username: w.agent.email.toUpperCase(),
      password: PASSWORD,
    });
    expect(upper.status).toBe(200);
  });

  it('JWT grant through the SDK with a credential from POST /users/{id}/jwt.json; revoked → invalid_grant', async () => {
    const issued = await w.t.api('POST', `/users/${w.agent.id}/jwt.json`);
    const jwt = issued.body.jwt.token;
    const sdk = new SDK({ server: w.server, clientId: w.clientId, clientSecret: w.clientSecret });
    const info = await (await sdk.platform().login({ jwt })).json();
    expectSpec('POST', '/restapi/oauth/token', 200, info);
    expect(info.owner_id).toBe(String(w.agent.id));
    await w.t.api('DELETE', `/users/${w.agent.id}/jwt.json`);
    const again = await token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expectSpec('POST', '/restapi/oauth/token', 400, again.body);
  });

  it('refresh through the SDK rotates the pair: the old refresh token and access token stop working', async () => {
    const sdk = await w.sdk();
    const before = await sdk.platform().auth().data();
    const info = await (await sdk.platform().refresh()).json();
    expectSpec('POST', '/restapi/oauth/token', 200, info);
    expect(info.access_token).not.toBe(before.access_token);
    const old = await token({ grant_type: 'refresh_token', refresh_token: String(before.refresh_token) });
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
    const oldAccess = await w.rc('GET', '/restapi/v1.0/account/~', String(before.access_token));
    expect(oldAccess.status).toBe(401);
    expectRcError(oldAccess.body);
    const fresh = await w.rc('GET', '/restapi/v1.0/account/~', info.access_token);
    expect(fresh.status).toBe(200);
  });

  it('wrong password → 400 invalid_grant; wrong client → 401 invalid_client; both in OAuth’s shape', async () => {
    const bad = await token({ grant_type: 'password', username: w.agent.email, password: 'nope-nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'Invalid resource owner credentials',
    });
    expectSpec('POST', '/restapi/oauth/token', 400, bad.body);
    const unknownUser = await token({
      grant_type: 'password',
      username: 'ghost@example.com',
      password: PASSWORD,
    });
    expect(unknownUser.body.error).toBe('invalid_grant');
    const wrongExt = await token({
      grant_type: 'password',
      username: w.agent.email,
      password: PASSWORD,
      extension: '999',
    });
    expect(wrongExt.body.error).toBe('invalid_grant');
    const client = await token(
      { grant_type: 'password', username: w.agent.email, password: PASSWORD },
      { id: w.clientId, secret: 'wrong' },
    );
    expect(client.status).toBe(401);
    expect(client.body.error).toBe('invalid_client');
    expect(client.body.errors[0].errorCode).toBeTruthy();
    const noBasic = await fetch(`${w.server}/restapi/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    expect(noBasic.status).toBe(401);
    expect((await noBasic.json()).error).toBe('invalid_client');
  });

  it('missing parameters and unknown grant types', async () => {
    const missing = await token({ grant_type: 'password', username: w.agent.email });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
    const none = await token({});
    expect(none.body.error).toBe('invalid_request');
    const odd = await token({ grant_type: 'client_credentials' });
    expect(odd.status).toBe(400);
    expect(odd.body.error).toBe('unsupported_grant_type');
    expectSpec('POST', '/restapi/oauth/token', 400, odd.body);
  });

  it('a deleted user cannot sign in, and their tokens die with them', async () => {
    const u = (
      await w.t.api('POST', '/users.json', {
        user: { email: 'gone@example.com', extension_number: '190', password: PASSWORD },
      })
    ).body.user;
    const ok = await token({ grant_type: 'password', username: 'gone@example.com', password: PASSWORD });
    expect(ok.status).toBe(200);
    await w.t.api('DELETE', `/users/${u.id}.json`);
    expect((await w.rc('GET', '/restapi/v1.0/account/~', ok.body.access_token)).status).toBe(401);
    expect(
      (await token({ grant_type: 'password', username: 'gone@example.com', password: PASSWORD })).status,
    ).toBe(400);
  });

  it('another company’s client cannot sign in this company’s users', async () => {
    const other = await w.t.addTenant();
    const theirApp = await w.t.api(
      'POST',
      '/oauth_apps.json',
      { oauth_app: { name: 'x' } },
      { key: other.key },
    );
    const res = await token(
      { grant_type: 'password', username: w.agent.email, password: PASSWORD },
      { id: theirApp.body.oauth_app.client_id, secret: theirApp.body.oauth_app.client_secret },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });
});

describe('POST /restapi/oauth/revoke and bearer tokens', () => {
  it('the SDK logout revokes the token: the next call is 401 in RingCentral’s error shape', async () => {
    const sdk = await w.sdk();
    const { access_token } = await sdk.platform().auth().data();
    await sdk.platform().logout();
    const res = await w.rc('GET', '/restapi/v1.0/account/~/extension/~', String(access_token));
    expect(res.status).toBe(401);
    expectRcError(res.body, 'TokenInvalid');
  });

  it('no header → 401 AGW-401; a made-up token → 401; an expired one (manual clock) → 401 Token expired', async () => {
    const none = await w.rc('GET', '/restapi/v1.0/account/~', null);
    expect(none.status).toBe(401);
    expectRcError(none.body, 'AGW-401');
    const bogus = await w.rc('GET', '/restapi/v1.0/account/~', 'not-a-token');
    expect(bogus.status).toBe(401);
    expectRcError(bogus.body, 'TokenInvalid');
    const ok = await token({ grant_type: 'password', username: w.agent.email, password: PASSWORD });
    await w.t.clock.advance(3600 * 1000 + 1);
    const expired = await w.rc('GET', '/restapi/v1.0/account/~', ok.body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Token expired');
    // The refresh token outlives it.
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token });
    expect(refreshed.status).toBe(200);
  });

  it('revoke needs the client; an unknown token is no error (RFC 7009)', async () => {
    const form = new URLSearchParams({ token: 'whatever' }).toString();
    const noClient = await fetch(`${w.server}/restapi/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(noClient.status).toBe(401);
    const ok = await fetch(`${w.server}/restapi/oauth/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${w.clientId}:${w.clientSecret}`).toString('base64')}`,
      },
      body: form,
    });
    expect(ok.status).toBe(200);
  });
});
