/** The version strings Tessera reports; PostgreSQL 15 compatible so clients take their 15 code paths. */
export const TESSERA_VERSION = '0.1.0';
/** What `SELECT version()` returns. */
export const SERVER_VERSION_STRING = `PostgreSQL 15.6 (Tessera ${TESSERA_VERSION}) on ${process.arch}-${process.platform}, compiled by Node.js ${process.versions.node}, 64-bit`;
