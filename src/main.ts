import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
