/**
 * Process entry point: parse flags and environment, lock the data directory, start the
 * server, and shut down gracefully on SIGINT/SIGTERM. Logs are pino JSON, pretty on a TTY.
 */
import pino from 'pino';
import { ConfigError, DataDirLockedError, helpText, lockDataDir, parseConfig, startServer } from './server/index.ts';

function makeLogger(level: string): pino.Logger {
  if (process.stdout.isTTY) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino({ level });
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tessera: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const log = makeLogger(config.logLevel);
  let unlock: () => void;
  try {
    unlock = lockDataDir(config.dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      log.fatal(err.message);
      process.exit(1);
    }
    throw err;
  }
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception (connection isolated, server continues)'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection (server continues)'));

  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    log.fatal({ err }, 'could not start');
    unlock();
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.warn('connections did not close in time; exiting');
      unlock();
      process.exit(0);
    }, 5000);
    force.unref();
    void server.close().then(() => {
      unlock();
      log.info('stopped');
      log.flush?.();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
