import { type Kysely, sql } from 'kysely';

/**
 * A pool's numbers in id order: an RTB ping takes the first free number after the one handed out
 * last (`number_pool_id = ? AND id > ? ORDER BY id LIMIT 1`). With only `numbers_pool`, PostgreSQL
 * read the whole pool and sorted it whenever its statistics were thin (a pool filled since the last
 * ANALYZE): 600 ms per ping for a pool of 7,000 numbers. This index hands out the numbers in order,
 * so the search stops at the first free one. Live numbers only, as every pool lookup reads (deleted ones
 * keep their pool id). `numbers_pool` stays for the lookups that count deleted numbers too.
 */
export function numbersPoolOrderMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('numbers_pool_order')
        .on('numbers')
        .columns(['number_pool_id', 'id'])
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('numbers_pool_order').execute();
    },
  };
}
