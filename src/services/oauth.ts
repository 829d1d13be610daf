import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { DomainError, Gone, NotFound, Unauthenticated, ValidationFailed } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { OauthAppsTable } from '../store/schema-people.js';
import type { Person, UserService } from './users.js';
import { randomToken, tokenHash, verifyPassword } from './users-secrets.js';

export type OauthApp = Selectable<OauthAppsTable>;

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type';

/** An OAuth 2.0 failure (RFC 6749 §5.2): the face answers it in OAuth's error shape, not RingCentral's. */
export class OAuthError extends DomainError {
  readonly code = 'oauth';
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
    /** RingCentral's own code for the same failure (`OAU-…`). */
    readonly rcCode: string,
  ) {
    super(message);
  }
}

/** A signed-in request: whose token it is. */
export interface Bearer {
  tokenId: number;
  companyId: number;
  personId: number;
  appId: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
  person: Person;
  tokenId: number;
}

export const ACCESS_TTL_S = 3600;
export const REFRESH_TTL_S = 604_800;

/**
 * OAuth clients and tokens for the RingCentral face. Tokens are opaque random strings; only their
 * sha256 is stored, so a leaked database holds no usable token, and revocation is one row update.
 */
export class OAuthService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UserService,
  ) {}

  async listApps(companyId: number, page: number): Promise<Page<OauthApp>> {
    const q = this.db
      .selectFrom('oauth_apps')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page);
  }

  async getApp(companyId: number, id: number): Promise<OauthApp> {
    const row = await this.db
      .selectFrom('oauth_apps')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('OAuth app');
    if (row.deleted_at !== null) throw new Gone('OAuth app');
    return row;
  }

  /** A new client; its secret is in this answer only. */
  async createApp(companyId: number, name: string | undefined): Promise<{ app: OauthApp; secret: string }> {
    const trimmed = name?.trim();
    if (!trimmed) throw ValidationFailed.field('name', "can't be blank");
    const secret = randomToken(24);
    const app = await this.db
      .insertInto('oauth_apps')
      .values({
        company_id: companyId,
        name: trimmed,
        client_id: randomToken(16),
        client_secret_hash: tokenHash(secret),
        created_at: this.clock.now(),
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { app, secret };
  }

  /** Deletes the client and every token it issued. */
  async removeApp(companyId: number, id: number): Promise<OauthApp> {
    const app = await this.getApp(companyId, id);
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('oauth_apps').set({ deleted_at: now }).where('id', '=', app.id).execute();
      await tx
        .updateTable('oauth_tokens')
        .set({ revoked_at: now })
        .where('app_id', '=', app.id)
        .where('revoked_at', 'is', null)
        .execute();
    });
    return { ...app, deleted_at: now };
  }

  /** The client of an HTTP Basic `client_id:client_secret`, or invalid_client. */
  async client(clientId: string | undefined, secret: string | undefined): Promise<OauthApp> {
    const app = clientId
      ? await this.db
          .selectFrom('oauth_apps')
          .selectAll()
          .where('client_id', '=', clientId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    if (!app || !secret || tokenHash(secret) !== app.client_secret_hash) {
      throw new OAuthError('invalid_client', 'Invalid client', 'OAU-153');
    }
    return app;
  }

  async passwordGrant(app: OauthApp, username: string, password: string, extension?: string) {
    const candidates = (await this.users.findForSignIn(username, extension)).filter(
      (p) => p.company_id === app.company_id,
    );
    for (const person of candidates) {
      if (await verifyPassword(password, person.password_hash)) return this.issue(app, person);
    }
    if (candidates.length === 0) await verifyPassword(password, null);
    throw new OAuthError('invalid_grant', 'Invalid resource owner credentials', 'OAU-140');
  }

  async jwtGrant(app: OauthApp, assertion: string) {
    const person = await this.users.findByJwt(assertion);
    if (!person || person.company_id !== app.company_id) {
      throw new OAuthError('invalid_grant', 'Invalid token', 'OAU-144');
    }
    return this.issue(app, person);
  }

  /** Rotates: the old pair dies, a new pair is issued (RingCentral rotates refresh tokens too). */
  async refreshGrant(app: OauthApp, refreshToken: string): Promise<IssuedTokens> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom('oauth_tokens')
      .selectAll()
      .where('refresh_hash', '=', tokenHash(refreshToken))
      .executeTakeFirst();
    if (!row || row.app_id !== app.id || row.revoked_at !== null || row.refresh_expires_at <= now) {
      throw new OAuthError('invalid_grant', 'Token is revoked or expired', 'OAU-211');
    }
    const person = await this.users.get(row.company_id, row.person_id).catch(() => undefined);
    if (!person) throw new OAuthError('invalid_grant', 'Token is revoked or expired', 'OAU-211');
    const res = await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // Two refreshes raced with one token: only the first wins.
    if (Number(res.numUpdatedRows) !== 1)
      throw new OAuthError('invalid_grant', 'Token is revoked or expired', 'OAU-211');
    return this.issue(app, person);
  }

  /** Revokes the pair an access or refresh token belongs to; an unknown token is no error (RFC 7009). */
  async revoke(token: string): Promise<void> {
    const hash = tokenHash(token);
    await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: this.clock.now() })
      .where((eb) => eb.or([eb('access_hash', '=', hash), eb('refresh_hash', '=', hash)]))
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** The live token behind `Authorization: Bearer …`. */
  async bearer(token: string | undefined): Promise<Bearer> {
    if (!token) throw new Unauthenticated('Authorization header is not specified');
    const row = await this.db
      .selectFrom('oauth_tokens')
      .innerJoin('people', 'people.id', 'oauth_tokens.person_id')
      .select([
        'oauth_tokens.id',
        'oauth_tokens.company_id',
        'oauth_tokens.person_id',
        'oauth_tokens.app_id',
        'oauth_tokens.access_expires_at',
        'oauth_tokens.revoked_at',
        'people.deleted_at',
      ])
      .where('oauth_tokens.access_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.deleted_at !== null)
      throw new Unauthenticated('Invalid token');
    if (row.access_expires_at <= this.clock.now()) throw new Unauthenticated('Token expired');
    return { tokenId: row.id, companyId: row.company_id, personId: row.person_id, appId: row.app_id };
  }

  private async issue(app: OauthApp, person: Person): Promise<IssuedTokens> {
    const now = this.clock.now();
    const accessToken = randomToken(32);
    const refreshToken = randomToken(32);
    const row = await this.db
      .insertInto('oauth_tokens')
      .values({
        company_id: person.company_id,
        person_id: person.id,
        app_id: app.id,
        access_hash: tokenHash(accessToken),
        refresh_hash: tokenHash(refreshToken),
        access_expires_at: now + ACCESS_TTL_S * 1000,
        refresh_expires_at: now + REFRESH_TTL_S * 1000,
        created_at: now,
        revoked_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      accessToken,
      refreshToken,
      expiresIn: ACCESS_TTL_S,
      refreshExpiresIn: REFRESH_TTL_S,
      person,
      tokenId: row.id,
    };
  }
}
