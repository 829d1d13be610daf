import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { shutdown } from './shutdown.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`switchboard: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await buildApp({ config });
  if (app.bootstrapKey?.generated) {
    // Printed once, at the start that created the database; it is stored only as a hash.
    console.log(`\n  Switchboard created its first company. Core API key: ${app.bootstrapKey.apiKey}\n`);
  }
  await app.http.listen({ port: config.port, host: config.host });

  const log = app.http.log;
  let stopping = false;
  const stop = async (signal: string) => {
    // Ctrl-C under `npm start` arrives twice (the terminal's and npm's forwarded copy): one stop is enough.
    if (stopping) return;
    stopping = true;
    const drainS = config.shutdownDrainSeconds;
    log.info({ signal, liveCalls: app.engine.liveCalls(), drainSeconds: drainS }, 'draining');
    try {
      const report = await shutdown(app, drainS * 1000);
      log.info(report, 'stopped');
      process.exitCode = 0;
    } catch (err) {
      log.error({ err }, 'shutdown did not complete');
      process.exitCode = 1;
    }
    // Whatever still holds the event loop (an idle keep-alive socket, a stuck attempt) must not keep us up.
    setTimeout(() => process.exit(), 100).unref();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
