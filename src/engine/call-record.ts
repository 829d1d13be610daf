import type { CallPatch, CallRow, CallStore } from '../store/call-store.js';

export type { CallPatch, CallRow, LegPatch } from '../store/call-store.js';

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
