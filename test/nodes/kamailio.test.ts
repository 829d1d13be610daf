/**
 * deploy/kamailio run for real (Debian's `kamailio`) in front of two Switchboard nodes on the SIP
 * driver, sharing one PostgreSQL schema and, when TEST_REDIS_URL is set, one Redis (as test/nodes). sipp calls Kamailio: calls spread over both nodes by Call-ID,
 * each call's ACK and BYE reach the node that took its INVITE (through Kamailio's Record-Route), and
 * once a node is killed every new call still lands on the survivor (the failure route), not only
 * after OPTIONS probing noticed. The config runs as deployed except for its listen address and the
 * dispatcher list's path (kamailio.cfg's LISTEN_FROM_COMMAND_LINE and DISPATCHER_LIST).
 * Skips when kamailio or sipp is not installed (CI installs both: .ci/run), and on SQLite: nodes share
 * a database only on PostgreSQL (docs/nodes.md). Two nodes in one process on one SQLite file stall each
 * other (better-sqlite3 waits for the other's write lock synchronously, up to its 5 s busy timeout,
 * with the event loop — and so the lock's holder — blocked), which says nothing about Kamailio.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';
import { freeUdpPort, sipp, uacScenario, uasScenario } from '../telephony/sip/sipp.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const PG = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
const MISSING = !has('kamailio')
  ? 'kamailio is not installed (.ci/run installs it)'
  : !has('sipp')
    ? 'sipp is not installed (.ci/run installs it)'
    : !PG
      ? 'DATABASE_URL is not PostgreSQL (nodes share PostgreSQL only)'
      : undefined;
if (MISSING) console.log(`test/nodes/kamailio: skipped, ${MISSING}`);

const CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/kamailio/kamailio.cfg');
const REDIS = process.env.TEST_REDIS_URL;

interface SipNode {
  app: App;
  port: number;
  /** Calls whose INVITE reached this node (through the engine's sink). */
  invites: number;
}

