import type { Kysely } from 'kysely';

/** Dynamic buyers: a target numbered `[inbound_number]` asks this URL for its number at call time. */
export function dynamicBuyersMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('targets').addColumn('ping_url', 'text').execute();
    },
  };
}
