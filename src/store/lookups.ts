import type { Conn } from './db.js';

/**
 * Subqueries that turn a customer's own ids (cid, afid) into our internal ids inside one company, for
 * list filters like `?cid=…&afid=…` (a deleted campaign's or affiliate's rows still match its id).
 */
export function campaignIdsByCid(conn: Conn, companyId: number, cid: string) {
  return conn.selectFrom('campaigns').select('id').where('company_id', '=', companyId).where('cid', '=', cid);
}

export function affiliateIdsByAfid(conn: Conn, companyId: number, afid: string) {
  return conn
    .selectFrom('affiliates')
    .select('id')
    .where('company_id', '=', companyId)
    .where('afid', '=', afid);
}

/** The company a live tracking number rings in (tracking numbers are unique system-wide), if any. */
export async function companyOfTrackingNumber(conn: Conn, number: string): Promise<number | undefined> {
  const row = await conn
    .selectFrom('numbers')
    .select('company_id')
    .where('number', '=', number)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.company_id;
}
