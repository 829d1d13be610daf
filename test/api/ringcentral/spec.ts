import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/**
 * Validates answers of the RingCentral face against the schema RingCentral's own OpenAPI document
 * names for the operation and status (`../shared/specs/ringcentral-call-control.openapi.json`).
 */
// Beside the repository (/work/main → /work/shared), or one level further up from a worktree (/work/wt/x).
const SPEC_FILE = ['../../../../shared', '../../../../../shared']
  .map((dir) => path.resolve(import.meta.dirname, dir, 'specs/ringcentral-call-control.openapi.json'))
  .find((f) => existsSync(f)) as string;
const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8'));

// OpenAPI 3.0 keywords Ajv does not know are annotations here.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addKeyword('example');
ajv.addKeyword('x-enumDescriptions');
ajv.addSchema({ ...spec, $id: 'rc' });

const templates = Object.keys(spec.paths).map((p) => ({
  path: p,
  re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  fixed: p.split('/').filter((s) => !s.startsWith('{')).length,
}));

function operation(method: string, url: string) {
  const pathname = new URL(url, 'http://x').pathname;
  // The most specific template wins (`/parties/bring-in` over `/parties/{partyId}`).
  const match = templates
    .filter((t) => t.re.test(pathname) && spec.paths[t.path][method.toLowerCase()])
    .sort((a, b) => b.fixed - a.fixed)[0];
  if (!match) throw new Error(`no operation in the spec for ${method} ${pathname}`);
  return { key: match.path, op: spec.paths[match.path][method.toLowerCase()] };
}

function resolveRef(ref: string): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((o: any, k: string) => o[k], spec);
}

/**
 * Operations the issue asks for that the spec subset does not list: `GET …/ring-out/{id}` answers the
 * schema `POST …/ring-out` names (GetRingOutStatusResponse), `DELETE` answers 204 with no body; their
 * errors have the general error shape.
 */
const RING_OUT_BY_ID = /\/restapi\/v1\.0\/account\/[^/]+\/extension\/[^/]+\/ring-out\/[^/]+$/;
function outsideSpec(method: string, url: string, status: number): object | null | undefined {
  if (!RING_OUT_BY_ID.test(new URL(url, 'http://x').pathname)) return undefined;
  if (status >= 400) return { $ref: 'rc#/components/schemas/ApiErrorResponseModel' };
  if (method === 'GET' && status === 200) return { $ref: 'rc#/components/schemas/GetRingOutStatusResponse' };
  if (method === 'DELETE' && status === 204) return null;
  throw new Error(`${method} ${url} ${status} is not an answer of the ring-out by id`);
}

/** The JSON schema the spec gives for this operation's answer with this status, as an Ajv ref. */
export function responseSchema(method: string, url: string, status: number): object | null {
  const outside = outsideSpec(method, url, status);
  if (outside !== undefined) return outside;
  const { key, op } = operation(method, url);
  let res = op.responses[String(status)] ?? op.responses.default;
  // A 4xx the operation does not list (401 on every operation, 409 on a few) still has RingCentral's
  // general error shape.
  if (!res && status >= 400 && status < 500) return { $ref: 'rc#/components/schemas/ApiErrorResponseModel' };
  if (!res) throw new Error(`${method} ${key} documents no ${status} answer`);
  if (res.$ref) res = resolveRef(res.$ref);
  const schema = res.content?.['application/json']?.schema;
  if (!schema) return null;
  return schema.$ref ? { $ref: `rc${schema.$ref}` } : rewriteRefs(schema);
}

function rewriteRefs(node: any): any {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, k === '$ref' ? `rc${v}` : rewriteRefs(v)]),
    );
  }
  return node;
}

const compiled = new Map<string, ReturnType<Ajv['compile']>>();

/** Asserts that `body` is what the spec documents for `method url` → `status` (and that it documents it). */
export function expectSpec(method: string, url: string, status: number, body: unknown): void {
  const schema = responseSchema(method, url, status);
  if (schema === null) {
    expect(body === undefined || body === '' || body === null, `${method} ${url} ${status} has no body`).toBe(
      true,
    );
    return;
  }
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  const ok = validate(body);
  expect(
    ok,
    `${method} ${url} → ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
  ).toBe(true);
}
