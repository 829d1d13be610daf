import { offerEvents } from '../../domain/ccai-calls.js';
import { internationalFormat } from '../../domain/phone.js';
import type { CallView } from '../../services/ccai-call-views.js';
import { iso, presentAgentInfo, presentMenuPath, presentSelectedMenu } from './present.js';

/** `recording_permission` as the call object shows it: the request's value without its prefix. */
const permission = (stored: string) => stored.replace(/^recording_permission_/, '');

/**
 * The call object exactly as the seed documents it, every field filled from what happened. Fields this
 * platform has nothing for (rating, photos, videos, voicemail) show the seed's empty values; docs/ccai.md
 * lists them.
 */
export function presentCall(v: CallView) {
  const { row, state } = v;
  return {
    id: row.id,
    parent_id: row.parent_id,
    lang: row.lang,
    call_type: row.call_type,
    status: state.status,
    created_at: iso(row.created_at),
    queued_at: iso(state.queued_at),
    assigned_at: iso(state.assigned_at),
    connected_at: iso(state.connected_at),
    ends_at: iso(state.ends_at),
    scheduled_at: iso(row.scheduled_at),
    wait_duration: state.wait_duration,
    call_duration: state.call_duration,
    hold_duration: v.holdSeconds,
    rating: null,
    has_feedback: false,
    voip_provider: 'voip_provider_switchboard',
    out_ticket_id: row.out_ticket_id,
    out_ticket_url: null,
    verified: row.verified_customer === 1,
    recording_url: v.recordingUrl,
    recording_permission: permission(row.recording_permission),
    voicemail_reason: 'not_voicemail',
    deflection: row.deflection ?? 'no_deflection',
    disconnected_by: state.disconnected_by,
    fail_reason: state.fail_reason,
    fail_details: state.fail_details,
    support_number: null,
    selected_menu: v.menu ? presentSelectedMenu(v.menu) : null,
    menu_path: v.menu ? presentMenuPath(v.menu) : null,
    agent_info: v.agent ? presentAgentInfo(v.agent) : null,
    end_user: v.endUser
      ? { id: v.endUser.id, identifier: v.endUser.name, out_contact_id: v.endUser.ticket_id }
      : null,
    photos: [],
    videos: [],
    transfers: v.transfers.map((t) => ({
      id: t.id,
      status: t.status,
      fail_reason: t.fail_reason,
      created_at: iso(t.created_at),
      // Transfers go to numbers, not menus: the call stays attributed to its menu.
      from_menu: v.menu ? presentMenuPath(v.menu) : null,
      to_menu: null,
      from_agent: t.from ? presentAgentInfo(t.from) : null,
      to_agent: t.to ? presentAgentInfo(t.to) : null,
    })),
    deflection_details: [],
    participants: v.participants.map((p) => ({
      id: p.id,
      type: p.type,
      status: p.status,
      call_id: row.id,
      user_id: p.user_id,
      end_user_id: p.end_user_id,
      call_duration: p.call_duration,
      hold_duration: p.hold_duration,
      connected_at: iso(p.connected_at),
      ended_at: iso(p.ended_at),
      fail_reason: p.fail_reason,
    })),
    offer_type: v.kind === 'outbound' ? null : row.offer_type,
    offer_events: offerEventsOf(v),
    answer_type: 'manual',
    outbound_number: internationalFormat(row.outbound_number),
  };
}

function offerEventsOf(v: CallView) {
  if (v.kind === 'outbound') return [];
  return offerEvents(v.agentLegs).map((e) => ({ casting_time: iso(e.casting_time), group: e.group }));
}
