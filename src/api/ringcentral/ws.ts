import { randomBytes, randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Clock } from '../../clock.js';
import type { WsDelivery } from '../../services/subscriptions-notifier.js';
import type { CoreApp } from '../retreaver/core/plugin.js';

/** Header a REST request replayed from a WebSocket carries: the session its subscriptions bind to. */
export const WS_SESSION_HEADER = 'x-switchboard-ws-session';

const TOKEN_TTL_S = 600;
const RECOVERY_TIMEOUT_S = 180;
const RECOVERY_BUFFER = 100;

interface WsToken {
  bearer: string;
  personId: number;
  expiresAt: number;
}

interface WsSession {
  token: string;
  personId: number;
  sequence: number;
  socket: WebSocket | null;
  disconnectedAt: number | null;
  /** Notifications produced while no socket was attached, replayed on recovery. */
  missed: unknown[];
}

type Frame = [Record<string, unknown>, unknown?];

/**
 * The WebSocket gateway as `@ringcentral/subscriptions` 5.x (`@rc-ex/ws`) speaks it: frames are JSON arrays
 * `[meta, body]`; the server opens with `ConnectionDetails` (and a `wsc` recovery token); `ClientRequest`
 * frames are REST calls answered with the same `messageId`; `Heartbeat` is answered; notifications arrive as
 * `ServerNotification`. Reconnecting with `wsc` within `recoveryTimeout` keeps the session and replays what
 * it missed.
 */
export class WsGateway implements WsDelivery {
  private readonly tokens = new Map<string, WsToken>();
  private readonly sessions = new Map<string, WsSession>();

  constructor(private readonly clock: Clock) {}

