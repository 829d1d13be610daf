import type { Selectable } from 'kysely';
import type { Conn } from '../store/db.js';
import type { NumbersTable } from '../store/schema.js';
import { greetingState } from './campaigns.js';
import { type GreetingView, greetingView, loadAudio } from './greetings.js';
import { loadNested, type MenuOption, type Timer } from './nested.js';

type NumberRow = Selectable<NumbersTable>;

/**
 * A number as its representation shows it: each setting is the number's own override or, when it has
 * none, the campaign's, flagged `inherited`.
 */
import { type RoutingList, routingListsOf } from './routing-lists.js';

export interface NumberView {
  number: NumberRow;
  cid: string;
  afid: string | null;
  usesCampaignSettings: boolean;
  greeting: GreetingView;
  greetingInherited: boolean;
  repeat: number;
  timers: Timer[];
  timersInherited: boolean;
  menuOptions: MenuOption[];
  menuInherited: boolean;
  /** The number's own routing list, or the campaign's while it has none. */
  routing: RoutingList;
  routingInherited: boolean;
}

/** Views of many numbers with a fixed number of queries, whatever the page size. */
export async function numberViews(conn: Conn, rows: NumberRow[]): Promise<NumberView[]> {
  if (!rows.length) return [];
  const campaignIds = [...new Set(rows.map((r) => r.campaign_id))];
  const affiliateIds = [
    ...new Set(rows.map((r) => r.affiliate_id).filter((id): id is number => id !== null)),
  ];
  const [campaigns, affiliates, own, inherited] = await Promise.all([
    conn.selectFrom('campaigns').selectAll().where('id', 'in', campaignIds).execute(),
    affiliateIds.length
      ? conn.selectFrom('affiliates').select(['id', 'afid']).where('id', 'in', affiliateIds).execute()
      : Promise.resolve([]),
    loadNested(
      conn,
      'number',
      rows.map((r) => r.id),
    ),
    loadNested(conn, 'campaign', campaignIds),
  ]);
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));
  const afidById = new Map(affiliates.map((a) => [a.id, a.afid]));
  const audio = await loadAudio(conn, [
    ...rows.map((r) => r.greeting_audio_id),
    ...campaigns.map((c) => c.greeting_audio_id),
  ]);

  const ownRouting = await routingListsOf(
    conn,
    'number',
    rows.map((r) => r.id),
  );
  const campaignRouting = await routingListsOf(conn, 'campaign', campaignIds);
  return rows.map((n) => {
    const c = campaignById.get(n.campaign_id)!;
    const ownList = ownRouting.get(n.id)!;
    const routingOwn = ownList.target_ids.length + ownList.target_group_ids.length > 0;
    const mine = own.get(n.id)!;
    const theirs = inherited.get(n.campaign_id)!;
    const greetingOwn = n.greeting_overridden === 1;
    const ownState = {
      message: n.greeting_message,
      voice_gender: n.greeting_voice_gender ?? 'Male',
      audio_id: n.greeting_audio_id,
    };
    return {
      number: n,
      cid: c.cid,
      afid: n.affiliate_id !== null ? (afidById.get(n.affiliate_id) ?? null) : null,
      usesCampaignSettings: !greetingOwn && n.repeat === null && !n.timers_overridden && !n.menu_overridden,
      greeting: greetingView(greetingOwn ? ownState : greetingState(c), audio),
      greetingInherited: !greetingOwn,
      repeat: n.repeat ?? c.repeat,
      timers: n.timers_overridden ? mine.timers : theirs.timers,
      timersInherited: !n.timers_overridden,
      menuOptions: n.menu_overridden ? mine.menuOptions : theirs.menuOptions,
      menuInherited: !n.menu_overridden,
      routing: routingOwn ? ownList : campaignRouting.get(n.campaign_id)!,
      routingInherited: !routingOwn,
    };
  });
}
