import { secondsBetween } from './call-durations.js';
import { DomainError } from './errors.js';

/**
 * Rules of the CCAI face's calls: the call types, the documented refusals word for word (the seed spells
 * them differently per call type, and each is kept as written), and what a call's status, reasons and
 * durations are, read from what the engine recorded. Pure: no I/O.
 */

/** A documented refusal of `POST /apps/api/v1/calls`: 400 with exactly this message. */
export class CallRequestRefused extends DomainError {
  readonly code = 'call_request_refused';
}

export type CallKind = 'outbound' | 'incoming' | 'scheduled';

/** Accepted `call_type` values; the deprecated names are stored and shown as their current ones. */
export const CALL_TYPES: Record<string, CallKind> = {
  'Voice Outbound (API)': 'outbound',
  OutboundCall: 'outbound',
  'Voice Inbound (API)': 'incoming',
  IncomingCall: 'incoming',
  'Voice Scheduled (API)': 'scheduled',
  ScheduledCall: 'scheduled',
};

export const CALL_TYPE_NAMES = {
  outbound: 'Voice Outbound (API)',
  incoming: 'Voice Inbound (API)',
  scheduled: 'Voice Scheduled (API)',
} as const satisfies Record<CallKind, string>;

/** The seed's messages, verbatim. Where two call types spell one differently, both spellings are here. */
export const REFUSALS = {
  invalidCallType: 'Invalid call type',
  agentEmailRequired: 'Agent email required',
  notAgentEmail: 'Not a valid agent email',
  noCallAccess: 'Agent does not have access to make calls',
  agentUnavailable: 'Agent is not available to take this call',
  ticketOrNumberRequired: 'ticket_id or end_user_number required',
  contactNotFound: 'Contact not found',
  /** Outbound calls write it with a hyphen… */
  outboundNumberMalformed: 'end_user_number is not well-formed',
  /** …incoming and scheduled calls without. */
  numberMalformed: 'end_user_number is not well formed',
  numberRequired: 'end_user_number is required',
  menuRequired: 'menu_id is required',
  menuMalformed: 'menu_id is not well formed',
  menuNotFound: (id: string | number) => `menu_id ${id} is not found`,
  incomingMenuType: 'Only IVR and mobile menu IDs are permitted',
  scheduledMenuType: 'Only mobile and web menu IDs are permitted',
  manualRedirection: "Menu is in 'manual redirection' state, can't accept calls",
  afterHours: "Menu is in 'after hours' state, can't accept incoming calls",
  languageNotAvailable: (lang: string) => `Language '${lang}' is not available`,
  languageNotFound: (lang: string) => `Language '${lang}' is not found`,
  scheduledAtRequired: 'scheduled_at is required',
  // Not in the seed (docs/ccai.md): the parameter table asks for "a valid future time".
  scheduledAtInvalid: 'scheduled_at must be a valid future time in ISO 8601 format',
  callNotFound: (id: string | number) => `call_id ${id} is not found`,
  callMalformed: 'call_id is not well formed',
  recordingPermission: 'recording_permission is not valid',
  noOutboundNumber: 'No outbound number is configured',
} as const;

/** Menu types each call type may be attributed to, as the error messages name them. */
export const MENU_TYPES_FOR: Record<'incoming' | 'scheduled', readonly string[]> = {
  incoming: ['ivr_menu', 'mobile_menu'],
  scheduled: ['mobile_menu', 'web_menu'],
};

export const RECORDING_PERMISSIONS = [
  'recording_permission_not_asked',
  'recording_permission_denied',
  'recording_permission_granted',
] as const;

/** ISO 8601 with a date and a time (and a zone, or UTC): what `scheduled_at` must be. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** `scheduled_at` as epoch ms, or undefined when it is not ISO 8601 or not after `now`. */
export function futureInstant(raw: unknown, now: number): number | undefined {
  if (typeof raw !== 'string' || !ISO_8601.test(raw.trim())) return undefined;
  const at = Date.parse(raw.trim());
  return Number.isFinite(at) && at > now ? at : undefined;
}

/** A menu id as JSON sends it: an integer, or a string of digits. */
export function menuIdOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : undefined;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim())) {
    const n = Number(raw.trim());
    return n > 0 ? n : undefined;
  }
  return undefined;
}

// ---- what happened: status, reasons, durations ----

/** One leg of the engine's call, as recorded. */
export interface LegFacts {
  status: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  hung_up_by: string | null;
  end_reason: string | null;
}

