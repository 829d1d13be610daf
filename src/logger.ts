/**
 * The logger every long-lived part receives (engine, delivery worker): the HTTP server's pino logger in
 * the app, a silent or recording one in tests. Nothing writes to the console directly.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const nothing = () => {};
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

/** A logger whose target is set later (the HTTP server's logger exists only after the engine). */
export function deferredLogger(target: () => Logger | undefined): Logger {
  return {
    debug: (o, m) => target()?.debug(o, m),
    info: (o, m) => target()?.info(o, m),
    warn: (o, m) => target()?.warn(o, m),
    error: (o, m) => target()?.error(o, m),
  };
}