  issueToken(bearer: string, personId: number): { token: string; expiresIn: number } {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { bearer, personId, expiresAt: this.clock.now() + TOKEN_TTL_S * 1000 });
    return { token, expiresIn: TOKEN_TTL_S };
  }

  holds(wsSession: string): boolean {
    return this.sessions.has(wsSession);
  }

  deliver(wsSession: string, envelope: unknown): boolean {
    const s = this.sessions.get(wsSession);
    if (!s || this.expired(s)) return false;
    if (s.socket) s.socket.send(JSON.stringify(this.notification(s, envelope)));
    else if (s.missed.push(envelope) > RECOVERY_BUFFER) s.missed.shift();
    return true;
  }

  /** Registers the socket route (`/ws` under the face's prefix) on the face's instance. */
  async routes(app: CoreApp, root: () => FastifyInstance): Promise<void> {
    await app.register(websocket);
    app.get('/ws', { websocket: true, config: { rcPublic: true }, schema: { hide: true } }, (socket, req) => {
      const q = req.query as Record<string, string | undefined>;
      const token = q.access_token ? this.tokens.get(q.access_token) : undefined;
      if (!token || token.expiresAt <= this.clock.now()) {
        socket.send(
          JSON.stringify([
            { type: 'Error', messageId: randomUUID(), status: 401 },
            { errorCode: 'WSG-401', message: 'Invalid or expired access_token' },
          ]),
        );
        socket.close(4401, 'invalid access_token');
        return;
      }
      const { session, recovered } = this.attach(socket, token.personId, q.wsc);
      socket.on('message', (data) => void this.onMessage(session, token, String(data), root));
      socket.on('close', () => {
        if (session.socket === socket) {
          session.socket = null;
          session.disconnectedAt = this.clock.now();
        }
      });
      this.opened(session, q.wsc === undefined ? undefined : recovered);
    });
  }

  private attach(socket: WebSocket, personId: number, wsc: string | undefined) {
    const old = wsc ? this.sessions.get(wsc) : undefined;
    if (old && old.personId === personId && !this.expired(old)) {
      old.socket?.close();
      old.socket = socket;
      old.disconnectedAt = null;
      return { session: old, recovered: true };
    }
    const session: WsSession = {
      token: randomBytes(24).toString('base64url'),
      personId,
      sequence: 0,
      socket,
      disconnectedAt: null,
      missed: [],
    };
    this.sessions.set(session.token, session);
    return { session, recovered: false };
  }

  private opened(s: WsSession, recovered: boolean | undefined): void {
    const details = {
      creationTime: new Date(this.clock.now()).toISOString(),
      maxConnectionsPerSession: 1,
      recoveryBufferSize: RECOVERY_BUFFER,
      recoveryTimeout: RECOVERY_TIMEOUT_S,
      idleTimeout: 900,
      absoluteTimeout: 86_400,
      maxActiveRequests: 10,
      ...(recovered === undefined ? {} : { recoveryState: recovered ? 'Successful' : 'Failed' }),
    };
    const frame = this.frame(
      s,
      { type: 'ConnectionDetails', messageId: randomUUID(), status: 200, headers: {} },
      details,
    );
    s.socket?.send(JSON.stringify(frame));
    // Replayed in the order they happened, numbered after the ConnectionDetails like any later frame.
    const missed = s.missed.splice(0);
    for (const envelope of missed) s.socket?.send(JSON.stringify(this.notification(s, envelope)));
  }

  private async onMessage(s: WsSession, token: WsToken, data: string, root: () => FastifyInstance) {
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'object' || frame[0] === null) return;
    const meta = frame[0] as Record<string, unknown>;
    const messageId = typeof meta.messageId === 'string' ? meta.messageId : randomUUID();
    if (meta.type === 'Heartbeat') {
      s.socket?.send(JSON.stringify(this.frame(s, { type: 'Heartbeat', messageId, status: 200 })));
      return;
    }
    if (meta.type !== 'ClientRequest') return;
    const answer = await this.replay(s, token, meta, frame[1], root);
    s.socket?.send(
      JSON.stringify(
        this.frame(
          s,
          { type: 'ClientRequest', messageId, status: answer.status, headers: answer.headers },
          answer.body,
        ),
      ),
    );
  }

  /** REST over the socket: the request runs through the same routes, as the socket's user. */
  private async replay(
    s: WsSession,
    token: WsToken,
    meta: Record<string, unknown>,
    body: unknown,
    root: () => FastifyInstance,
  ) {
    const method = typeof meta.method === 'string' ? meta.method.toUpperCase() : 'GET';
    const path = typeof meta.path === 'string' && meta.path.startsWith('/restapi/') ? meta.path : undefined;
    if (!path || path.startsWith('/restapi/oauth/') || path.startsWith('/restapi/ws'))
      return {
        status: 400,
        headers: {},
        body: { errorCode: 'WSG-400', message: 'path must be a /restapi/v1.0 resource' },
      };
    const query = meta.query && typeof meta.query === 'object' ? (meta.query as Record<string, string>) : {};
    const res = await root().inject({
      method: method as 'GET',
      url: path,
      query,
      headers: {
        authorization: `Bearer ${token.bearer}`,
        [WS_SESSION_HEADER]: s.token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed: unknown;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = res.body;
    }
    return { status: res.statusCode, headers: { 'Content-Type': 'application/json' }, body: parsed };
  }

  private notification(s: WsSession, envelope: unknown): Frame {
    return this.frame(
      s,
      { type: 'ServerNotification', messageId: randomUUID(), status: 200, headers: {} },
      envelope,
    );
  }

  /** Every server frame carries the session's recovery token and its next sequence number. */
  private frame(s: WsSession, meta: Record<string, unknown>, body?: unknown): Frame {
    s.sequence++;
    const m = { ...meta, wsc: { token: s.token, sequence: s.sequence } };
    return body === undefined ? [m] : [m, body];
  }

  private expired(s: WsSession): boolean {
    return s.disconnectedAt !== null && this.clock.now() - s.disconnectedAt > RECOVERY_TIMEOUT_S * 1000;
  }

  /** The session a request came from, if it is this person's live session. */
  sessionFor(token: string | undefined, personId: number): string | undefined {
    const s = token ? this.sessions.get(token) : undefined;
    return s && s.personId === personId && !this.expired(s) ? s.token : undefined;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
    for (const [k, s] of this.sessions) if (!s.socket && this.expired(s)) this.sessions.delete(k);
  }
}
