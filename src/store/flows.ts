import type { FlowConfig, InboundContext, MenuOptionConfig } from '../domain/flow.js';
import type { Prompt } from '../domain/prompt.js';
import type { Conn } from './db.js';

/** Loads what an incoming call to `to` needs; undefined when no live number matches. */
export async function loadInbound(db: Conn, to: string): Promise<InboundContext | undefined> {
  const n = await db
    .selectFrom('numbers')
    .selectAll()
    .where('number', '=', to)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!n) return undefined;
  const flow = await loadCampaignFlow(db, n.company_id, { id: n.campaign_id });
  if (!flow) return undefined;
  const affiliate = n.affiliate_id
    ? await db.selectFrom('affiliates').selectAll().where('id', '=', n.affiliate_id).executeTakeFirst()
    : undefined;
  if (n.greeting_overridden) {
    flow.greeting = await greetingPrompt(
      db,
      n.greeting_message,
      n.greeting_voice_gender,
      n.greeting_audio_id,
    );
    flow.repeat = n.repeat ?? flow.repeat;
  }
  if (n.menu_overridden) flow.menuOptions = await menuOptions(db, 'number', n.id);
  if (n.timers_overridden) flow.timers = await timers(db, 'number', n.id);
  const ownList = await db
    .selectFrom('routing_entries')
    .select('id')
    .where('owner_type', '=', 'number')
    .where('owner_id', '=', n.id)
    .executeTakeFirst();
  if (ownList) flow.routing = { owner: 'number', id: n.id };
  return {
    companyId: n.company_id,
    number: { id: n.id, number: n.number, sid: n.sid },
    affiliate: affiliate
      ? {
          id: affiliate.id,
          afid: affiliate.afid,
          name: [affiliate.first_name, affiliate.last_name].filter(Boolean).join(' ') || null,
        }
      : null,
    flow,
  };
}

/** A campaign's flow, by internal id or by cid (menu options chain to campaigns by cid). */
export async function loadCampaignFlow(
  db: Conn,
  companyId: number,
  ref: { id: number } | { cid: string },
): Promise<FlowConfig | undefined> {
  let q = db
    .selectFrom('campaigns')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null);
  q = 'id' in ref ? q.where('id', '=', ref.id) : q.where('cid', '=', ref.cid);
  const c = await q.executeTakeFirst();
  if (!c) return undefined;
  return {
    campaignId: c.id,
    cid: c.cid,
    campaignName: c.name,
    dedupeSeconds: c.dedupe_seconds,
    recordCalls: c.record_calls === 1,
    greeting: await greetingPrompt(db, c.greeting_message, c.greeting_voice_gender, c.greeting_audio_id),
    repeat: c.repeat,
    menuOptions: await menuOptions(db, 'campaign', c.id),
    timers: await timers(db, 'campaign', c.id),
    routing: { owner: 'campaign', id: c.id },
  };
}

async function menuOptions(
  db: Conn,
  owner: 'campaign' | 'number',
  ownerId: number,
): Promise<MenuOptionConfig[]> {
  const rows = await db
    .selectFrom('menu_options')
    .selectAll()
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    option: r.option,
    targetNumber: r.target_number,
    targetCid: r.target_cid,
  }));
}

async function timers(db: Conn, owner: 'campaign' | 'number', ownerId: number) {
  return db
    .selectFrom('timers')
    .select(['id', 'seconds', 'url'])
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .orderBy('id')
    .execute();
}

async function greetingPrompt(
  db: Conn,
  message: string | null,
  voice: string | null,
  audioId: number | null,
): Promise<Prompt | null> {
  if (audioId) {
    const audio = await db
      .selectFrom('audio_files')
      .select(['file_name', 'size'])
      .where('id', '=', audioId)
      .executeTakeFirst();
    // Length is estimated from size at 16 kB/s until the media engine reads real durations.
    if (audio)
      return {
        kind: 'audio',
        name: audio.file_name,
        audioId,
        durationS: Math.max(1, Math.round(audio.size / 16_000)),
      };
  }
  if (message?.trim()) return { kind: 'tts', text: message, voice: voice === 'Female' ? 'Female' : 'Male' };
  return null;
}
