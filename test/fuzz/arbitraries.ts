import fc from 'fast-check';

/**
 * Request values generated from the OpenAPI document's schemas: mostly plausible for the schema (so the
 * request gets past validation and reaches services and SQL), the rest hostile (NUL bytes, huge and
 * non-finite numbers, deep nesting, wrong types, long strings, another company's ids).
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  nullable?: boolean;
  pattern?: string;
  format?: string;
}

/** Ids and references that exist: this company's own and another company's. */
export interface Pool {
  ids: number[];
  refs: string[];
}

const nul = fc.constantFrom('\u0000', 'a\u0000b', '\u0000\u0000');
const numericText = fc.constantFrom(
  '1e309',
  '-1e309',
  'Infinity',
  '-Infinity',
  'NaN',
  '99999999999999999999',
  '-1',
  '0',
  '1.5',
  '0x10',
);
const oddText = fc.constantFrom(
  '',
  ' ',
  '%00',
  '%ZZ',
  '../../etc/passwd',
  "'; drop table targets; --",
  '<a>',
  '\ud800',
  '😀☎',
  '+',
  'sip:',
  'null',
);
const longText = fc.integer({ min: 300, max: 120_000 }).map((n) => 'x'.repeat(n));
const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  2 ** 63,
  -1,
  0,
  0.5,
  1e-300,
);

/** `{"a": {"a": …}}` or `[[[…]]]` to a depth the schema never expects. */
const deep = fc.tuple(fc.integer({ min: 30, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});

const wrongType = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), nul),
    fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
    {
      maxKeys: 3,
    },
  ),
);

export function hostile(pool: Pool): fc.Arbitrary<unknown> {
  return fc.oneof(
    nul,
    numericText,
    oddText,
    longText,
    hugeNumber,
    deep,
    wrongType,
    fc.constantFrom(...pool.ids),
    fc.constantFrom(...pool.refs),
  );
}

/** A value for a schema: plausible three times in five, hostile otherwise (always plausible when clean). */
export function valueFor(
  schema: JsonSchema | undefined,
  pool: Pool,
  depth = 0,
  clean = false,
): fc.Arbitrary<unknown> {
  if (clean) return plausible(schema ?? {}, pool, depth, true);
  return fc.oneof(
    { weight: 3, arbitrary: plausible(schema ?? {}, pool, depth) },
    { weight: 2, arbitrary: hostile(pool) },
  );
}

function plausible(schema: JsonSchema, pool: Pool, depth: number, clean = false): fc.Arbitrary<unknown> {
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((s) => plausible(s, pool, depth, clean)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return fc.oneof(
        fc.constantFrom(...pool.ids),
        fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 100_000, 2 ** 31 - 1) }),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(valueFor(schema.items, pool, depth + 1, clean), { maxLength: 3 });
    case 'object':
      return depth > 3 ? fc.constant({}) : objectFor(schema, pool, depth + 1, clean);
    case 'string':
      return fc.oneof(
        fc.constantFrom(...pool.refs),
        fc.constantFrom(
          '+14155550100',
          '+18005550199',
          'sip:a@example.com',
          'https://example.com/x',
          'America/New_York',
        ),
        fc.string({ maxLength: Math.min(schema.maxLength ?? 30, 30) }),
      );
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  }
}

/** An object with some of the schema's properties (required ones usually present), sometimes an extra key. */
export function objectFor(
  schema: JsonSchema,
  pool: Pool,
  depth = 0,
  clean = false,
): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, s] of props) record[name] = valueFor(s, pool, depth, clean);
  const keys = props.map(([name]) => name).filter((n) => !required.has(n));
  return fc
    .tuple(
      props.length
        ? fc.record(record, { requiredKeys: [...required].filter((k) => k in record) })
        : fc.constant({}),
      fc.subarray(keys),
      clean
        ? fc.constant(null)
        : fc.option(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), nul), hostile(pool)), { freq: 5 }),
    )
    .map(([obj, keep, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) if (required.has(k) || keep.includes(k)) out[k] = v;
      if (extra) out[extra[0]] = extra[1];
      return out;
    });
}

/** A path segment: an existing id or reference (ours or another company's), or something hostile. */
export function pathValue(pool: Pool): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...pool.ids.map(String), ...pool.refs) },
    {
      weight: 2,
      arbitrary: fc.oneof(nul, numericText, oddText, fc.constantFrom('1e300', '2147483648', '-0')),
    },
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => '9'.repeat(n)) },
  );
}

/** Query and path values travel as text; objects as JSON, as a client that got it wrong would send them. */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}
