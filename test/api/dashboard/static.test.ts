import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardStatic } from '../../../src/api/dashboard/static.js';
import type { CoreApp } from '../../../src/api/retreaver/core/plugin.js';
import { rewriteUrl } from '../../../src/api/retreaver/format.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

describe('the dashboard at / (src/api/dashboard/static.ts)', () => {
  let root: string;
  let app: CoreApp;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify({ rewriteUrl }) as unknown as CoreApp;
    await dashboardStatic(app, root);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers each page path with index.html, never cached', async () => {
    for (const url of [
      '/',
      '/configure/targets',
      '/call-log',
      '/call-log/1f857142',
      '/test-phone',
      '/reports',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('serves the hashed assets with their type, cached for good (the format rule leaves .js alone)', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('says how to build it when web/dist is missing', async () => {
    const bare = Fastify({ rewriteUrl }) as unknown as CoreApp;
    await dashboardStatic(bare, path.join(root, 'nowhere'));
    const res = await bare.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });
});

describe('the API keeps its own paths beside the dashboard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers /calls, unknown paths, /openapi.json and /docs as before', async () => {
    const calls = await t.app.http.inject({ url: '/calls' });
    expect(calls.statusCode).toBe(401);
    expect(calls.json()).toMatchObject({ status: 401 });
    const unknown = await t.app.http.inject({ url: '/no-such-page' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ status: 404, error: 'Not Found' });
    expect((await t.app.http.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    expect((await t.app.http.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    const doc = (await t.app.http.inject({ url: '/openapi.json' })).json();
    // The dashboard's own routes are not API operations.
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/live') || p.startsWith('/configure'))).toBe(
      false,
    );
  });
});
