#!/usr/bin/env node
// CI: `npm start` as a user runs it (build when stale, then node on dist/), /healthz and the dashboard at
// `/`, SIGTERM to npm, and the server must be gone with exit status 0 — npm's signal reaches node because
// the script execs it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './dist-state.mjs';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-smoke-'));
const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir };
delete env.DATABASE_URL;
const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
const fail = (why) => {
  console.error(`smoke-start: ${why}\n${output}`);
  npm.kill('SIGKILL');
  process.exit(1);
};
const timer = setTimeout(() => fail('no clean stop within 120 s'), 120_000);

const listening = new Promise((resolve) => {
  npm.stdout.on('data', (chunk) => {
    output += chunk;
    const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (m) resolve(m[1]);
  });
});
const exited = new Promise((resolve) => npm.on('exit', (code, signal) => resolve({ code, signal })));

let url;
exited.then(() => url ?? fail('npm start exited before listening'));
url = await listening;
const health = await fetch(`${url}/healthz`);
if (health.status !== 200) fail(`/healthz answered ${health.status}`);
const dashboard = await fetch(`${url}/`);
if (dashboard.status !== 200 || !(await dashboard.text()).includes('<div id="root">'))
  fail(`/ did not serve the dashboard (${dashboard.status})`);
npm.kill('SIGTERM');
const { code, signal } = await exited;
clearTimeout(timer);
if (code !== 0) fail(`npm start ended with ${signal ?? `status ${code}`}`);
const orphans = await fetch(`${url}/healthz`).then(
  () => true,
  () => false,
);
if (orphans) fail('the server still answers after npm start ended');
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`smoke-start: npm start served ${url} and stopped cleanly on SIGTERM`);
