import type { EventBus, LiveEvent } from '../live/bus.js';
import type { Db } from '../store/db.js';

export interface CallFlowEvent {
  at: number;
  type: string;
  details: Record<string, unknown>;
}

/**
 * Leg statuses the engine publishes, as journey steps (outbound legs: dial attempts). A dial's start and
 * its ringing are the engine's own `call.flow` events (`dialled`, `ringing`): they name the target.
 */
const LEG_EVENT: Record<string, string> = {
  answered: 'answered',
  voicemail: 'answered',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  rejected: 'failed',
  cancelled: 'cancelled',
  ended: 'leg_ended',
};

/** Call steps the engine saves, as journey steps (others are bookkeeping). */
const STEP_EVENT: Record<string, string> = {
  screened: 'screened',
  ivr: 'greeting_played',
  menu: 'menu_choice',
  connected: 'connected',
  returned: 'returned',
  transfer: 'transferred',
  accepted: 'accepted',
};

/**
 * Records each call's journey from the engine's live events as it happens (docs/call-flow-events.md).
 * Appends are batched: events of one turn of the event loop go in one INSERT, so a busy engine costs
 * one statement per tick, not one per event. Reads wait for what is queued, so a call read right after
 * an event sees it.
 */
export class CallFlowRecorder {
  private pending: {
    company_id: number;
    call_uuid: string;
    seq: number;
    at: number;
    type: string;
    details: string;
  }[] = [];
  private readonly seqs = new Map<string, number>();
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private closed = false;

  constructor(private readonly db: Db) {}

  attach(bus: EventBus): () => void {
    return bus.subscribe((ev) => this.onEvent(ev));
  }

  /** Writes what is queued and records nothing more (the store is about to close). */
  async close(): Promise<void> {
    this.closed = true;
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }

  private onEvent(ev: LiveEvent): void {
    if (this.closed) return;
    const mapped = toFlowEvent(ev);
    if (!mapped) return;
    // Calls that never end here (a crash elsewhere) must not grow the map for ever.
    if (this.seqs.size > 100_000) this.seqs.clear();
    const seq = (this.seqs.get(ev.callUuid) ?? 0) + 1;
    this.seqs.set(ev.callUuid, seq);
    if (ev.type === 'call.ended') this.seqs.delete(ev.callUuid);
    this.pending.push({
      company_id: ev.companyId,
      call_uuid: ev.callUuid,
      seq,
      at: ev.at,
      type: mapped.type,
      details: JSON.stringify(mapped.details),
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flushing = this.flushing.then(() => this.flush());
      });
    }
  }

  private async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    if (!rows.length) return;
    try {
      await this.db.insertInto('call_flow_events').values(rows).execute();
    } catch (err) {
      // The journey is diagnostics: losing a batch must never disturb the calls themselves.
      console.error('call flow events lost', rows.length, err);
    }
  }

  /** The journeys of these calls, in order; waits for events still queued. */
  async of(companyId: number, uuids: string[]): Promise<Map<string, CallFlowEvent[]>> {
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
    const out = new Map<string, CallFlowEvent[]>(uuids.map((u) => [u, []]));
    if (!uuids.length) return out;
    const rows = await this.db
      .selectFrom('call_flow_events')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('call_uuid', 'in', uuids)
      // Time, then record order: the delivery worker's events (seq 0) land after the call's own.
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const r of rows)
      out.get(r.call_uuid)?.push({ at: Number(r.at), type: r.type, details: JSON.parse(r.details) });
    return out;
  }
}

function toFlowEvent(ev: LiveEvent): { type: string; details: Record<string, unknown> } | undefined {
  switch (ev.type) {
    case 'call.started':
      return { type: 'started', details: { caller: ev.caller, number: ev.number } };
    case 'call.flow':
      return { type: ev.event, details: bounded(ev.details as Record<string, unknown>) };
    case 'call.updated': {
      const type = STEP_EVENT[ev.step];
      return type ? { type, details: { status: ev.status } } : undefined;
    }
    case 'leg.updated': {
      if (ev.direction !== 'outbound') return undefined;
      const type = LEG_EVENT[ev.status];
      if (!type) return undefined;
      const details = { leg_id: ev.legId, to: ev.to, status: ev.status };
      return { type, details: ev.reason ? { ...details, reason: ev.reason } : details };
    }
    case 'call.ended':
      return {
        type: 'ended',
        details: { status: ev.status, hung_up_by: ev.hungUpBy, ...(ev.reason ? { reason: ev.reason } : {}) },
      };
  }
}

/** A routing list of thousands of targets is kept to its first MAX_CONSIDERED, with the count. */
export const MAX_CONSIDERED = 200;

function bounded(details: Record<string, unknown>): Record<string, unknown> {
  const considered = details.considered;
  if (!Array.isArray(considered) || considered.length <= MAX_CONSIDERED) return { ...details };
  return { ...details, considered: considered.slice(0, MAX_CONSIDERED), considered_total: considered.length };
}