export interface CallFacts {
  kind: CallKind;
  createdAt: number;
  placedAt: number | null;
  scheduledAt: number | null;
  cancelledAt: number | null;
  /** Why the call could not even be placed (no agent to offer it to at its time). */
  unplacedReason: string | null;
  /** Its menu deflected it when its time came (a scheduled call): after hours, or manual redirection. */
  deflection: string | null;
  /** A callback of a call that had failed: finishing makes it `recovered`. */
  recovers: boolean;
  /** The engine's record, once placed. */
  record: {
    connected_time: number | null;
    end_time: number | null;
    hung_up_by: string | null;
    end_reason: string | null;
  } | null;
  /** Agents' legs (leg A's offers) in the order they were dialed. */
  agentLegs: LegFacts[];
  endUserLeg: LegFacts | null;
  now: number;
}

export interface CallState {
  status:
    | 'scheduled'
    | 'cancelled'
    | 'deflected'
    | 'queued'
    | 'assigned'
    | 'connecting'
    | 'connected'
    | 'finished'
    | 'recovered'
    | 'failed';
  queued_at: number | null;
  assigned_at: number | null;
  connected_at: number | null;
  ends_at: number | null;
  wait_duration: number;
  call_duration: number;
  fail_reason: string;
  fail_details: string | null;
  disconnected_by: string;
}

/** A leg's outcome as a CCAI fail reason of that side (`agent_…` / `end_user_…`). */
function legFailure(leg: LegFacts): string {
  switch (leg.status) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no_answer';
    case 'rejected':
      return 'rejected';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'unreachable';
  }
}

const answered = (l: LegFacts) => l.answered_at !== null;

/**
 * The call's status and times from what the engine recorded (docs/ccai.md "Statuses"): outbound calls
 * are assigned from the start (their agent is known) and queued calls once an agent picks up; both are
 * connecting while the end user rings, connected once bridged, then finished — or failed when the two
 * were never connected, with the side and the reason that kept them apart.
 */
export function callState(f: CallFacts): CallState {
  // A deflected call was turned away by its menu: it never joined the queue.
  const queuedAt = f.kind === 'outbound' || f.deflection ? null : f.placedAt;
  const agentLeg = f.agentLegs.find(answered) ?? null;
  const assignedAt = f.kind === 'outbound' ? f.placedAt : (agentLeg?.answered_at ?? null);
  const connectedAt = f.record?.connected_time ?? null;
  const unplaced = f.unplacedReason !== null || f.deflection !== null;
  const endsAt = f.record?.end_time ?? (unplaced ? f.placedAt : null) ?? f.cancelledAt;
  const base = {
    queued_at: queuedAt,
    assigned_at: assignedAt,
    connected_at: connectedAt,
    ends_at: endsAt,
    wait_duration: f.placedAt === null ? 0 : secondsBetween(f.placedAt, connectedAt ?? endsAt ?? f.now),
    call_duration: connectedAt === null ? 0 : secondsBetween(connectedAt, endsAt ?? f.now),
    fail_reason: 'nothing',
    fail_details: null,
    disconnected_by: 'disconnected_by_unknown',
  };
  if (f.cancelledAt !== null) return { ...base, status: 'cancelled' };
  if (f.deflection) return { ...base, status: 'deflected' };
  if (f.unplacedReason) return { ...base, status: 'failed', fail_reason: f.unplacedReason };
  if (!f.record) return { ...base, status: 'scheduled' };
  const ended = f.record.end_time !== null;
  const by = disconnectedBy(f.record.hung_up_by, connectedAt !== null);
  if (connectedAt !== null) {
    if (ended) return { ...base, status: f.recovers ? 'recovered' : 'finished', disconnected_by: by };
    return { ...base, status: 'connected' };
  }
  if (!ended) {
    if (agentLeg && f.endUserLeg) return { ...base, status: 'connecting' };
    if (agentLeg || f.kind === 'outbound') return { ...base, status: 'assigned' };
    return { ...base, status: 'queued' };
  }
  return { ...base, status: 'failed', ...failure(f, agentLeg), disconnected_by: by };
}

function failure(f: CallFacts, agentLeg: LegFacts | null): Pick<CallState, 'fail_reason' | 'fail_details'> {
  const details = f.record?.end_reason ?? null;
  if (!agentLeg) {
    const last = f.agentLegs.at(-1);
    if (!last) return { fail_reason: 'no_available_agent', fail_details: details };
    return { fail_reason: `agent_${legFailure(last)}`, fail_details: last.end_reason ?? details };
  }
  const eu = f.endUserLeg;
  if (!eu || eu.status === 'cancelled') {
    // The agent hung up before the end user answered.
    return { fail_reason: 'agent_hung_up', fail_details: details };
  }
  if (answered(eu)) return { fail_reason: 'bridge_failed', fail_details: details };
  return { fail_reason: `end_user_${legFailure(eu)}`, fail_details: eu.end_reason ?? details };
}

