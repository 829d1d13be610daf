import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the Switchboard process itself (src/api/dashboard/static.ts): index.html at
// its page paths, hashed files under /assets/. `npm run dev:web` proxies the API to a server on :3000.
const api = 'http://127.0.0.1:3000';
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/live', '/sim', '/healthz', '/docs', '/openapi.json']
        .concat(
          ['companies', 'company', 'targets', 'target_groups', 'campaigns', 'numbers', 'number_pools'],
          ['affiliates', 'suppressed_numbers', 'call_control_keys', 'api_keys', 'users', 'tags'],
        )
        .map((p) => [p.startsWith('/') ? p : `/${p}`, api]),
    ),
  },
});
