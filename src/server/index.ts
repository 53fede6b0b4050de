/**
 * server/: sockets — listen, TLS, startup, authentication, cancel — above session/.
 * The process entry point (src/main.ts) uses startServer and parseConfig.
 */
export { startServer, type RunningServer } from './server.ts';
export { parseConfig, helpText, ConfigError, type ServerConfig } from './config.ts';
export { makeScramVerifier, ScramExchange } from './scram.ts';
export { lockDataDir, DataDirLockedError } from './data-dir.ts';
