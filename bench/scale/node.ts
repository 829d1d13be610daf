/**
 * One Switchboard node for bench/scale, in a process of its own: builds the app from the environment
 * the parent gives (DATABASE_URL, DATABASE_SCHEMA, REDIS_URL, REDIS_PREFIX, NODE_ID), listens on a free
 * port, sends its URL to the parent and runs until the parent disconnects.
 */
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const app = await buildApp({ config: loadConfig(process.env), logger: false });
const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url });
process.on('disconnect', () => {
  void app.close().finally(() => process.exit(0));
});
