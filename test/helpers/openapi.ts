import { Ajv, type ValidateFunction } from 'ajv';
import type { ObservedAnswer } from '../../src/api/observe.js';

/**
 * Checks real answers against the app's own /openapi.json: the operation exists, the status is one it
 * declares, and a JSON body matches the schema declared for that status. Shared by the contract test
 * and the fuzz suite (test/fuzz), so the document cannot drift from what the server does.
 */
export interface Contract {
  /** Problems with one answer; empty when it matches the document. */
  check(answer: Answer): string[];
  /** Throws with every problem of one answer; `knownOnly` lets paths the document leaves out pass (404s of made-up paths, /healthz). */
  assert(answer: Answer, opts?: { knownOnly?: boolean }): void;
  /** Operations as `METHOD /path`, for coverage counts. */
  operations(): string[];
}

export interface Answer {
  method: string;
  /** Request URL as sent: `/targets/5.json?api_key=…` */
  url: string;
  /** The operation's path in the document (`/targets/{id}.json`) when the app says which route answered. */
  operation?: string;
  status: number;
  contentType?: string;
  body: string;
}

const UNKNOWN = 'no such operation in /openapi.json';

interface Operation {
  method: string;
  path: string;
  pattern: RegExp;
  params: number;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
  /** JSON pointer of `responses` inside the document. */
  pointer: string;
}

export function contractOf(doc: any): Contract {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  // Schemas may $ref the document's components; they resolve against the document itself.
  ajv.addSchema(doc, 'doc');
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const source = path
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      ops.push({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${source}$`),
        params: (path.match(/\{/g) ?? []).length,
        responses: op.responses,
        pointer: ['paths', path, method, 'responses']
          .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
          .join('/'),
      });
    }
  }
  // A literal segment beats a parameter: /targets/tid/{tid} before /targets/{id}.
  ops.sort((a, b) => a.params - b.params);
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (op: Operation, code: string) => {
    const ref = `doc#/${op.pointer}/${code}/content/application~1json/schema`;
    let v = validators.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: ref });
      validators.set(ref, v);
    }
    return v;
  };

  const check = (a: Answer): string[] => {
    const path = a.url.split('?', 1)[0];
    // The document shows each Retreaver path with `.json`; `.xml` answers the same operation.
    const asJson = path.replace(/\.xml$/, '.json');
    const method = a.method.toUpperCase() === 'HEAD' ? 'GET' : a.method.toUpperCase();
    const op = ops.find(
      (o) =>
        o.method === method && (a.operation === undefined ? o.pattern.test(asJson) : o.path === a.operation),
    );
    const where = `${a.method} ${path} → ${a.status}`;
    if (!op) return [`${where}: ${UNKNOWN}`];
    const code = [String(a.status), `${String(a.status)[0]}XX`].find((c) => op.responses[c]);
    const declared = code === undefined ? undefined : op.responses[code];
    if (!declared || code === undefined)
      return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`];
    if (!String(a.contentType ?? '').includes('json') || a.body === '') return [];
    const schema = declared.content?.['application/json']?.schema;
    if (!schema || Object.keys(schema).every((k) => k === 'description')) return [];
    let body: unknown;
    try {
      body = JSON.parse(a.body);
    } catch {
      return [`${where}: body is not JSON`];
    }
    const validate = validatorOf(op, code);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  };

  return {
    check,
    assert(a, opts = {}) {
      const problems = check(a).filter((p) => !(opts.knownOnly && p.endsWith(UNKNOWN)));
      if (problems.length) throw new Error(`answer does not match /openapi.json:\n${problems.join('\n')}`);
    },
    operations: () => ops.map((o) => `${o.method} ${o.path}`),
  };
}

/**
 * The document is generated from the routes' schemas, which are the same for every app this process
 * builds; generating it takes a while (~150 ms, more on a busy machine), so it is built and compiled
 * once per test file, from the first app that answers.
 */
let shared: Contract | undefined;

/** Builds the contract from this app's document unless this process has it already. */
export function prepareContract(http: { swagger(): unknown }): Contract {
  shared ??= contractOf(http.swagger());
  return shared;
}

/** Problems of one observed answer against the app's own document (empty when it matches). */
export function answerProblems(http: { swagger(): unknown }, a: ObservedAnswer): string[] {
  const contract = prepareContract(http);
  const problems = contract.check({ ...a, body: a.body ?? '' }).filter((p) => !p.endsWith(UNKNOWN));
  if (a.serializationDiff) {
    const { expected, actual } = a.serializationDiff;
    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i++;
    const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 120), i + 80));
    problems.push(
      `${a.method} ${a.url} → ${a.status}: the route's response schema changed the body at character ${i}\n  sent:    …${around(expected)}…\n  written: …${around(actual)}…`,
    );
  }
  return problems;
}
