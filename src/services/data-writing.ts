import type { Clock } from '../clock.js';
import { Forbidden, NotFound, ValidationFailed } from '../domain/errors.js';
import { toE164 } from '../domain/phone.js';
import type { Db } from '../store/db.js';
import { addCallTags, storeTags, takeCallTags } from '../store/stored-tags.js';
import type { RtbService } from './rtb.js';

export interface DataWritingInput {
  key?: string;
  callerNumber?: string;
  callUuid?: string;
  tags: Record<string, string>;
}

/** Retreaver's answers: the call's uuid when a call was found, else the caller's number. */
export type DataWritingResult =
  | { tag_values: Record<string, string>; call_uuid: string; status: string }
  | { tag_values: Record<string, string>; caller_number: string; status: string };

export const STATUS = {
  applied: 'completed call found, tags applied',
  stored: 'call not found, tags stored',
  live: 'call in progress, tags stored',
} as const;

/** A caller's finished call is "found" this long after it started (docs/compat.md "Data Writing API"). */
export const FINISHED_CALL_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Retreaver's Call Data Writing API: a publisher tags a caller's call before, during or after it, with a
 * postback key of the call's campaign (the same keys, and key cache, as RTB pings).
 */
export class DataWritingService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly rtb: RtbService,
  ) {}

  async write(input: DataWritingInput): Promise<DataWritingResult> {
    const key = await this.rtb.keyFor(input.key);
    if (key.paused === 1) throw new Forbidden('Forbidden: postback key is paused');
    const callUuid = input.callUuid?.trim() || undefined;
    const rawCaller = input.callerNumber?.trim() || undefined;
    if (!callUuid && !rawCaller) {
      const why = "can't be blank: give caller_number or call_uuid";
      throw new ValidationFailed({ caller_number: [why], call_uuid: [why] });
    }
    const caller = rawCaller ? toE164(rawCaller) : undefined;
    if (rawCaller && !caller) throw ValidationFailed.field('caller_number', 'is not a valid phone number');
    const tags = key.tag_prefix
      ? Object.fromEntries(Object.entries(input.tags).map(([k, v]) => [`${key.tag_prefix}${k}`, v]))
      : input.tags;
    const now = this.clock.now();
    const call = await this.findCall(key, callUuid, caller, now);
    if (!call) {
      if (callUuid) throw new NotFound('Call');
      await storeTags(this.db, {
        companyId: key.company_id,
        campaignId: key.campaign_id,
        postbackKeyId: key.id,
        callerNumber: caller!,
        callUuid: null,
        tags,
        now,
        expiresAt: now + key.reservation_seconds * 1000,
      });
      return { tag_values: tags, caller_number: caller!, status: STATUS.stored };
    }
    if (call.status !== 'in-progress') {
      await addCallTags(this.db, call.uuid, tags);
      return { tag_values: tags, call_uuid: call.uuid, status: STATUS.applied };
    }
    await storeTags(this.db, {
      companyId: key.company_id,
      campaignId: key.campaign_id,
      postbackKeyId: key.id,
      callerNumber: caller ?? null,
      callUuid: call.uuid,
      tags,
      now,
      expiresAt: null,
    });
    // The call may have ended between the two reads; then its end already took what it found, so take
    // what is left here (each stored row is taken once, by whichever side gets there first).
    const after = await this.db
      .selectFrom('calls')
      .select('status')
      .where('uuid', '=', call.uuid)
      .executeTakeFirst();
    if (after && after.status !== 'in-progress') {
      await addCallTags(this.db, call.uuid, await takeCallTags(this.db, call.uuid, now));
      return { tag_values: tags, call_uuid: call.uuid, status: STATUS.applied };
    }
    return { tag_values: tags, call_uuid: call.uuid, status: STATUS.live };
  }

  /** By uuid: the key's campaign's call. By caller: a live call, else the latest one in the window. */
  private async findCall(
    key: { company_id: number; campaign_id: number },
    callUuid: string | undefined,
    caller: string | undefined,
    now: number,
  ) {
    let q = this.db
      .selectFrom('calls')
      .select(['uuid', 'status'])
      .where('company_id', '=', key.company_id)
      .where('campaign_id', '=', key.campaign_id);
    if (callUuid) return q.where('uuid', '=', callUuid).executeTakeFirst();
    q = q.where('caller', '=', caller!).where('start_time', '>', now - FINISHED_CALL_WINDOW_MS);
    const live = await q.where('status', '=', 'in-progress').orderBy('start_time', 'desc').executeTakeFirst();
    return live ?? (await q.orderBy('start_time', 'desc').orderBy('id', 'desc').executeTakeFirst());
  }
}
