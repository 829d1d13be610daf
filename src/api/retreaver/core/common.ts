import { type TSchema, Type } from 'typebox';

/** Schema pieces shared by the Core API resources. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

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
export const time = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));

export const bool = (flag: number | null | undefined): boolean => flag === 1;

export const tags = (names: string[]) => ({ tags: names });
