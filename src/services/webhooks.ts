import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { rotateWebhookSecret, webhookSecret } from '../delivery/signing.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { WebhookEvent, WebhooksTable } from '../store/schema-webhooks.js';
import type { CampaignRef, CampaignService } from './campaigns.js';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['call_started', 'call_connected', 'call_ended'];
const DEFAULT_EVENTS: WebhookEvent[] = ['call_ended'];
const MAX_URL = 2048;

/** A webhook as services and the engine see it: the row with its events parsed. */
export interface Webhook extends Omit<Selectable<WebhooksTable>, 'events'> {
  events: WebhookEvent[];
}

export interface WebhookInput {
  name?: string;
  url?: string;
  fallback_url?: string | null;
  events?: string[];
}

export interface WebhookSecret {
  secret: string;
  created_at: number;
}

type Columns = Partial<Pick<Selectable<WebhooksTable>, 'name' | 'url' | 'fallback_url' | 'events'>>;

/**
 * Campaign webhooks (the engine fires them: src/engine/webhooks.ts) and the company's signing secret.
 * Deletes are hard: a webhook has no history of its own (its firings are in `fired_pixels`).
 */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
  ) {}

  async list(companyId: number, campaign: CampaignRef, page: number): Promise<Page<Webhook>> {
    const { id } = await this.campaigns.find(companyId, campaign);
    const found = await fetchPage(
      this.db.selectFrom('webhooks').selectAll().where('campaign_id', '=', id).orderBy('id'),
      page,
    );
    return { ...found, rows: found.rows.map(toWebhook) };
  }

  async get(
    companyId: number,
    campaign: CampaignRef,
    webhookId: number,
    conn: Conn = this.db,
  ): Promise<Webhook> {
    const { id } = await this.campaigns.find(companyId, campaign, conn);
    const row = await conn
      .selectFrom('webhooks')
      .selectAll()
      .where('campaign_id', '=', id)
      .where('id', '=', webhookId)
      .executeTakeFirst();
    if (!row) throw new NotFound('Webhook');
    return toWebhook(row);
  }

  async create(companyId: number, campaign: CampaignRef, input: WebhookInput): Promise<Webhook> {
    const cols = columns(input, true);
    return this.db.transaction().execute(async (tx) => {
      const { id: campaignId } = await this.campaigns.find(companyId, campaign, tx);
      const now = this.clock.now();
      const { id } = await tx
        .insertInto('webhooks')
        .values({
          company_id: companyId,
          campaign_id: campaignId,
          name: cols.name!,
          url: cols.url!,
          fallback_url: cols.fallback_url ?? null,
          events: cols.events ?? JSON.stringify(DEFAULT_EVENTS),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return this.get(companyId, campaignId, id, tx);
    });
  }

  /** Changes only the attributes sent; `fallback_url: null` removes the fallback. */
  async update(
    companyId: number,
    campaign: CampaignRef,
    webhookId: number,
    input: WebhookInput,
  ): Promise<Webhook> {
    const cols = columns(input, false);
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, campaign, webhookId, tx);
      await tx
        .updateTable('webhooks')
        .set({ ...cols, updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .execute();
      return this.get(companyId, current.campaign_id, current.id, tx);
    });
  }

  async remove(companyId: number, campaign: CampaignRef, webhookId: number): Promise<Webhook> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, campaign, webhookId, tx);
      await tx.deleteFrom('webhooks').where('id', '=', current.id).execute();
      return current;
    });
  }

  /** A campaign's webhooks, for the call engine. */
  async forCampaign(campaignId: number, conn: Conn = this.db): Promise<Webhook[]> {
    const rows = await conn
      .selectFrom('webhooks')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  /** The company's signing secret, made on first use. */
  async secret(companyId: number): Promise<WebhookSecret> {
    await webhookSecret(this.db, companyId, this.clock.now());
    return this.secretRow(companyId);
  }

  /** A new signing secret; the old one signs nothing from now on (docs/webhooks.md). */
  async rotateSecret(companyId: number): Promise<WebhookSecret> {
    await rotateWebhookSecret(this.db, companyId, this.clock.now());
    return this.secretRow(companyId);
  }

  private async secretRow(companyId: number): Promise<WebhookSecret> {
    const row = await this.db
      .selectFrom('webhook_secrets')
      .select(['secret', 'created_at'])
      .where('company_id', '=', companyId)
      .executeTakeFirstOrThrow();
    return { secret: row.secret, created_at: Number(row.created_at) };
  }
}

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
  return { ...row, events: parseEvents(row.events) };
}

/** Only known events survive a damaged column, so the engine never fires for a made-up one. */
function parseEvents(text: string): WebhookEvent[] {
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((e): e is WebhookEvent => WEBHOOK_EVENTS.includes(e)) : [];
  } catch {
    return [];
  }
}

/** Validates the attributes sent and turns them into columns; every bad field is reported at once. */
function columns(input: WebhookInput, creating: boolean): Columns {
  const errors: FieldErrors = {};
  const fail = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  const cols: Columns = {};
  const name = input.name?.trim();
  if (name) cols.name = name;
  else if (creating || input.name !== undefined) fail('name', "can't be blank");
  const url = input.url?.trim();
  if (url) {
    const problem = urlProblem(url);
    if (problem) fail('url', problem);
    else cols.url = url;
  } else if (creating || input.url !== undefined) fail('url', "can't be blank");
  if (input.fallback_url !== undefined) {
    const fallback = input.fallback_url?.trim() || null;
    const problem = fallback === null ? null : urlProblem(fallback);
    if (problem) fail('fallback_url', problem);
    else cols.fallback_url = fallback;
  }
  if (input.events !== undefined) {
    const events = [...new Set(input.events.map((e) => e.trim()))];
    const unknown = events.filter((e) => !WEBHOOK_EVENTS.includes(e as WebhookEvent));
    if (!events.length) fail('events', "can't be empty");
    else if (unknown.length)
      fail('events', `has unknown events ${unknown.join(', ')}; known: ${WEBHOOK_EVENTS.join(', ')}`);
    else cols.events = JSON.stringify(WEBHOOK_EVENTS.filter((e) => events.includes(e)));
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return cols;
}

/**
 * Only absolute http(s) URLs. Whether the host may be reached is the delivery's SSRF guard's call, made
 * at send time (DNS answers change; an allow-list may too).
 */
function urlProblem(text: string): string | null {
  if (text.length > MAX_URL) return `is too long (at most ${MAX_URL} characters)`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (!u.hostname) return 'must name a host';
  return null;
}
