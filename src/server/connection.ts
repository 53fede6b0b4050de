/**
 * One client connection: frames the byte stream, negotiates SSL/GSS, reads the startup
 * packet, authenticates (trust, SCRAM-SHA-256, or cleartext over TLS), then hands every
 * message to a Session, one at a time, in arrival order (so pipelined messages just work).
 * Protocol violations end the connection with a FATAL ErrorResponse; nothing a client
 * sends can throw out of here into the process.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { DbError, SqlState } from '../errors/index.ts';
import {
  backend,
  decodeFrontendMessage,
  decodePasswordMessage,
  decodeSaslInitialResponse,
  decodeStartupPacket,
  MessageFramer,
  MessageWriter,
  type FrontendMessage,
  type StartupPacket,
} from '../protocol/index.ts';
import { Session, errorFields, normaliseError, type Database } from '../session/index.ts';
import type { ServerConfig } from './config.ts';
import { SCRAM_MECHANISM, ScramExchange, makeScramVerifier, type ScramVerifier } from './scram.ts';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly config: ServerConfig;
  readonly db: Database;
  readonly log: Logger;
  readonly tlsContext: tls.SecureContext | null;
  readonly verifiers: ReadonlyMap<string, ScramVerifier>;
  /** Registers a backend for CancelRequest; returns its (processId, secretKey). */
  register(conn: Connection): { processId: number; secretKey: number };
  unregister(conn: Connection): void;
  cancel(processId: number, secretKey: number): void;
  readonly connectionCount: number;
}

type Phase = 'startup' | 'sasl-initial' | 'sasl-continue' | 'password' | 'ready' | 'closed';

/** Open sessions per catalog role in this process, for CONNECTION LIMIT. */
const roleSessions = new Map<string, number>();

