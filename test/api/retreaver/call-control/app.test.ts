import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  const target = await t.api('POST', '/targets.json', { target: { number: '+14165550101' } });
  key = (await t.api('POST', '/call_control_keys.json', { target_id: target.body.target.id })).body
    .call_control_key.key;
});
afterAll(async () => t.close());

const inject = async (method: string, url: string, payload?: unknown) => {
  const res = await t.app.http.inject({
    method: method as any,
    url,
    ...(payload === undefined ? {} : { payload: payload as any }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
};

describe('Call Control API in the whole app', () => {
  it("is served under /call_control/v1 with the seed's URL", async () => {
    const res = await inject('GET', `/call_control/v1/active_calls.json?api_key=${key}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, results: [] });
  });

  it('answers an unknown call with a documented error, never a 500', async () => {
    const res = await inject(
      'POST',
      `/call_control/v1/calls/00000000-0000-4000-8000-000000000000/transfer.json?api_key=${key}`,
      {
        hold_caller: true,
        transfer_to: '+18668987878',
      },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.success).toBe(false);
    expect(typeof res.body.error).toBe('string');
  });

  it('keeps its own 404 shape while the Core API keeps its own', async () => {
    expect((await inject('GET', `/call_control/v1/nothing.json?api_key=${key}`)).body).toEqual({
      success: false,
      error: 'not found',
    });
    expect((await inject('GET', '/nothing.json')).body).toEqual({ status: 404, error: 'Not Found' });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await inject('GET', '/openapi')).body;
    for (const path of [
      '/call_control/v1/active_calls.json',
      '/call_control/v1/calls/{uuid}/transfer.json',
      '/call_control/v1/transfers/{uuid}/conference_caller.json',
      '/call_control/v1/transfers/{uuid}.json',
      '/call_control/v1/calls/{uuid}/return.json',
      '/call_control/v1/calls/{uuid}/accept.json',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/call_control/v1/calls/{uuid}/return.json'].post.summary).toContain('Live Call Return');
    expect(Object.keys(doc.paths)).toContain('/call_control_keys.json');
  });
});
