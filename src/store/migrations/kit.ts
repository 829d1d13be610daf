import type { ColumnDataType, ColumnDefinitionBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** The few column types that differ between the two engines. */
export interface ColumnKit {
  id: ColumnDataType;
  blob: ColumnDataType;
  pk: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export function columnKit(dialect: Dialect): ColumnKit {
  return dialect === 'sqlite'
    ? { id: 'integer', blob: 'blob', pk: (c) => c.primaryKey().autoIncrement() }
    : { id: 'serial', blob: 'bytea', pk: (c) => c.primaryKey() };
}