export class Connection {
  private socket: net.Socket;
  private readonly framer: MessageFramer;
  private readonly w = new MessageWriter(16 * 1024);
  private phase: Phase = 'startup';
  private busy = false;
  private session: Session | null = null;
  private scram: ScramExchange | null = null;
  private user = '';
  private database = '';
  private startupParameters: ReadonlyMap<string, string> = new Map();
  private tlsActive = false;
  private readonly log: Logger;
  processId = 0;
  secretKey = 0;
  private readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: net.Socket,
    private readonly host: ConnectionHost,
    connectionId: number,
    /** Accepted on the Unix-domain socket (SSLRequest is answered N there, as PostgreSQL does). */
    private readonly local = false,
  ) {
    this.socket = socket;
    this.framer = new MessageFramer(host.config.maxMessageBytes);
    this.log = host.log.child({ conn: connectionId, remote: local ? '[local]' : `${socket.remoteAddress}:${socket.remotePort}` });
    this.closed = new Promise((r) => (this.resolveClosed = r));
    socket.setNoDelay(true);
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => this.onClose());
  }

  /** Resolves when the socket has closed. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.framer.push(chunk);
    if (!this.busy) void this.pump();
  }

  /** Processes complete frames in order; at most one pump runs at a time. */
  private async pump(): Promise<void> {
    this.busy = true;
    this.socket.pause();
    try {
      for (;;) {
        if (this.phase === 'closed') return;
        const frame = this.framer.next();
        if (!frame) break;
        const keepGoing = await this.onFrame(frame.type, frame.body);
        if (!keepGoing) {
          await this.flush();
          this.end();
          return;
        }
      }
      await this.flush();
    } catch (err) {
      await this.fatal(err);
    } finally {
      this.busy = false;
      if (this.phase !== 'closed') {
        // Frames may have arrived while the last flush awaited; the pump must not stall on them.
        if (this.framer.hasCompleteFrame()) void this.pump();
        else this.socket.resume();
      }
    }
  }

  private async onFrame(type: number, body: Buffer): Promise<boolean> {
    if (this.phase === 'startup') return this.onStartupPacket(decodeStartupPacket(body));
    const msg: FrontendMessage = decodeFrontendMessage(type, body);
    if (this.phase !== 'ready') return this.onAuthMessage(msg);
    return this.session!.handle(msg);
  }

  private async onStartupPacket(p: StartupPacket): Promise<boolean> {
    switch (p.kind) {
      case 'SSLRequest':
        if (this.tlsActive) throw new DbError(SqlState.ProtocolViolation, 'SSLRequest after SSL negotiation', { severity: 'FATAL' });
        if (!this.host.tlsContext || this.local) {
          this.socket.write('N');
          return true;
        }
        if (this.framer.bufferedBytes > 0) {
          // Bytes sent before the handshake could be injected by a man in the middle (CVE-2021-23214).
          throw new DbError(SqlState.ProtocolViolation, 'received unencrypted data after SSL request', { severity: 'FATAL' });
        }
        await this.startTls();
        return true;
      case 'GSSENCRequest':
        this.socket.write('N');
        return true;
      case 'CancelRequest':
        this.host.cancel(p.processId, p.secretKey);
        return false;
      case 'StartupMessage':
        return this.onStartupMessage(p);
    }
  }

  private startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.write('S');
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: this.host.tlsContext! });
    this.socket = secure;
    this.tlsActive = true;
    this.attach(secure);
    return new Promise((resolve) => {
      secure.once('secure', () => resolve());
      secure.once('error', () => resolve());
    });
  }

  private async onStartupMessage(p: StartupPacket & { kind: 'StartupMessage' }): Promise<boolean> {
    this.framer.startupPhase = false;
    const user = p.parameters.get('user');
    if (!user) {
      throw new DbError(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' });
    }
    this.user = user;
    this.database = p.parameters.get('database') || user;
    this.startupParameters = p.parameters;
    this.log.info({ user, database: this.database, application: p.parameters.get('application_name') }, 'connection');
    if (p.minorVersion > 0 || p.protocolOptions.length > 0) {
      backend.negotiateProtocolVersion(this.w, 0, p.protocolOptions);
    }
    if (this.host.connectionCount > this.host.config.maxConnections) {
      throw new DbError(SqlState.TooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
    }
    if (!['postgres', 'template1', user].includes(this.database)) {
      throw new DbError(SqlState.InvalidCatalogName, `database "${this.database}" does not exist`, {
        severity: 'FATAL',
        hint: 'Tessera serves one database; connect to "postgres".',
      });
    }
    switch (this.host.config.auth) {
      case 'trust':
        return this.authenticated();
      case 'scram-sha-256':
        this.scram = new ScramExchange(user, this.verifierOf(user));
        backend.authenticationSasl(this.w, [SCRAM_MECHANISM]);
        this.phase = 'sasl-initial';
        return true;
      case 'password':
        if (!this.tlsActive) {
          throw new DbError(SqlState.InvalidAuthorizationSpecification, 'password authentication requires an SSL connection', { severity: 'FATAL' });
        }
        backend.authenticationCleartextPassword(this.w);
        this.phase = 'password';
        return true;
    }
  }

  private async onAuthMessage(msg: FrontendMessage): Promise<boolean> {
    if (msg.kind === 'Terminate') return false;
    if (msg.kind !== 'Password') {
      throw new DbError(SqlState.ProtocolViolation, `expected password response, got message type ${msg.kind}`, { severity: 'FATAL' });
    }
    switch (this.phase) {
      case 'sasl-initial': {
        const { mechanism, data } = decodeSaslInitialResponse(msg.body);
        if (mechanism !== SCRAM_MECHANISM) {
          throw new DbError(SqlState.ProtocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
        }
        backend.authenticationSaslContinue(this.w, this.scram!.start((data ?? Buffer.alloc(0)).toString('utf8')));
        this.phase = 'sasl-continue';
        return true;
      }
      case 'sasl-continue': {
        const final = this.scram!.finish(msg.body.toString('utf8'));
        backend.authenticationSaslFinal(this.w, final);
        this.scram = null;
        return this.authenticated();
      }
      case 'password': {
        const given = decodePasswordMessage(msg.body);
        const expected = this.host.config.users.get(this.user);
        const role = this.host.db.catalog.security.getRole(this.user);
        const verifier = role ? this.verifierOf(this.user) : undefined;
        const ok = role
          ? verifier !== undefined && makeScramVerifier(given, verifier.salt, verifier.iterations).storedKey.equals(verifier.storedKey)
          : expected !== undefined && expected === given;
        if (!ok) {
          throw new DbError(SqlState.InvalidPassword, `password authentication failed for user "${this.user}"`, { severity: 'FATAL' });
        }
        return this.authenticated();
      }
      default:
        throw new DbError(SqlState.ProtocolViolation, 'unexpected authentication message', { severity: 'FATAL' });
    }
  }

  /**
   * The SCRAM verifier of a login name: a catalog role's stored verifier (none without a
   * password: the exchange then fails as for a wrong password), else the configured user's.
   */
  private verifierOf(user: string): ScramVerifier | undefined {
    const role = this.host.db.catalog.security.getRole(user);
    if (!role) return this.host.verifiers.get(user);
    // VALID UNTIL in the past: the password no longer works (timestamptz microseconds since 2000-01-01).
    if (role.validUntil !== null && BigInt(role.validUntil) < BigInt(Date.now() - 946_684_800_000) * 1000n) return undefined;
    const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(role.password ?? '');
    if (!m) return undefined;
    return { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey: Buffer.from(m[3]!, 'base64'), serverKey: Buffer.from(m[4]!, 'base64') };
  }

  private authenticated(): boolean {
    backend.authenticationOk(this.w);
    // As PostgreSQL after authentication: a catalog role needs LOGIN.
    const role = this.host.db.catalog.security.getRole(this.user);
    if (role && !role.canLogin) {
      throw new DbError(SqlState.InvalidAuthorizationSpecification, `role "${this.user}" is not permitted to log in`, { severity: 'FATAL' });
    }
    if (role) {
      const open = roleSessions.get(role.name) ?? 0;
      if (role.connLimit >= 0 && !role.superuser && open >= role.connLimit) {
        throw new DbError(SqlState.TooManyConnections, `too many connections for role "${role.name}"`, { severity: 'FATAL' });
      }
      roleSessions.set(role.name, open + 1);
      this.countedRole = role.name;
    }
    const { processId, secretKey } = this.host.register(this);
    this.processId = processId;
    this.secretKey = secretKey;
    this.session = new Session({
      db: this.host.db,
      processId,
      user: this.user,
      database: this.database,
      startupParameters: this.startupParameters,
      log: this.log.child({ pid: processId }),
      out: { w: this.w, flush: () => this.flush() },
    });
    this.session.sendStartupParameters();
    backend.backendKeyData(this.w, processId, secretKey);
    this.session.readyForQuery();
    this.phase = 'ready';
    return true;
  }

  /** Cancels the running statement, if any (CancelRequest with our key). */
  cancel(): void {
    this.session?.cancel();
  }

  /** Writes buffered output; waits for 'drain' under backpressure. */
  flush(): Promise<void> {
    if (this.w.length === 0 || this.phase === 'closed') return Promise.resolve();
    const ok = this.socket.write(this.w.take());
    if (ok) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Sends a FATAL ErrorResponse (for DbErrors) and closes the connection. */
  private async fatal(err: unknown): Promise<void> {
    const e = normaliseError(err, this.log);
    const fatal = e.isFatal ? e : new DbError(e.code, e.message, { severity: 'FATAL', detail: e.detail, hint: e.hint });
    this.log.info({ code: fatal.code, message: fatal.message }, 'closing connection');
    try {
      backend.errorResponse(this.w, errorFields(fatal));
      await this.flush();
    } catch {
      // the socket may already be gone
    }
    this.end();
  }

  /** Server shutdown: tell the client why, then close. */
  async terminate(): Promise<void> {
    if (this.phase === 'closed') return;
    this.session?.cancel('terminating connection due to administrator command');
    await this.fatal(new DbError(SqlState.AdminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
    await this.closed;
  }

  private end(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** The catalog role this connection counts against (CONNECTION LIMIT), if any. */
  private countedRole: string | null = null;

  private onClose(): void {
    if (this.countedRole !== null) {
      const left = (roleSessions.get(this.countedRole) ?? 1) - 1;
      if (left > 0) roleSessions.set(this.countedRole, left);
      else roleSessions.delete(this.countedRole);
      this.countedRole = null;
    }
    this.phase = 'closed';
    this.session?.close();
    this.host.unregister(this);
    this.log.debug('disconnected');
    this.resolveClosed();
  }
}
