import { materializedPath } from '../../domain/ccai-menus.js';
import type { EndUser } from '../../services/ccai-end-users.js';
import type { Menu } from '../../services/ccai-menus.js';
import type { OutboundNumber } from '../../services/ccai-outbound-numbers.js';
import type { Person } from '../../services/users.js';

/** Epoch ms as ISO 8601 (CCAI's `2019-06-07T01:27:30.406Z`), null kept. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function presentMenu(m: Menu) {
  return {
    id: m.id,
    name: m.name,
    menu_type: m.menu_type,
    parent_id: m.parent_id,
    position: m.position,
    output_msg: m.output_msg,
    hidden: m.hidden === 1,
    languages: m.languages,
    agent_ids: m.agent_ids,
    offer_type: m.offer_type,
    manual_redirection: m.manual_redirection === 1,
    hours: m.hours,
    deleted: m.deleted_at !== null,
    materialized_path: materializedPath(m.path),
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
  };
}

/** The call object's `selected_menu`. */
export function presentSelectedMenu(m: Menu) {
  return {
    id: m.id,
    name: m.name,
    parent_id: m.parent_id,
    position: m.position,
    deleted: m.deleted_at !== null,
    menu_type: m.menu_type,
    output_msg: m.output_msg,
    hidden: m.hidden === 1,
  };
}

/** The call object's `menu_path`: how deep the menu sits, the names along the way, the ids. */
export function presentMenuPath(m: Menu) {
  return {
    items_count: m.path.length,
    name: m.pathNames.join(' > '),
    materialized_path: materializedPath(m.path),
  };
}

export function presentOutboundNumber(n: OutboundNumber) {
  return {
    id: n.id,
    number: n.number,
    default: n.is_default === 1,
    created_at: iso(n.created_at),
    updated_at: iso(n.updated_at),
  };
}

export function presentEndUser(e: EndUser) {
  return {
    id: e.id,
    ticket_id: e.ticket_id,
    phone_number: e.phone_number,
    name: e.name,
    created_at: iso(e.created_at),
    updated_at: iso(e.updated_at),
  };
}

const fullName = (p: Person) => [p.first_name, p.last_name].filter(Boolean).join(' ') || p.email;

/** The call object's `agent_info`. There are no avatars here: `avatar_url` is null. */
export function presentAgentInfo(p: Person) {
  return {
    id: p.id,
    name: fullName(p),
    last_name: p.last_name,
    first_name: p.first_name,
    agent_number: p.agent_number,
    avatar_url: null,
  };
}

/** `GET /apps/api/v1/agents`: a company user as an agent. */
export function presentAgent(p: Person) {
  return {
    ...presentAgentInfo(p),
    email: p.email,
    phone_number: p.phone_number,
    extension_number: p.extension_number,
    status: p.status,
    can_make_calls: p.can_make_calls === 1,
  };
}
