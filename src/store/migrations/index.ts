import type { Migration, MigrationProvider } from 'kysely';
import { coreMigration } from './0001_core.js';
import { callsMigration } from './0002_calls.js';
import { firedPixelsMigration } from './0003_fired_pixels.js';
import { columnKit, type Dialect } from './kit.js';

/** Migrations are code, listed here in order; names never change once released. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const kit = columnKit(dialect);
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_core': coreMigration(kit),
        '0002_calls': callsMigration(kit),
        '0003_fired_pixels': firedPixelsMigration(kit),
      };
    },
  };
}
