import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startServer } from './helpers/server.js';

const KEY = 'readme-test-key-0123456789';
const SECTION = '## Place a call on the simulated network';

/** The shell lines of the section's first ```sh block, exactly as README.md has them. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  expect(start, `README.md has no "${SECTION}" section`).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start + SECTION.length).split(/\n## /)[0];
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  expect(block, 'the section has no ```sh block').not.toBeNull();
  return block![1].split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
}

function sh(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd: ROOT, env, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-readme-'));
let server: ReturnType<typeof startServer> | undefined;
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// The child server runs on SQLite whatever DATABASE_URL says; CI's PostgreSQL pass would only repeat it.
describe.skipIf(process.env.DATABASE_URL)('README "Place a call"', () => {
  it('runs as written against a started server: the demo, then the call with its summary', async () => {
    const commands = readmeCommands();
    expect(commands).toEqual([expect.stringMatching(/ demo$/), expect.stringMatching(/ call demo /)]);
    // As the section says: the server started with DELIVERY_ALLOW so the demo's pixel may reach it.
    server = startServer(dataDir, KEY, { DELIVERY_ALLOW: '127.0.0.1' });
    const url = await server.url;
    const env = { ...process.env, SWITCHBOARD_URL: url, SWITCHBOARD_API_KEY: KEY };

    const demo = await sh(commands[0], env);
    expect(demo.code, demo.out).toBe(0);
    const printed = /npx switchboard call (\+1\d{10}) --from \+13015550000 --press 1\n/.exec(demo.out);
    expect(printed, demo.out).not.toBeNull();

    const call = await sh(commands[1], env);
    expect(call.code, call.out).toBe(0);
    expect(call.out).toContain(`calling ${printed![1]} from +13015550000`);
    expect(call.out).toMatch(/connected to \+14155550101/);
    const summary = call.out.trim().split('\n').at(-1);
    expect(summary).toMatch(
      /^summary: went to Demo sales \(\+14155550101\), \d+ s \(talked 10 s\), keys 1, pixels 1 fired, hung up by target$/,
    );

    // Again: the demo finds what it made instead of failing on taken ids.
    const again = await sh(commands[0], env);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain(`npx switchboard call ${printed![1]} `);
  }, 180_000);
});
