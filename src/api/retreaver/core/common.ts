import { type Static, type TSchema, Type } from 'typebox';

/**
 * A scalar or null, as one `type: [x, "null"]` rather than anyOf: with type coercion on, Ajv would
 * coerce inside anyOf's first branch (null → "" or 0, or 0 → null).
 */
export const Nullable = <T extends TSchema>(t: T) => {
  const type = (t as { type?: unknown }).type;
  if (typeof type === 'string') return Type.Unsafe<Static<T> | null>({ ...t, type: [type, 'null'] });
  return Type.Union([t, Type.Null()]);
};

export const PageQuery = {
  api_key: Type.Optional(Type.String()),
  company_id: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
};

export const AuthQuery = Type.Object(
  { api_key: Type.Optional(Type.String()), company_id: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

export const ListQuery = Type.Object(PageQuery, { additionalProperties: true });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

/** Epoch milliseconds to Date, so JSON shows ISO 8601 and XML marks `type="datetime"`. */
export const time = (ms: number | null | undefined): Date | null =>
  ms === null || ms === undefined ? null : new Date(ms);

export const bool = (flag: number | null | undefined): boolean => flag === 1;

export const tags = (names: string[]) => ({ tags: names });
