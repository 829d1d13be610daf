import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackedNumber } from '../e2e/harness.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));
const GREETING = 'Thanks for calling, press 1';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}`;
});
afterAll(async () => t?.close());

/** Runs the real command in a child process; it shares nothing with the server here but HTTP. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // An env without SWITCHBOARD_* so the test's own flags are all that count.
  const { SWITCHBOARD_URL: _u, SWITCHBOARD_API_KEY: _k, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('switchboard call', () => {
  it('follows a call through the greeting, the menu key, the connection and the hangup', async () => {
    const { number } = await trackedNumber(t, {
      message: GREETING,
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    const endpoint = await cli(
      'endpoint',
      '+14155550100',
      '--answer-after',
      '3',
      '--url',
      url,
      '--key',
      t.key,
    );
    expect(endpoint.stdout).toContain('endpoint +14155550100: answer_after_s=3');

    const run = await cli(
      'call',
      number,
      '--from',
      '+13015550123',
      '--press',
      '1',
      '--hangup-after',
      '30',
      '--url',
      url,
      '--key',
      t.key,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^calling .* from \+13015550123 .*manual clock/);
    expect(lines.slice(1)).toEqual([
      `  0s  prompt: "${GREETING}"`,
      '  0s  (pressing 1)',
      '  0s  ringing',
      '  3s  connected to +14155550100',
      '  30s  (hanging up)',
      '  30s  call ended (caller hung up)',
      'summary: went to +14155550100, 30 s (talked 27 s), keys 1, no pixels, hung up by caller',
    ]);
    // The server's own record agrees with what the CLI printed.
    const call = await t.app.store.db
      .selectFrom('calls')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    expect(call).toMatchObject({
      status: 'finished',
      hung_up_by: 'caller',
      total_duration: 30,
      dialed_number: '+14155550100',
    });
  });

  it('exits 1 with the server message when the server refuses', async () => {
    const run = await cli('call', '+18005550199', '--from', '+13015550123', '--url', url, '--key', t.key);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      'switchboard: POST /sim/calls → 404 Not Found (+18005550199 is not a number this key can see)',
    );
  });

  it('exits 1 when the key is wrong', async () => {
    const run = await cli('call', '+18005550199', '--from', '+13015550123', '--url', url, '--key', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^switchboard: GET \/sim\/clock → 401 /);
  });

  it('exits 2 with the usage text on a bad command line', async () => {
    const run = await cli('call', '+18005550199', '--url', url);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('switchboard: missing --from <caller>');
    expect(run.stderr).toContain('Usage:');
  });
});
