import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { CoreApp } from '../retreaver/core/plugin.js';

/** Where `npm run build` puts the dashboard (web/ built by Vite); the same from src/ and from dist/. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * The dashboard's own paths. The single-page app routes them in the browser; the server answers each with
 * index.html. They are listed rather than caught all so the Core API's paths (`/calls`, `/targets`) and
 * its 404s stay the API's.
 */
export const DASHBOARD_PATHS = [
  '/',
  '/configure',
  '/configure/*',
  '/call-log',
  '/call-log/*',
  '/test-phone',
  '/reports',
];

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head>
<body><main><h1>Switchboard</h1><p>The dashboard is not built. Run <code>npm run build</code> (or
<code>npm start</code>, which builds it when it is missing), then reload. The API is at
<a href="/docs">/docs</a>.</p></main></body></html>`;

/** Serves the built dashboard at `/` with its hashed assets under `/assets/` (cached for good). */
export async function dashboardStatic(app: CoreApp, root = WEB_DIST): Promise<void> {
  const built = fs.existsSync(path.join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }
  for (const url of DASHBOARD_PATHS) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
      // Read per request: a rebuild while the server runs is picked up without a restart.
      if (!built) return reply.code(503).send(NOT_BUILT);
      return reply.send(await fs.promises.readFile(path.join(root, 'index.html')));
    });
  }
}
