import fc from 'fast-check';
import qs from 'qs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toXml } from '../../src/api/retreaver/xml.js';
import { createTestApp, type RequestOpts, type TestApp } from '../helpers/app.js';
import { asText, type JsonSchema, objectFor, type Pool, pathValue, valueFor } from './arbitraries.js';
import { ResponseChecker } from './responses.js';

/**
 * Property-based requests for every operation of `/openapi.json`, on whichever database the suite runs
 * on: the server must never answer 5xx, and every JSON answer the document describes must match it. Bounded (FUZZ_RUNS per operation, default 8) and seeded
 * (FUZZ_SEED replays a run; the seed is printed at the start).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Operation {
  path: string;
  method: string;
  parameters?: { name: string; in: string; schema?: JsonSchema; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

let t: TestApp;
let other: { key: string; companyId: number };
let pool: Pool;
let operations: Operation[];
let responses: ResponseChecker;

beforeAll(async () => {
  console.log(`fuzz seed ${SEED}, ${RUNS} runs per operation (replay: FUZZ_SEED=${SEED})`);
  t = await createTestApp();
  other = await t.addTenant();
  pool = { ids: [0, 1, 2], refs: [] };
  await seed(t.key, 'mine', '+14155550001', '+18885550001');
  await seed(other.key, 'theirs', '+14155550002', '+18885550002');
  const doc = (await t.api('GET', '/openapi.json', undefined, { key: null })).body;
  responses = new ResponseChecker(doc);
  operations = Object.entries<Record<string, Omit<Operation, 'path' | 'method'>>>(doc.paths).flatMap(
    ([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ ...op, path, method: method.toUpperCase() })),
  );
  // Deletions last, so the fixtures live while the other operations run.
  operations.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}, 120_000);
afterAll(() => t?.close());

/** One company's fixtures; their ids and references go into the pool every request draws from. */
async function seed(key: string, tag: string, targetNumber: string, contactNumber: string) {
  const made = async (url: string, wrap: string, body: Record<string, unknown>) => {
    const res = await t.api('POST', url, { [wrap]: body }, { key });
    const obj = res.body?.[wrap];
    if (res.status === 201 && obj) {
      if (typeof obj.id === 'number') pool.ids.push(obj.id);
      for (const field of ['cid', 'afid', 'tid', 'number', 'uuid']) {
        if (typeof obj[field] === 'string') pool.refs.push(obj[field]);
      }
    }
    return obj;
  };
  const target = await made('/targets.json', 'target', { number: targetNumber, tid: `tid-${tag}` });
  await made('/campaigns.json', 'campaign', { cid: `cid-${tag}`, target_ids: target ? [target.id] : [] });
  await made('/affiliates.json', 'affiliate', { afid: `afid-${tag}` });
  await made('/numbers.json', 'number', { afid: `afid-${tag}`, cid: `cid-${tag}` });
  await made('/target_groups.json', 'target_group', {
    name: `g-${tag}`,
    target_ids: target ? [target.id] : [],
  });
  await made('/contacts.json', 'contact', { contact_numbers_attributes: [{ number: contactNumber }] });
  await made('/call_control_keys.json', 'call_control_key', { target_id: target?.id });
  await made('/api_keys.json', 'api_key', { name: `k-${tag}` });
}

function encodeSegment(v: string): string {
  if (v.startsWith('%')) return v; // hostile encodings travel as written
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as its UTF-8 bytes
  }
}

function requestFor(op: Operation) {
  const params = op.parameters ?? [];
  const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const query = params.filter((p) => p.in === 'query' && p.name !== 'api_key' && p.name !== 'company_id');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  return fc
    .record({
      path: fc.tuple(...pathNames.map(() => pathValue(pool)), fc.constant(null)),
      query: fc.tuple(
        ...query.map((p) => fc.option(valueFor(p.schema, pool), { freq: 2 })),
        fc.constant(null),
      ),
      body: bodySchema
        ? fc.oneof(
            { weight: 3, arbitrary: objectFor(bodySchema, pool, 0, true) },
            { weight: 3, arbitrary: objectFor(bodySchema, pool) },
            { weight: 1, arbitrary: valueFor(undefined, pool) },
          )
        : fc.constant(undefined),
      xml: fc.boolean(),
      encoding: fc.constantFrom('json', 'json', 'form', 'xml'),
      asOther: fc.integer({ min: 1, max: 5 }).map((n) => n === 1),
    })
    .map(({ path, query: q, body, xml, encoding, asOther }) => {
      let url = op.path;
      pathNames.forEach((name, i) => {
        url = url.replace(`{${name}}`, encodeSegment(path[i] as string));
      });
      if (xml && url.endsWith('.json')) url = `${url.slice(0, -5)}.xml`;
      const search = query
        .map((p, i) =>
          q[i] === null || q[i] === undefined ? '' : `${p.name}=${encodeSegment(asText(q[i]))}`,
        )
        .filter(Boolean)
        .join('&');
      return {
        url: search ? `${url}?${search}` : url,
        body,
        ...encoded(body, encoding),
        key: asOther ? other.key : undefined,
      };
    });
}

/**
 * The same body as a client of any format would send it: JSON, Rails form fields or XML. A body too deep
 * for the encoders' recursion goes as JSON.
 */
function encoded(body: unknown, encoding: string): Pick<RequestOpts, 'rawBody' | 'headers'> {
  if (body === undefined || encoding === 'json') return {};
  try {
    if (encoding === 'form') {
      const form = body !== null && typeof body === 'object' ? qs.stringify(body) : String(body);
      return { rawBody: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    }
    return { rawBody: toXml(body, 'body'), headers: { 'content-type': 'application/xml' } };
  } catch {
    return {};
  }
}

describe('fuzz: every operation of /openapi.json', () => {
  it('never answers 5xx, and answers as the document says', async () => {
    expect(operations.length).toBeGreaterThan(100);
    const failures: string[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const [i, op] of operations.entries()) {
      const before = failures.length;
      if (op.path.startsWith('/sim/clock')) continue; // moving the shared clock only slows the run
      await fc
        .assert(
          fc.asyncProperty(requestFor(op), async (req) => {
            const get = op.method === 'GET';
            const res = await t.api(op.method, req.url, get ? undefined : req.body, {
              key: req.key,
              ...(get ? {} : { rawBody: req.rawBody, headers: req.headers }),
            });
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500) {
              const body = JSON.stringify(req.body)?.slice(0, 300);
              failures.push(
                `${op.method} ${req.url.slice(0, 200)} body=${body} → ${res.status} ${res.text.slice(0, 200)}`,
              );
              return false;
            }
            const mismatch = responses.check(
              op.path,
              op.method,
              res.status,
              String(res.headers['content-type'] ?? ''),
              res.text,
            );
            if (mismatch) {
              failures.push(`${op.method} ${req.url.slice(0, 200)} → ${mismatch}`);
              return false;
            }
            return true;
          }),
          { seed: SEED + i, numRuns: RUNS, endOnFailure: true },
        )
        .catch((err: Error) => {
          // A 5xx or a mismatch is already in failures; anything else is the fuzzer's own bug.
          if (failures.length === before)
            failures.push(`${op.method} ${op.path}: ${err.message.slice(0, 300)}`);
        });
    }
    console.log(
      `fuzz: ${sent} requests over ${operations.length} operations; answers checked against the document: ${responses.checked}, not described there: ${responses.unchecked}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(sent).toBeGreaterThan((operations.length - 2) * RUNS * 0.9);
  }, 300_000);
});
