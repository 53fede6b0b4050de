/**
 * SCRAM-SHA-256 server side (RFC 5802 / RFC 7677), as PostgreSQL implements it: the user
 * name inside the SCRAM messages is ignored (the startup user counts), channel binding is
 * not offered (gs2 flags 'n' and 'y' accepted), and an unknown user runs a mock exchange
 * that fails exactly like a wrong password, so user names cannot be probed.
 */
import crypto from 'node:crypto';
import { DbError, SqlState } from '../errors/index.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
const ITERATIONS = 4096;

/** What the server stores per user: never the password itself. */
export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();

/** Derives a verifier from a password (SASLprep is skipped: ASCII passwords are unaffected). */
export function makeScramVerifier(password: string, salt: Buffer = crypto.randomBytes(16), iterations = ITERATIONS): ScramVerifier {
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

function authFailed(user: string): DbError {
  return new DbError(SqlState.InvalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function malformed(detail: string): DbError {
  return new DbError(SqlState.ProtocolViolation, 'malformed SCRAM message', { severity: 'FATAL', detail });
}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw malformed(`Attribute expected, but found "${part}".`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** One SCRAM exchange: start() answers client-first, finish() checks client-final. */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private readonly verifier: ScramVerifier;
  private readonly mock: boolean;

  constructor(
    private readonly user: string,
    verifier: ScramVerifier | undefined,
  ) {
    this.mock = verifier === undefined;
    // A mock verifier with a salt derived from the user name, as PostgreSQL's scram_mock_salt.
    this.verifier = verifier ?? makeScramVerifier(crypto.randomBytes(16).toString('hex'), sha256(Buffer.from(`mock:${user}`)).subarray(0, 16));
  }

  /** Takes the client-first-message, returns the server-first-message. */
  start(clientFirst: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!m) throw malformed('Unexpected client-first-message.');
    if (m[1]!.startsWith('p=')) {
      throw new DbError(SqlState.ProtocolViolation, 'channel binding is not supported by this server', { severity: 'FATAL' });
    }
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw malformed('Client nonce is missing or invalid.');
    this.nonce = clientNonce + crypto.randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Takes the client-final-message; returns the server-final-message or throws 28P01. */
  finish(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('Client proof is missing.');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) {
      throw malformed('SCRAM channel binding check failed.');
    }
    if (attrs.get('r') !== this.nonce) throw malformed('Nonce does not match.');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw authFailed(this.user);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (this.mock || !crypto.timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) throw authFailed(this.user);
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