/**
 * The engine's `hung_up_by` on a placed call. Until the two are bridged the agent's leg plays the
 * caller's part (`caller`); once bridged the parts swap (the agent handles the call, so it can transfer
 * the end user): `caller` is then the end user and `target` the agent.
 */
export function disconnectedBy(hungUpBy: string | null, bridged: boolean): string {
  const agent = bridged ? 'target' : 'caller';
  if (hungUpBy === agent) return 'disconnected_by_agent';
  if (hungUpBy === 'caller' || hungUpBy === 'target') return 'disconnected_by_end_user';
  if (hungUpBy === 'system') return 'disconnected_by_system';
  return 'disconnected_by_unknown';
}

export interface ParticipantState {
  status: 'waiting' | 'connected' | 'finished' | 'failed';
  connected_at: number | null;
  ended_at: number | null;
  call_duration: number | null;
  hold_duration: number | null;
  fail_reason: string;
}

/** A period on hold: open (`ended_at` null) while the hold lasts, or until its leg or call ended. */
export interface HoldPeriod {
  started_at: number;
  ended_at: number | null;
}

/**
 * Seconds on hold: the union of the periods (two parties held at once count once), an open period
 * running to `end`.
 */
export function holdSeconds(periods: HoldPeriod[], end: number): number {
  const spans = periods
    .map((p) => [p.started_at, Math.min(p.ended_at ?? end, end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let open: [number, number] | null = null;
  for (const [a, b] of spans) {
    if (open && a <= open[1]) open[1] = Math.max(open[1], b);
    else {
      if (open) total += open[1] - open[0];
      open = [a, b];
    }
  }
  if (open) total += open[1] - open[0];
  return Math.round(total / 1000);
}

/** A participant from its leg: waiting until it answers (or while it was never dialed). */
export function participantState(
  leg: LegFacts | null,
  now: number,
  holds: HoldPeriod[] = [],
): ParticipantState {
  if (!leg || (leg.answered_at === null && leg.ended_at === null))
    return {
      status: 'waiting',
      connected_at: null,
      ended_at: null,
      call_duration: null,
      hold_duration: null,
      fail_reason: 'nothing',
    };
  if (leg.answered_at === null)
    return {
      status: 'failed',
      connected_at: null,
      ended_at: leg.ended_at,
      call_duration: null,
      hold_duration: null,
      fail_reason: legFailure(leg),
    };
  return {
    status: leg.ended_at === null ? 'connected' : 'finished',
    connected_at: leg.answered_at,
    ended_at: leg.ended_at,
    call_duration: secondsBetween(leg.answered_at, leg.ended_at ?? now),
    hold_duration: holdSeconds(holds, leg.ended_at ?? now),
    fail_reason: 'nothing',
  };
}

/** Offers as CCAI shows them: one event per group of agents rung together, numbered from 1. */
export function offerEvents(agentLegs: LegFacts[]): { casting_time: number; group: string }[] {
  const times = [...new Set(agentLegs.map((l) => l.started_at))].sort((a, b) => a - b);
  return times.map((t, i) => ({ casting_time: t, group: `Group ${i + 1}` }));
}

// ---- transfers ----

export type TransferStatus = 'transferring' | 'transferred' | 'cancelled' | 'failed';
export type TransferState = { status: TransferStatus; fail_reason: string };

/** An engine transfer of the call, as recorded (`call_transfers`), with the transferee's leg. */
export interface TransferFacts {
  /** The engine's status: dialing, answered, conferenced, stopped, failed, ended. */
  status: string;
  /** Whether the one who asked for the transfer has left the call (the transferee then has it). */
  transferorGone: boolean;
  leg: LegFacts | null;
}

/**
 * A transfer as CCAI shows it: `transferring` while the transferee rings or talks with the one who
 * transferred, `transferred` once the transferee has the call, `cancelled` when it was stopped, `failed`
 * with the transferee's reason when nobody answered.
 */
export function transferState(t: TransferFacts): TransferState {
  switch (t.status) {
    case 'stopped':
      return { status: 'cancelled', fail_reason: 'nothing' };
    case 'failed':
      return { status: 'failed', fail_reason: t.leg ? legFailure(t.leg) : 'unreachable' };
    case 'ended':
      return { status: 'transferred', fail_reason: 'nothing' };
    case 'answered':
    case 'conferenced':
      return { status: t.transferorGone ? 'transferred' : 'transferring', fail_reason: 'nothing' };
    default:
      return { status: 'transferring', fail_reason: 'nothing' };
  }
}
