import { randomUUID } from 'node:crypto';
import type { ConversionRule } from '../domain/conversions.js';
import { conversionReason, decideConversion } from '../domain/conversions.js';
import { expandMacros, type MacroFacts } from '../domain/macros.js';
import { saleTimerSchedule, type Timer, timersAtEnd, timersAtStart } from '../domain/timers.js';
import type { CallSession } from './session.js';

export interface PixelDeps {
  /** A campaign's conversion rules (the conversion-rules service, cached). */
  conversionRules: { forCampaign(campaignId: number): Promise<ConversionRule[]> };
}

/**
 * A call's timers (tracking pixels): clicks at the start, the highest sale timer reached once connected,
 * end timers at the end; each one a `fired_pixels` row and an outbox delivery written together, so a
 * pixel is never lost nor sent for something that did not happen. The call's cookie jar carries the
 * click's cookies to its later pixels, as the seed promises.
 */
export class CallPixels {
  private fired = new Set<number>();
  private cancelEarly: (() => void) | undefined;
  private connectedAt: number | null = null;
  private timerOffsetS = 0;

  constructor(
    private readonly s: CallSession,
    private readonly deps: PixelDeps,
    private readonly timers: Timer[],
  ) {}

  private get duplicate(): boolean {
    return this.s.record.row.duplicate === 1;
  }

  async atStart(): Promise<void> {
    for (const t of timersAtStart(this.timers, { duplicate: this.duplicate })) await this.fire(t);
  }

  /** The call was answered by a target with this offset: the top sale timer may fire before the end. */
  onConnected(timerOffsetS: number): void {
    this.connectedAt = this.s.now();
    this.timerOffsetS = timerOffsetS;
    const plan = saleTimerSchedule(this.timers, this.facts(null));
    if (!plan.early) return;
    const { timers, dueAt } = plan.early;
    this.cancelEarly = this.s.deps.clock.schedule(dueAt - this.s.now(), async () => {
      if (this.connectedAt === null || this.s.phase === 'ended') return;
      for (const t of timers) await this.fire(t);
    });
  }

  /**
   * A call closed after a restart: it was connected since `connectedAt`; sale timers that already
   * fired early (the record says so) are not fired again.
   */
  resume(connectedAt: number | null, saleTimerFired: boolean): void {
    this.connectedAt = connectedAt;
    if (saleTimerFired) for (const t of this.timers) if (t.seconds > 0) this.fired.add(t.id);
  }

  /** Live call return: the time with the returned handler does not count. */
  onReturned(): void {
    this.cancelEarly?.();
    this.connectedAt = null;
  }

  /** Disconnected from the target: sale timers are settled with the connected time it had. */
  async atEnd(): Promise<void> {
    this.cancelEarly?.();
    const end = this.s.now();
    const plan = saleTimerSchedule(this.timers, this.facts(end));
    for (const t of plan.atEnd) if (!this.fired.has(t.id)) await this.fire(t);
    for (const t of timersAtEnd(this.timers, { endedAt: end })) await this.fire(t);
    await this.decideConversion(end);
  }

  private facts(endedAt: number | null) {
    return {
      startedAt: this.s.record.row.start_time,
      connectedAt: this.connectedAt,
      endedAt,
      timerOffsetS: this.timerOffsetS,
      duplicate: this.duplicate,
    };
  }

  private async decideConversion(end: number): Promise<void> {
    const r = this.s.record.row;
    const rules = await this.deps.conversionRules.forCampaign(this.s.ctx.flow.campaignId);
    const connectedSeconds = this.connectedAt === null ? null : Math.floor((end - this.connectedAt) / 1000);
    const facts = {
      connectedSeconds,
      targetId: (r.target_id as number | null) ?? null,
      affiliateId: (r.affiliate_id as number | null) ?? null,
      timerOffsetS: this.timerOffsetS,
      payableDuplicate: this.duplicate,
      receivableDuplicate: this.duplicate,
    };
    const out = decideConversion(rules, facts);
    await this.s.save(
      {
        converted: out.converted ? 1 : 0,
        payable: out.payable ? 1 : 0,
        receivable: out.receivable ? 1 : 0,
        revenue: out.revenue,
        payout: out.payout,
        conversion_seconds: out.conversion_seconds,
        payable_duplicate: out.payable_duplicate ? 1 : 0,
        receivable_duplicate: out.receivable_duplicate ? 1 : 0,
        conversions_determined_at: end,
      },
      'conversion',
    );
    this.s.flow('conversion_decided', {
      ...out,
      connected_seconds: connectedSeconds,
      rules_considered: rules.length,
      reason: conversionReason(rules, facts, out),
    });
  }

  private async fire(t: Timer): Promise<void> {
    this.fired.add(t.id);
    const url = expandMacros(t.url, this.macroFacts());
    const now = this.s.now();
    const fireOrder = this.s.nextFireOrder();
    await this.s.deps.store.fire([
      {
        companyId: this.s.companyId,
        callUuid: this.s.uuid,
        url,
        webhookName: null,
        fireOrder,
        batchUuid: randomUUID(),
        at: now,
        delivery: {
          companyId: this.s.companyId,
          kind: 'pixel',
          url,
          callUuid: this.s.uuid,
          cookieJarKey: `call:${this.s.uuid}`,
        },
      },
    ]);
    // Queued for delivery; the delivery worker adds `delivered` or `failed` when it settles.
    this.s.flow('pixel', { status: 'fired', url, fire_order: fireOrder, timer_seconds: t.seconds });
    if (t.seconds > 0) await this.s.save({ network_sale_timer_fired: now }, 'pixel');
  }

  private macroFacts(): MacroFacts {
    const r = this.s.record.row;
    const end = this.s.now();
    return {
      campaignCid: (r.cid as string | null) ?? null,
      afid: (r.afid as string | null) ?? null,
      subId: (r.sid as string | null) ?? null,
      caller: this.s.caller,
      calledNumber: String(r.number),
      callDurationS: this.connectedAt === null ? 0 : Math.round((end - this.connectedAt) / 1000),
      callUuid: this.s.uuid,
      recordingUrl: (r.recording_url as string | null) ?? null,
      hasOffersCode: null,
      tags: this.s.tags,
    };
  }
}
