import type { AddressInfo } from 'node:net';
import { SDK } from '@ringcentral/sdk';
import { expect } from 'vitest';
import { create, simOf } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { expectSpec } from './spec.js';

export const CALLER = '+13015550123';
export const AGENT_PHONE = '+14155550001';
export const OTHER_PHONE = '+14155550002';
export const PASSWORD = 'switchboard-pw';

export interface RcWorld {
  t: TestApp;
  server: string;
  clientId: string;
  clientSecret: string;
  agent: { id: number; email: string; extension_number: string };
  other: { id: number; email: string; extension_number: string };
  trackingNumber: string;
  sim: ReturnType<typeof simOf>;
  /** A signed-in SDK for the agent (password grant). */
  sdk(): Promise<SDK>;
  /** Raw request with a bearer token; parses JSON; validates against the spec when it documents the answer. */
  rc(
    method: string,
    url: string,
    token: string | null,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A running Switchboard on an ephemeral port with two people, an OAuth app and a number routed to the agent. */
export async function rcWorld(env: Record<string, string> = {}): Promise<RcWorld> {
  const t = await createTestApp(env);
  await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.http.server.address() as AddressInfo).port;
  const server = `http://127.0.0.1:${port}`;
  const agent = await create(t, '/users', 'user', {
    email: 'tom@example.com',
    first_name: 'Tom',
    last_name: 'Sawyer',
    extension_number: '101',
    password: PASSWORD,
    phone_number: AGENT_PHONE,
  });
  const other = await create(t, '/users', 'user', {
    email: 'huck@example.com',
    first_name: 'Huck',
    last_name: 'Finn',
    extension_number: '102',
    password: PASSWORD,
    phone_number: OTHER_PHONE,
  });
  const oauthApp = await create(t, '/oauth_apps', 'oauth_app', { name: 'tests' });
  const target = await create(t, '/targets', 'target', { number: AGENT_PHONE });
  const campaign = await create(t, '/campaigns', 'campaign', { name: 'rc', target_ids: [target.id] });
  const number = await create(t, '/numbers', 'number', { afid: 'p', cid: campaign.cid });
  const sim = simOf(t);
  await sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
  const sdks: SDK[] = [];

  const world: RcWorld = {
    t,
    server,
    clientId: oauthApp.client_id,
    clientSecret: oauthApp.client_secret,
    agent,
    other,
    trackingNumber: number.number,
    sim,
    async sdk() {
      const sdk = new SDK({ server, clientId: oauthApp.client_id, clientSecret: oauthApp.client_secret });
      await sdk.platform().login({ username: agent.email, password: PASSWORD });
      sdks.push(sdk);
      return sdk;
    },
    async rc(method, url, token, body) {
      const res = await fetch(`${server}${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const parsed = text ? JSON.parse(text) : undefined;
      expectSpec(method, url, res.status, parsed);
      return { status: res.status, body: parsed };
    },
    async close() {
      for (const s of sdks) s.cache().clean();
      await t.close();
    },
  };
  return world;
}

/** Checks a RingCentral API error body: `errorCode`, `message`, and `errors[]`. */
export function expectRcError(body: any, errorCode?: string) {
  expect(typeof body.errorCode).toBe('string');
  expect(typeof body.message).toBe('string');
  expect(body.errors?.[0]?.errorCode).toBe(body.errorCode);
  if (errorCode) expect(body.errorCode).toBe(errorCode);
}
