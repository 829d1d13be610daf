import type { Conn } from './db.js';

/**
 * Data Writing tags waiting for a call (by caller) or for the next moment a live call reads its tags (by
 * call uuid). Taking them is one conditional UPDATE … RETURNING, so each row is applied exactly once
 * even when the engine and a request race for it.
 */
export async function storeTags(
  db: Conn,
  row: {
    companyId: number;
    campaignId: number;
    postbackKeyId: number;
    callerNumber: string | null;
    callUuid: string | null;
    tags: Record<string, string>;
    now: number;
    expiresAt: number | null;
  },
): Promise<void> {
  await db
    .insertInto('stored_tags')
    .values({
      company_id: row.companyId,
      campaign_id: row.campaignId,
      postback_key_id: row.postbackKeyId,
      caller_number: row.callerNumber,
      call_uuid: row.callUuid,
      tags: JSON.stringify(row.tags),
      created_at: row.now,
      expires_at: row.expiresAt,
      applied_at: null,
    })
    .execute();
}

/** Tags stored for this caller on the campaign (unexpired, unapplied): now the call's, oldest first. */
export async function takeCallerTags(
  db: Conn,
  p: { companyId: number; campaignId: number; caller: string; callUuid: string; now: number },
): Promise<Record<string, string>> {
  const rows = await db
    .updateTable('stored_tags')
    .set({ applied_at: p.now, call_uuid: p.callUuid })
    .where('company_id', '=', p.companyId)
    .where('campaign_id', '=', p.campaignId)
    .where('caller_number', '=', p.caller)
    .where('call_uuid', 'is', null)
    .where('applied_at', 'is', null)
    .where('expires_at', '>', p.now)
    .returning(['id', 'tags'])
    .execute();
  return merged(rows);
}

/** Tags stored for a live call since it last looked: applied now, oldest first. */
export async function takeCallTags(db: Conn, callUuid: string, now: number): Promise<Record<string, string>> {
  const rows = await db
    .updateTable('stored_tags')
    .set({ applied_at: now })
    .where('call_uuid', '=', callUuid)
    .where('applied_at', 'is', null)
    .returning(['id', 'tags'])
    .execute();
  return merged(rows);
}

/** Adds tags to a finished call's record (later values win). */
export async function addCallTags(db: Conn, callUuid: string, tags: Record<string, string>): Promise<void> {
  if (!Object.keys(tags).length) return;
  const row = await db.selectFrom('calls').select('tags').where('uuid', '=', callUuid).executeTakeFirst();
  if (!row) return;
  let current: Record<string, string> = {};
  try {
    current = JSON.parse(row.tags) as Record<string, string>;
  } catch {
    // A damaged value is replaced rather than blocking the write.
  }
  await db
    .updateTable('calls')
    .set({ tags: JSON.stringify({ ...current, ...tags }) })
    .where('uuid', '=', callUuid)
    .execute();
}

function merged(rows: { id: number; tags: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of [...rows].sort((a, b) => a.id - b.id)) Object.assign(out, JSON.parse(r.tags));
  return out;
}
