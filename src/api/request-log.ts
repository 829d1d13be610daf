import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Fastify's per-request log lines, at `debug`: a production log at `info` then shows what needs a look
 * — server errors (`error`, logged where they are handled), slow requests (`warn`, over `slowMs`) —
 * and not two lines for every ping (a load test wrote 27 MB of them). LOG_LEVEL=debug brings them back.
 */
/** pino's loggers answer this; Fastify's logger type leaves it out. */
const enabled = (log: unknown, level: string) =>
  (log as { isLevelEnabled?(l: string): boolean }).isLevelEnabled?.(level) ?? true;

export class RequestLog extends LogController {
  constructor(private readonly slowMs: number) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.trace({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const ms = reply.elapsedTime;
    const slow = ms > this.slowMs;
    // Faces log their 500s with the error; this line also covers one that does not.
    const level = error ? 'error' : slow ? 'warn' : reply.statusCode >= 500 ? 'info' : 'debug';
    if (!enabled(reply.log, level)) return;
    // The path only: query strings carry API keys (`?api_key=`) and callers' numbers.
    const path = request.originalUrl.split('?', 1)[0];
    reply.log[level](
      {
        method: request.method,
        path,
        statusCode: reply.statusCode,
        ms: Math.round(ms * 10) / 10,
        ...(error ? { err: error } : {}),
      },
      slow ? 'slow request' : 'request completed',
    );
  }
}
