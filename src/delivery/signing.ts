import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Conn } from '../store/db.js';

/**
 * Webhook signatures: `v1=` + hex HMAC-SHA256 of `<unix seconds>.<body>` with the company's secret.
 * The timestamp is inside the signed text so a captured request can't be replayed later with a new one.
 */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** What a receiver does (docs/webhooks.md); kept here so tests check the documented recipe. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The company's webhook secret, made (32 random bytes, hex) on first use. */
export async function webhookSecret(conn: Conn, companyId: number, now: number): Promise<string> {
  const found = await conn
    .selectFrom('webhook_secrets')
    .select('secret')
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  if (found) return found.secret;
  // Two first uses at once: the loser's insert does nothing and both read the winner's secret.
  await conn
    .insertInto('webhook_secrets')
    .values({ company_id: companyId, secret: randomBytes(32).toString('hex'), created_at: now })
    .onConflict((oc) => oc.column('company_id').doNothing())
    .execute();
  const row = await conn
    .selectFrom('webhook_secrets')
    .select('secret')
    .where('company_id', '=', companyId)
    .executeTakeFirstOrThrow();
  return row.secret;
}

/**
 * Replaces the company's webhook secret. The worker reads the secret for every attempt, so from the
 * commit on nothing is signed with the old one (retries included); there is no overlap period.
 */
export async function rotateWebhookSecret(conn: Conn, companyId: number, now: number): Promise<string> {
  const secret = randomBytes(32).toString('hex');
  await conn
    .insertInto('webhook_secrets')
    .values({ company_id: companyId, secret, created_at: now })
    .onConflict((oc) => oc.column('company_id').doUpdateSet({ secret, created_at: now }))
    .execute();
  return secret;
}
