import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** What a browser does: GET a path, following redirects within the app. */
async function get(path: string): Promise<{ status: number; type: string; body: string; url: string }> {
  let url = path;
  for (let hops = 0; hops < 5; hops++) {
    const res = await t.app.http.inject({ method: 'GET', url });
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      url = new URL(String(res.headers.location), `http://x${url}`).pathname;
      continue;
    }
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body, url };
  }
  throw new Error(`too many redirects from ${path}`);
}

describe('/docs', () => {
  it('serves a page whose scripts and styles all load with their own content types', async () => {
    const page = await get('/docs');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const base = new URL(page.url, 'http://x');
    const scripts = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
    const styles = [...page.body.matchAll(/<link[^>]*\shref="([^"]+\.css)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const src of scripts) {
      const res = await get(new URL(src, base).pathname);
      expect(res.status, src).toBe(200);
      expect(res.type, src).toMatch(/javascript/);
      expect(res.body.length, src).toBeGreaterThan(100);
    }
    for (const href of styles) {
      const res = await get(new URL(href, base).pathname);
      expect(res.status, href).toBe(200);
      expect(res.type, href).toContain('text/css');
    }
  });

  it('the page initializer points at an OpenAPI document that loads', async () => {
    const init = await get('/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
    const doc = await get('/docs/json');
    expect(doc.status).toBe(200);
    expect(JSON.parse(doc.body).openapi).toMatch(/^3\./);
  });

  it('the Core API still refuses other formats by extension', async () => {
    expect((await t.api('GET', '/affiliates.js')).status).toBe(406);
    expect((await get('/openapi.json')).status).toBe(200);
  });
});
