import { type TObject, type TProperties, type TSchema, Type } from 'typebox';

/**
 * Building blocks of response schemas, shared by every face (docs/openapi.md). A route declares what it
 * answers in `schema.response` with these; Fastify compiles each into that route's JSON serializer
 * (fast-json-stringify) and @fastify/swagger shows it in /openapi.json, so the document and the bytes
 * come from one definition. Such a serializer writes only the properties a schema names, in the
 * schema's order, and coerces values to the declared type: list fields in the presenter's order, and
 * make types exact. The test suite compares every answer with `JSON.stringify` of what the handler sent
 * (src/api/observe.ts), so a field a schema forgot or a type it got wrong fails a test instead of
 * vanishing from the wire.
 */

export const Int = Type.Integer();
export const Num = Type.Number();
export const Str = Type.String();
export const Bool = Type.Boolean();

/** A scalar or null, as `type: [x, "null"]` (fast-json-stringify and Ajv handle it without anyOf). */
export const Nullable = <T extends TSchema>(t: T) => {
  const type = (t as { type?: unknown }).type;
  if (typeof type === 'string') return Type.Unsafe<unknown>({ ...t, type: [type, 'null'] });
  return Type.Union([t, Type.Null()]);
};

export const NullInt = Nullable(Int);
export const NullNum = Nullable(Num);
export const NullStr = Nullable(Str);
export const NullBool = Nullable(Bool);

/** A Date (presenters' `time()`), written as ISO 8601. */
export const At = Type.Unsafe<string>({ type: 'string', format: 'date-time' });
/** …or null. */
export const Time = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });

/**
 * fast-json-stringify writes required properties first and optional ones after them, whatever the
 * schema's order. So that an optional field in the middle (V2's `recording_url`) keeps its place, every
 * field after the first optional one is declared optional too; the presenters still always send them.
 */
function inWireOrder<P extends TProperties>(props: P): P {
  let optional = false;
  const out: TProperties = {};
  for (const [k, v] of Object.entries(props)) {
    optional ||= Type.IsOptional(v);
    out[k] = optional && !Type.IsOptional(v) ? Type.Optional(v) : v;
  }
  return out as P;
}

/** An object whose fields are all listed: what presenters return. */
export const Closed = <P extends TProperties>(props: P, description?: string): TObject<P> =>
  Type.Object(inWireOrder(props), { additionalProperties: false, ...(description ? { description } : {}) });

/** An object with fields the schema cannot list (tags by key, event details): every one is written. */
export const Open = <P extends TProperties>(props: P, description?: string): TObject<P> =>
  Type.Object(inWireOrder(props), { additionalProperties: true, ...(description ? { description } : {}) });

/** Any JSON value, written as it is. */
export const Anything = Type.Unsafe<unknown>({});

/** A map of string values by key (`tags`). */
export const StringMap = Type.Record(Type.String(), Type.String());

/** One page of a list (25 items, `Link` and `X-Total-Count` headers). */
export const Page = <T extends TSchema>(item: T, what: string) =>
  Type.Array(item, { description: `One page of ${what} (25), with Link and X-Total-Count headers` });

/** `{ <root>: item }`: the Retreaver way of wrapping one resource. */
export const Wrapped = <K extends string, T extends TSchema>(root: K, item: T, description?: string) =>
  Closed({ [root]: item } as { [k in K]: T }, description);
