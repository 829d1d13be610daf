import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '../store/schema-webhooks.js';
import type { CallRow } from './call-record.js';
import type { CallSession } from './session.js';

/** A campaign webhook as the engine needs it. */
export interface CampaignWebhook {
  name: string;
  url: string;
  fallback_url: string | null;
  events: readonly string[];
}

export interface WebhookDeps {
  /** A campaign's webhooks (the webhooks service), read at each event. */
  webhooks: { forCampaign(campaignId: number): Promise<CampaignWebhook[]> };
}

/**
 * A call's campaign webhooks: at each event, every webhook subscribed to it gets a `fired_pixels` row
 * (named after the webhook) and a signed outbox delivery, written in one transaction like timer pixels,
 * so an event is never lost nor sent for a call state that did not commit. The campaign's webhooks are
 * read at each event, so an edit applies from the next event of calls already under way.
 */
export class CallWebhooks {
  constructor(
    private readonly s: CallSession,
    private readonly deps: WebhookDeps,
  ) {}

  async fire(event: WebhookEvent): Promise<void> {
    const all = await this.deps.webhooks.forCampaign(this.s.ctx.flow.campaignId);
    const hooks = all.filter((w) => w.events.includes(event));
    if (!hooks.length) return;
    const now = this.s.now();
    // One body for every webhook of the event: the same facts, whoever receives them.
    const body = JSON.stringify(webhookBody(event, now, this.s.record.row));
    const batch = randomUUID();
    const fired = hooks.map((w) => ({ w, fireOrder: this.s.nextFireOrder() }));
    await this.s.deps.store.fire(
      fired.map(({ w, fireOrder }) => ({
        companyId: this.s.companyId,
        callUuid: this.s.uuid,
        url: w.url,
        webhookName: w.name,
        fireOrder,
        batchUuid: batch,
        at: now,
        delivery: {
          companyId: this.s.companyId,
          kind: 'webhook' as const,
          url: w.url,
          fallbackUrl: w.fallback_url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          callUuid: this.s.uuid,
        },
      })),
    );
    // Queued for delivery; the delivery worker adds `delivered` or `failed` when each settles.
    for (const { w, fireOrder } of fired)
      this.s.flow('webhook', { status: 'fired', name: w.name, event, url: w.url, fire_order: fireOrder });
  }
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const flag = (v: number | null | undefined) => v === 1;

function parsed<T>(text: string | null | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The JSON a webhook carries (documented in docs/webhooks.md): the call record as the engine holds it,
 * in plain domain terms (ISO times, booleans, parsed lists), not the Retreaver presenter, so it does not
 * change when an API face does.
 */
export function webhookBody(event: WebhookEvent, at: number, r: CallRow) {
  return {
    event,
    occurred_at: iso(at),
    call: {
      uuid: r.uuid,
      caller: r.caller,
      caller_number_sent: r.caller_number_sent ?? null,
      caller_city: r.caller_city ?? null,
      caller_state: r.caller_state ?? null,
      caller_zip: r.caller_zip ?? null,
      caller_country: r.caller_country ?? null,
      number: r.number,
      cid: r.cid ?? null,
      campaign_name: r.campaign_name ?? null,
      afid: r.afid ?? null,
      affiliate_name: r.affiliate_name ?? null,
      sid: r.sid ?? null,
      status: r.status,
      start_time: iso(r.start_time),
      forwarded_time: iso(r.forwarded_time),
      connected_time: iso(r.connected_time),
      end_time: iso(r.end_time),
      total_duration: r.total_duration ?? 0,
      ivr_duration: r.ivr_duration ?? 0,
      hold_duration: r.hold_duration ?? 0,
      dialed_call_duration: r.dialed_call_duration ?? 0,
      time_to_connect_in_seconds: r.time_to_connect_in_seconds ?? null,
      hung_up_by: r.hung_up_by ?? null,
      keys_pressed: parsed<string[]>(r.keys_pressed, []),
      tags: parsed<Record<string, string>>(r.tags, {}),
      target_id: r.target_id ?? null,
      tid: r.tid ?? null,
      target_name: r.target_name ?? null,
      target_group_id: r.target_group_id ?? null,
      target_group_name: r.target_group_name ?? null,
      dialed_number: r.dialed_number ?? null,
      connected: flag(r.connected),
      repeat: flag(r.repeat),
      duplicate: flag(r.duplicate),
      converted: flag(r.converted),
      payable: flag(r.payable),
      receivable: flag(r.receivable),
      revenue: r.revenue ?? null,
      payout: r.payout ?? null,
      conversion_seconds: r.conversion_seconds ?? null,
      billable_minutes: r.billable_minutes ?? 0,
      charge_total: r.charge_total ?? 0,
      recording_url: r.recording_url ?? null,
    },
  };
}
