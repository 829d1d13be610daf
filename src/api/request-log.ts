import type { FastifyInstance } from 'fastify';

/**
 * One log line per request, at `debug`: a production log at `info` then shows what needs a look —
 * server errors (`error`, logged where they are handled), slow requests (`warn`, over `slowMs`) — and
 * not two lines for every ping (a load test wrote 27 MB of them). LOG_LEVEL=debug brings them all back.
 */
export function requestLogging(http: FastifyInstance, slowMs: number): void {
  http.addHook('onResponse', async (req, reply) => {
    const ms = reply.elapsedTime;
    const slow = ms > slowMs;
    // Faces log their 500s with the error; this line also covers a face that does not.
    const level = slow ? 'warn' : reply.statusCode >= 500 ? 'info' : 'debug';
    if (!req.log.isLevelEnabled(level)) return;
    // The path only: query strings carry API keys (`?api_key=`) and callers' numbers.
    const path = req.originalUrl.split('?', 1)[0];
    req.log[level](
      { method: req.method, path, statusCode: reply.statusCode, ms: Math.round(ms * 10) / 10 },
      slow ? 'slow request' : 'request completed',
    );
  });
}