describe.skipIf(!!MISSING)('Kamailio (deploy/kamailio) in front of two SIP nodes', () => {
  const dir = { path: '' };
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const prefix = `t-${randomBytes(4).toString('hex')}:`;
  const key = `k-${randomBytes(6).toString('hex')}`;
  const nodes: SipNode[] = [];
  let kamailio: ChildProcess;
  let kamailioLog = '';
  let proxyPort = 0;
  let number = '';
  let uasPort = 0;

  async function startNode(i: number): Promise<SipNode> {
    const rtp = 30_000 + Math.floor(Math.random() * 400) * 20 + i * 8000;
    const app = await buildApp({
      config: loadConfig({
        DATA_DIR: dir.path,
        SWITCHBOARD_API_KEY: key,
        NODE_ID: `sip-node-${i}`,
        DATABASE_URL: PG!,
        DATABASE_SCHEMA: schema,
        ...(REDIS ? { REDIS_URL: REDIS, REDIS_PREFIX: prefix } : {}),
        SWITCHBOARD_TELEPHONY: 'sip',
        SIP_LISTEN: '127.0.0.1:0',
        RTP_PORTS: `${rtp}-${rtp + 400}`,
      }),
      logger: false,
    });
    const node: SipNode = { app, port: app.sip!.port, invites: 0 };
    const engine = app.engine;
    app.sip!.attach({
      incoming: (call) => {
        node.invites++;
        return engine.incoming(call);
      },
      event: (e) => engine.event(e),
    });
    return node;
  }

  async function startKamailio(): Promise<void> {
    proxyPort = await freeUdpPort();
    const list = path.join(dir.path, 'dispatcher.list');
    await writeFile(
      list,
      nodes
        .map((n) => `1 sip:127.0.0.1:${n.port};transport=udp 0 0`)
        .join('\n')
        .concat('\n'),
    );
    kamailio = spawn(
      'kamailio',
      [
        ...['-f', CONFIG, '-DD', '-E', '-Y', dir.path, '-P', path.join(dir.path, 'kamailio.pid')],
        ...['-m', '64', '-M', '8', '-w', dir.path],
        ...['-A', 'LISTEN_FROM_COMMAND_LINE', '-A', `DISPATCHER_LIST="${list}"`],
        ...['-l', `udp:127.0.0.1:${proxyPort}`],
      ],
      // Its own process group: Kamailio forks its workers, and killing only the main process (as a
      // test timing out would) leaves them running; the group is killed at the end.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const keep = (b: Buffer) => {
      kamailioLog = (kamailioLog + b.toString()).slice(-6000);
    };
    kamailio.stdout!.on('data', keep);
    kamailio.stderr!.on('data', keep);
    // Ready once it answers an OPTIONS (dispatched to a node, which answers 200).
    const probe = await sipp(optionsScenario(), { target: `127.0.0.1:${proxyPort}`, timeoutS: 15 });
    const r = await probe.exited;
    if (r.code !== 0) throw new Error(`kamailio did not come up:\n${kamailioLog}\n${r.output}`);
  }

  beforeAll(async () => {
    dir.path = await mkdtemp(path.join(os.tmpdir(), 'sb-kamailio-'));
    nodes.push(await startNode(0));
    nodes.push(await startNode(1));
    uasPort = await freeUdpPort();
    const api = async (url: string, field: string, attrs: Record<string, unknown>) => {
      const res = await nodes[0].app.http.inject({
        method: 'POST',
        url: `${url}.json?api_key=${key}`,
        payload: { [field]: attrs },
      });
      if (res.statusCode >= 300) throw new Error(res.body);
      return res.json()[field];
    };
    const t = await api('/targets', 'target', { number: `sip:t@127.0.0.1:${uasPort}`, name: 'sipp' });
    const c = await api('/campaigns', 'campaign', { name: 'kamailio', target_ids: [t.id] });
    number = String((await api('/numbers', 'number', { afid: 'k', cid: c.cid })).number).replace(
      /[^0-9+]/g,
      '',
    );
    await startKamailio();
  }, 120_000); // two apps migrating one schema take most of it on a loaded machine

  afterAll(async () => {
    if (kamailio?.pid) process.kill(-kamailio.pid, 'SIGKILL');
    for (const n of nodes) await n.app.close({ abort: true }).catch(() => {});
    await dropSchema(PG!, schema);
    if (REDIS) {
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await rm(dir.path, { recursive: true, force: true });
  });

  /** `calls` sipp calls through Kamailio to the tracked number; each holds 2 s (the engine answers, then dials) and hangs up. */
  async function callThrough(calls: number) {
    const uas = await sipp(uasScenario('answer'), { port: uasPort, calls, timeoutS: 40 });
    const uac = await sipp(uacScenario({ to: number, holdMs: 2000, hangup: 'caller' }), {
      target: `127.0.0.1:${proxyPort}`,
      calls,
      rate: 10,
      limit: calls,
      timeoutS: 40,
    });
    const [c, t] = [await uac.exited, await uas.exited];
    if (c.code !== 0 || t.code !== 0) console.error(`${c.output}\n${t.output}\n${kamailioLog}`);
    expect(c.code, 'every call through Kamailio completes: 200, ACK, BYE answered 200').toBe(0);
    expect(t.code).toBe(0);
  }

  /** Every call record is closed, connected to the target, ended by the caller's BYE. */
  async function records(expected: number) {
    const db = nodes[0].app.store.db;
    for (let i = 0; i < 100; i++) {
      const open = await db.selectFrom('calls').select('uuid').where('end_time', 'is', null).execute();
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await db.selectFrom('calls').select(['connected', 'hung_up_by', 'end_time']).execute();
    expect(rows).toHaveLength(expected);
    for (const r of rows) expect(r).toMatchObject({ connected: 1, hung_up_by: 'caller' });
  }

  it('spreads calls over both nodes by Call-ID; ACK and BYE reach the node that took the INVITE', async () => {
    await callThrough(12);
    // 12 Call-IDs hashed over two nodes all land on one with probability 2^-11.
    expect(nodes[0].invites).toBeGreaterThan(0);
    expect(nodes[1].invites).toBeGreaterThan(0);
    expect(nodes[0].invites + nodes[1].invites).toBe(12);
    // A BYE that reached the other node would be answered 481 and fail the caller's sipp; the
    // records say each call ended with the caller's BYE on the node that had it.
    await records(12);
  }, 60_000);

  it('a killed node: its share of new calls goes to the survivor at once (failure route, not probing)', async () => {
    await nodes[1].app.close({ abort: true });
    const before = nodes[0].invites;
    await callThrough(8);
    expect(nodes[0].invites - before).toBe(8);
    await records(20);
  }, 60_000);
});

function optionsScenario(): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="options">
  <send retrans="500">
    <![CDATA[
      OPTIONS sip:ping@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:probe@[local_ip]:[local_port]>;tag=[pid]probe[call_number]
      To: <sip:ping@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>`;
}
