import type { Generated } from 'kysely';

/**
 * A company's people with a phone (Core API `/users.json`). Named `people` in SQL because `users`
 * already holds the Core API key holders, who are a different thing (DESIGN.md: Credential vs User).
 */
export interface PeopleTable {
  id: Generated<number>;
  company_id: number;
  email: string;
  /** Lower-cased email: uniqueness and sign-in ignore case. */
  email_key: string;
  first_name: string | null;
  last_name: string | null;
  extension_number: string;
  /** `scrypt$N$r$p$salt$hash` (base64), or null when the person has no password. */
  password_hash: string | null;
  phone_number: string | null;
  agent_number: string | null;
  can_make_calls: number;
  status: 'available' | 'unavailable';
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** A JWT credential for RingCentral's JWT grant: only its sha256 is kept. */
export interface PersonJwtsTable {
  id: Generated<number>;
  company_id: number;
  person_id: number;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

/** An OAuth client of the RingCentral face. */
export interface OauthAppsTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  client_id: string;
  client_secret_hash: string;
  created_at: number;
  deleted_at: number | null;
}

/** One sign-in: an access token and its refresh token, both opaque and stored as sha256. */
export interface OauthTokensTable {
  id: Generated<number>;
  company_id: number;
  person_id: number;
  app_id: number;
  access_hash: string;
  refresh_hash: string;
  access_expires_at: number;
  refresh_expires_at: number;
  created_at: number;
  revoked_at: number | null;
}

export interface PeopleTables {
  people: PeopleTable;
  person_jwts: PersonJwtsTable;
  oauth_apps: OauthAppsTable;
  oauth_tokens: OauthTokensTable;
  rc_subscriptions: RcSubscriptionsTable;
  rc_sessions: RcSessionsTable;
}

/** A RingCentral-face subscription: event filters and how notifications travel. */
export interface RcSubscriptionsTable {
  id: string;
  company_id: number;
  person_id: number;
  /** JSON array of the filters as the client wrote them (`~` kept). */
  event_filters: string;
  transport: 'WebHook' | 'WebSocket';
  address: string | null;
  /** The WebSocket session (its `wsc` token) a WebSocket subscription is bound to. */
  ws_session: string | null;
  expires_in: number;
  expires_at: number;
  created_at: number;
  deleted_at: number | null;
}

export type RcOrigin = 'CallOut' | 'RingOut' | 'Conference';

/** A session the RingCentral face started (uuid = the engine's call uuid, or a conference's own id). */
export interface RcSessionsTable {
  uuid: string;
  company_id: number;
  person_id: number;
  origin: RcOrigin;
  /** The phone rung first (the user's device, the ring-out `from`): its leg is the user's party. */
  first_to: string | null;
  /** A conference's dial-in token. */
  voice_call_token: string | null;
  created_at: number;
}
