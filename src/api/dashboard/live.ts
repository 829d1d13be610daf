import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, LiveEvent } from '../../live/bus.js';
import type { AccountService } from '../../services/accounts.js';
import type { LiveBoardService } from '../../services/live-board.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { toWireError } from '../retreaver/errors.js';

export interface LiveStreamDeps {
  accounts: AccountService;
  liveBoard: LiveBoardService;
  bus: EventBus;
  now: () => number;
  /** Comment lines keep proxies from closing a quiet stream (transport only: real time on purpose). */
  keepAliveMs?: number;
}

export const LIVE_STREAM_PATH = '/live/events';

/**
 * `GET /live/events`: the dashboard's Live board as Server-Sent Events. The key comes in a header
 * (`Authorization: Bearer …` or `X-Api-Key`), never in the URL, so it stays out of logs and history;
 * `company_id` picks among the key's companies as in the Core API. The stream opens with a `snapshot`
 * (calls in progress, today's counters, the server's clock), then forwards the engine's bus events of that
 * company only: a started call as a `call` (with campaign, publisher and legs read once), every other
 * transition as an `event`. No polling anywhere: each change on the bus is one message.
 */
export async function liveStreamRoutes(app: CoreApp, deps: LiveStreamDeps): Promise<void> {
  const open = new Set<FastifyReply>();
  // Streams never go idle: end them so the server's close does not wait for the browsers.
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });

  app.get(LIVE_STREAM_PATH, { schema: { hide: true } }, async (req: FastifyRequest, reply) => {
    let companyId: number;
    try {
      const principal = await deps.accounts.authenticate(headerKey(req));
      const query = req.query as Record<string, string | undefined>;
      companyId = deps.accounts.resolveCompany(principal, query.company_id);
    } catch (err) {
      const wire = toWireError(err);
      return reply.code(wire.status).send(wire.body);
    }

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => {
      if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    open.add(reply);

    // One chain per stream keeps the order of the bus even though a started call is read from the store.
    let chain: Promise<void> = Promise.resolve();
    const enqueue = (step: () => Promise<void> | void) => {
      chain = chain.then(step).catch((err) => req.log.warn({ err }, 'live stream message dropped'));
    };
    // Every node's calls, not only this node's: a dashboard may be served by any node (docs/nodes.md).
    const unsubscribe = deps.bus.subscribeAll((ev: LiveEvent) => {
      if (ev.companyId !== companyId) return;
      const { companyId: _, ...event } = ev;
      if (ev.type === 'call.started') {
        enqueue(async () => {
          const call = await deps.liveBoard.call(companyId, ev.callUuid);
          send('call', call ?? { uuid: ev.callUuid, caller: ev.caller, number: ev.number, legs: [] });
        });
      } else enqueue(() => send('event', event));
    });
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), deps.keepAliveMs ?? 25_000);
    keepAlive.unref();
    raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(reply);
    });

    enqueue(async () => {
      const snapshot = await deps.liveBoard.snapshot(companyId);
      send('snapshot', { ...snapshot, company_id: companyId, now: deps.now() });
    });
  });
}

function headerKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}
