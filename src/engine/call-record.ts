import type { CallPatch, CallRow, CallStore } from '../store/call-store.js';

export type { CallPatch, CallRow, LegPatch } from '../store/call-store.js';

/** What a call's record says when it starts: nothing measured, billed or decided yet. */
export function startingCallRow(
  origin: Pick<CallRow, 'uuid' | 'company_id' | 'caller' | 'number' | 'via' | 'owner_process'> &
    Partial<CallRow>,
  now: number,
): CallRow {
  return {
    status: 'in-progress',
    caller_number_sent: null,
    caller_zip: null,
    caller_state: null,
    caller_city: null,
    caller_country: null,
    number_id: null,
    campaign_id: null,
    cid: null,
    campaign_name: null,
    affiliate_id: null,
    afid: null,
    affiliate_name: null,
    sid: null,
    start_time: now,
    ivr_duration: 0,
    hold_duration: 0,
    dialed_call_duration: 0,
    total_duration: 0,
    keys_pressed: '[]',
    tags: '{}',
    repeat: 0,
    affiliate_repeat: 0,
    number_repeat: 0,
    duplicate: 0,
    payable_duplicate: 0,
    receivable_duplicate: 0,
    connected: 0,
    billable_minutes: 0,
    charge_total: 0,
    converted: 0,
    payable: 0,
    receivable: 0,
    rescued: 0,
    downstream_call_uuids: '[]',
    created_at: now,
    updated_at: now,
    end_reason: null,
    ...origin,
  };
}

/**
 * The call's record, written ahead: inserted when the call arrives and updated on each transition, so a
 * crash loses no call. Holds the latest values so the engine can compute durations from them.
 */
export class CallRecord {
  private constructor(
    private readonly store: CallStore,
    readonly row: CallRow,
  ) {}

  static async create(store: CallStore, row: CallRow): Promise<CallRecord> {
    await store.createCall(row);
    return new CallRecord(store, row);
  }

  /** A record already in the store (a call a stopped process left live, closed after a restart). */
  static existing(store: CallStore, row: CallRow): CallRecord {
    return new CallRecord(store, row);
  }

  get uuid(): string {
    return this.row.uuid;
  }

  async save(patch: CallPatch, now: number): Promise<void> {
    Object.assign(this.row, patch, { updated_at: now });
    await this.store.saveCall(this.row.uuid, { ...patch, updated_at: now });
  }
}
