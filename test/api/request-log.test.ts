import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';

/** An app logging into an array at `level`, on SQLite in memory (logging does not touch the store). */
async function logged(env: Record<string, string>, level: string) {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const app = await buildApp({
    config: loadConfig({ DATA_DIR: '/nonexistent', SWITCHBOARD_API_KEY: 'log-key', ...env }),
    clock: new ManualClock(),
    logger: { level, stream },
    sqliteFileOverride: ':memory:',
  });
  return { app, lines };
}

describe('request logging', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('writes nothing per request at info, however many requests', async () => {
    const l = await logged({}, 'info');
    app = l.app;
    const before = l.lines.length;
    for (let i = 0; i < 5; i++) {
      expect((await app.http.inject({ url: '/targets.json?api_key=log-key' })).statusCode).toBe(200);
    }
    expect((await app.http.inject({ url: '/targets.json?api_key=wrong' })).statusCode).toBe(401);
    expect(l.lines.slice(before)).toEqual([]);
  });

  it('writes one line per request at debug', async () => {
    const l = await logged({}, 'debug');
    app = l.app;
    const before = l.lines.length;
    await app.http.inject({ url: '/targets.json?api_key=log-key' });
    const mine = l.lines.slice(before).filter((x) => x.msg === 'request completed');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: 20, method: 'GET', statusCode: 200 });
  });

  it('logs requests over SLOW_REQUEST_MS at warn', async () => {
    const l = await logged({ SLOW_REQUEST_MS: '0' }, 'info');
    app = l.app;
    await app.http.inject({ url: '/targets.json?api_key=log-key' });
    const slow = l.lines.filter((x) => x.msg === 'slow request');
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ level: 40, path: '/targets.json', statusCode: 200 });
    expect(JSON.stringify(slow)).not.toContain('log-key');
    expect(typeof slow[0].ms).toBe('number');
  });
});
