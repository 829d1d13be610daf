import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Checks an answer against what `/openapi.json` says that operation answers with that status. An
 * operation or status the document gives no JSON schema for is not checked (and is counted, so the
 * report shows how much of the document describes its answers).
 */
export class ResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  private readonly cache = new Map<string, ValidateFunction | null>();
  unchecked = 0;
  checked = 0;

  constructor(private readonly doc: { paths: Record<string, Record<string, any>> }) {
    this.ajv.addSchema(doc as object, 'doc');
  }

  /** Undefined when the answer matches (or nothing is documented for it), else a one-line reason. */
  check(path: string, method: string, status: number, contentType: string, text: string): string | undefined {
    if (!contentType.includes('json') || text === '') return undefined;
    const validate = this.validator(path, method.toLowerCase(), status);
    if (!validate) {
      this.unchecked++;
      return undefined;
    }
    this.checked++;
    if (validate(JSON.parse(text))) return undefined;
    const e = validate.errors?.[0];
    return `${status} answer does not match the document: ${e?.instancePath || '/'} ${e?.message}`;
  }

  private validator(path: string, method: string, status: number): ValidateFunction | null {
    const key = `${method} ${path} ${status}`;
    if (!this.cache.has(key)) this.cache.set(key, this.compile(path, method, status));
    return this.cache.get(key) ?? null;
  }

  private compile(path: string, method: string, status: number): ValidateFunction | null {
    const responses = this.doc.paths[path]?.[method]?.responses ?? {};
    const code = [String(status), `${String(status)[0]}XX`, 'default'].find(
      (c) => responses[c]?.content?.['application/json']?.schema,
    );
    if (!code) return null;
    const pointer = ['paths', path, method, 'responses', code, 'content', 'application/json', 'schema']
      .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    return this.ajv.compile({ $ref: `doc#/${pointer}` });
  }
}
