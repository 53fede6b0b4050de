/**
 * One client session after authentication: runs the simple and extended query protocols,
 * owns settings, the transaction state (I/T/E), prepared statements and portals, and turns
 * errors into ErrorResponses. Receives decoded frontend messages from server/connection.ts
 * and writes backend messages through WireOutput.
 */
import type { Logger } from 'pino';
import { DbError, SqlState } from '../errors/index.ts';
import type { ExecContext, OutputColumn, Row, Value } from '../executor/index.ts';
import { nowMicros, releaseAdvisoryLocks } from '../executor/index.ts';
import { backend, type FieldDescription, type FormatCode, type FrontendMessage, type TransactionStatus } from '../protocol/index.ts';
import { initParser, parseSql, type ParsedStatement } from '../sql/index.ts';
import { typeByOid, type FormatContext } from '../types/index.ts';
import { errorFields, normaliseError } from './errors-to-wire.ts';
import { formatFor, type Portal, type Prepared } from './prepared.ts';
import { prepareStatement, type StatementHost } from './statements.ts';
import { closeAllCursors, closeTransactionCursors, type SqlCursor } from './sql-cursors.ts';
import { Settings } from './settings.ts';
import { SessionRoles } from './roles.ts';
import { Transaction } from './transaction.ts';
import type { WireOutput } from './wire-output.ts';
import type { CopyIn } from './copy.ts';
import { SessionDataAccess } from './data-access.ts';
import { SessionCatalogAccess } from './pg-catalog-access.ts';
import type { Database } from './database.ts';
import { parseSearchPath, type PlanEnv } from '../planner/index.ts';

export interface SessionOptions {
  readonly db: Database;
  readonly processId: number;
  readonly user: string;
  readonly database: string;
  readonly startupParameters: ReadonlyMap<string, string>;
  readonly log: Logger;
  readonly out: WireOutput;
}

/** Bytes of buffered output after which a result stream flushes to the socket. */
const FLUSH_THRESHOLD_BYTES = 64 * 1024;

const NOTICE_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

export class Session implements StatementHost {
  readonly settings: Settings;
  readonly tx: Transaction;
  readonly prepared = new Map<string, Prepared>();
  readonly portals = new Map<string, Portal>();
  readonly sqlCursors = new Map<string, SqlCursor>();
  private readonly out: WireOutput;
  readonly log: Logger;
  /** Extended protocol: after an error, messages are skipped until Sync. */
  private ignoreTillSync = false;
  /** Cancellation of the running statement (CancelRequest or statement_timeout). */
  private cancelReason: string | null = null;
  private readonly sleepers = new Set<(err: DbError) => void>();
  private statementStart = 0n;
  readonly db: Database;
  /** session_user, SET ROLE, and the current role's privileges (roles.ts). */
  readonly roles: SessionRoles;
  private readonly data: SessionDataAccess;
  /** COPY FROM STDIN in progress: CopyData/CopyDone/CopyFail go here; `resume` continues the query. */
  private copyIn: { target: CopyIn; resume: (result: { count: number } | { error: unknown }) => Promise<void> } | null = null;

  constructor(readonly opts: SessionOptions) {
    this.db = opts.db;
    this.out = opts.out;
    this.log = opts.log;
    const startup: [string, string][] = [...opts.startupParameters].filter(([k]) => !['user', 'database', 'options', 'replication'].includes(k));
    startup.push(['session_authorization', opts.user]);
    this.settings = new Settings(startup);
    this.tx = new Transaction(this.settings, opts.db.unique, opts.db.rowLocks);
    this.tx.onEnd = () => {
      closeTransactionCursors(this.sqlCursors);
      releaseAdvisoryLocks(this.opts.processId, 'xact');
    };
    this.roles = new SessionRoles(opts.db.catalog, this.settings, opts.user);
    this.settings.dynamic = (key) => (key === 'transaction_read_only' ? (this.tx.readOnly ? 'on' : 'off') : key === 'transaction_isolation' ? this.isolationName() : this.roles.dynamicSetting(key));
    this.data = new SessionDataAccess(this.db, this.tx);
    this.catalogAccess = new SessionCatalogAccess(this.db.catalog, {
      user: this.roles.bootstrapName, database: opts.database, backendPid: opts.processId, sessionRole: () => this.roles.sessionUser,
      setting: (name) => this.settings.get(name), allSettings: () => this.settings.all(),
      liveRows: (tableId) => {
        if (!this.db.storage.tables.has(tableId)) return undefined;
        const snap = this.db.storage.snapshot(tableId);
        try {
          return this.db.storage.count(snap, null);
        } finally {
          snap.release();
        }
      },
    });
    this.data.catalogAccess = this.catalogAccess;
  }

  // ---- StatementHost: what statements may ask of the session ----

  get w() {
    return this.out.w;
  }

  /** pg_catalog context and the regclass/regproc name lookups. */
  private readonly catalogAccess: SessionCatalogAccess;
  private cachedFormat: FormatContext | null = null;
  private cachedFormatVersion = -1;

  /** transaction_isolation: the block's level as named, else the default a new transaction would take. */
  private isolationName(): string {
    if (this.tx.isolation === 'repeatable read') return 'repeatable read';
    return (this.tx.inBlock ? this.tx.isolationName : null) ?? this.settings.get('default_transaction_isolation');
  }

  /** The formats the settings ask for; rebuilt only when a setting changed. */
  formatContext(): FormatContext {
    const s = this.settings;
    if (this.cachedFormat === null || this.cachedFormatVersion !== s.version) {
      this.cachedFormat = {
        timeZone: s.get('TimeZone'),
        extraFloatDigits: Number(s.get('extra_float_digits')),
        dateStyle: s.get('DateStyle'),
        intervalStyle: s.get('IntervalStyle'),
        catalog: this.catalogAccess.lookup,
      };
      this.cachedFormatVersion = s.version;
    }
    return this.cachedFormat;
  }

  planEnv(): PlanEnv {
    const user = this.roles.currentUser.name;
    return {
      catalog: this.db.catalog,
      searchPath: parseSearchPath(this.settings.get('search_path'), user),
      format: this.formatContext(),
      user,
      roles: this.roles.context(),
      rowSecurity: this.settings.get('row_security') === 'on',
    };
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  private cachedExec: ExecContext | null = null;

  /** The executor's view of this session: one object, its changing parts read through getters. */
  execContext(): ExecContext {
    if (this.cachedExec) return this.cachedExec;
    const session = this;
    this.cachedExec = {
      data: this.data,
      get format() {
        return session.formatContext();
      },
      get user() {
        return session.roles.currentUser.name;
      },
      get sessionUser() {
        return session.roles.sessionUser.name;
      },
      get roles() {
        return session.roles.context();
      },
      database: this.opts.database,
      backendPid: this.opts.processId,
      get transactionStartMicros() {
        // An implicit transaction starts with its statement: now() = statement_timestamp(), never after it.
        const t = session.tx.startMicros;
        return t === null || t > session.statementStart ? session.statementStart : t;
      },
      get statementStartMicros() {
        return session.statementStart;
      },
      getSetting: (name, missingOk) => (missingOk ? (this.settings.tryGet(name) ?? null) : this.settings.get(name)),
      setSetting: (name, value, isLocal) => this.settings.set(name, value, isLocal, this.tx.inBlock),
      checkCancel: () => session.checkCancel(),
      sleep: (ms) => session.sleep(ms),
    };
    return this.cachedExec;
  }

  /** Sends a NoticeResponse unless client_min_messages filters it out. */
  notice(severity: 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG', code: string, message: string, hint?: string): void {
    const min = NOTICE_LEVELS.indexOf(this.settings.get('client_min_messages'));
    const level = severity === 'INFO' ? Infinity : NOTICE_LEVELS.indexOf(severity === 'DEBUG' ? 'debug1' : severity.toLowerCase());
    if (level < min) return;
    backend.noticeResponse(this.out.w, { severity, code, message, hint });
  }

  // ---- cancellation ----

  /** Called by server/ on a matching CancelRequest. Only affects a running statement. */
  cancel(reason = 'canceling statement due to user request'): void {
    this.cancelReason = reason;
    const err = new DbError(SqlState.QueryCanceled, reason);
    for (const wake of this.sleepers) wake(err);
  }

  checkCancel(): void {
    if (this.cancelReason !== null) throw new DbError(SqlState.QueryCanceled, this.cancelReason);
  }

  private sleep(ms: number): Promise<void> {
    this.checkCancel();
    return new Promise((resolve, reject) => {
      const wake = (err: DbError): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        reject(err);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve();
      }, ms);
      this.sleepers.add(wake);
    });
  }

  /** Runs fn as one statement: sets the statement clock, statement_timeout and cancel state. */
  private async asStatement<T>(fn: () => Promise<T>): Promise<T> {
    this.cancelReason = null;
    this.statementStart = nowMicros();
    const timeoutMs = this.settings.statementTimeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => this.cancel('canceling statement due to statement timeout'), timeoutMs) : null;
    try {
      return await fn();
    } finally {
      if (timer) clearTimeout(timer);
      this.cancelReason = null;
      this.data.endStatement();
    }
  }

  // ---- message dispatch ----

  /** Sends the startup burst: ParameterStatus for every reported setting. */
  sendStartupParameters(): void {
    for (const [name, value] of this.settings.reported()) backend.parameterStatus(this.out.w, name, value);
    this.settings.takeChangedReports();
  }

  readyForQuery(): void {
    for (const [name, value] of this.settings.takeChangedReports()) backend.parameterStatus(this.out.w, name, value);
    backend.readyForQuery(this.out.w, this.tx.status as TransactionStatus);
  }

  /** Handles one frontend message. Returns false when the connection should close (Terminate). */
  async handle(msg: FrontendMessage): Promise<boolean> {
    if (this.copyIn) return this.handleCopyMessage(msg);
    if (this.ignoreTillSync && msg.kind !== 'Sync' && msg.kind !== 'Terminate') return true;
    switch (msg.kind) {
      case 'Query':
        await this.simpleQuery(msg.sql);
        return true;
      case 'Parse':
        await this.extended(() => this.parse(msg.name, msg.sql, msg.paramTypes));
        return true;
      case 'Bind':
        await this.extended(() => this.bind(msg));
        return true;
      case 'Describe':
        await this.extended(() => this.describe(msg.target, msg.name));
        return true;
      case 'Execute':
        await this.extended(() => this.execute(msg.portal, msg.maxRows));
        return true;
      case 'Close':
        await this.extended(async () => {
          if (msg.target === 'S') this.prepared.delete(msg.name);
          else this.closePortal(msg.name);
          backend.closeComplete(this.out.w);
        });
        return true;
      case 'Sync':
        this.ignoreTillSync = false;
        try {
          await this.endImplicitTransaction();
        } catch (err) {
          this.sendError(err);
        }
        this.readyForQuery();
        await this.out.flush();
        return true;
      case 'Flush':
        await this.out.flush();
        return true;
      case 'Terminate':
        return false;
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        // Outside COPY these are ignored, as PostgreSQL does.
        return true;
      case 'FunctionCall':
        throw new DbError(SqlState.FeatureNotSupported, 'the fastpath function call protocol is not supported');
      case 'Password':
        throw new DbError(SqlState.ProtocolViolation, 'unexpected password message', { severity: 'FATAL' });
    }
  }

  private sendError(err: unknown, sql?: string): DbError {
    const e = normaliseError(err, this.log);
    if (e.isFatal) throw e;
    backend.errorResponse(this.out.w, errorFields(e, sql));
    return e;
  }

  /** Ends an implicit transaction: commit, or rollback if a statement in it failed. */
  private async endImplicitTransaction(): Promise<void> {
    if (this.tx.implicit) {
      this.portals.clear();
      await this.tx.commit();
    }
  }

  /** Copy-in mode: CopyData feeds the COPY; CopyDone / CopyFail end it. Other messages are a protocol violation. */
  private async handleCopyMessage(msg: FrontendMessage): Promise<boolean> {
    const copy = this.copyIn!;
    switch (msg.kind) {
      case 'CopyData':
        try {
          await copy.target.push(msg.data);
        } catch (err) {
          this.copyIn = null;
          await copy.resume({ error: err });
        }
        return true;
      case 'CopyDone': {
        this.copyIn = null;
        let result: { count: number } | { error: unknown };
        try {
          result = { count: await copy.target.finish() };
        } catch (err) {
          result = { error: err };
        }
        await copy.resume(result);
        return true;
      }
      case 'CopyFail':
        this.copyIn = null;
        await copy.resume({ error: new DbError(SqlState.QueryCanceled, `COPY from stdin failed: ${msg.message}`) });
        return true;
      case 'Flush':
      case 'Sync':
        return true; // allowed during COPY and ignored, as PostgreSQL does
      case 'Terminate':
        return false;
      default:
        this.copyIn = null;
        throw new DbError(SqlState.ProtocolViolation, `unexpected message type 0x${msg.kind} during COPY from stdin`, { severity: 'FATAL' });
    }
  }

  // ---- simple query protocol ----

  private async simpleQuery(sql: string): Promise<void> {
    let statements: ParsedStatement[];
    try {
      await initParser();
      statements = parseSql(sql);
    } catch (err) {
      this.sendError(err, sql);
      this.tx.fail();
      await this.finishSimpleQuery();
      return;
    }
    if (statements.length === 0) backend.emptyQueryResponse(this.out.w);
    this.portals.delete('');
    await this.runSimpleStatements(sql, statements, 0);
  }

  /** Ends a simple Query: implicit commit (or rollback), ReadyForQuery, flush. */
  private async finishSimpleQuery(): Promise<void> {
    try {
      await this.endImplicitTransaction();
    } catch (err) {
      this.sendError(err);
    }
    this.readyForQuery();
    await this.out.flush();
  }

  /** Runs statements[from..] of a simple Query; a COPY FROM pauses here and resumes after CopyDone. */
  private async runSimpleStatements(sql: string, statements: ParsedStatement[], from: number): Promise<void> {
    for (let i = from; i < statements.length; i++) {
      const parsed = statements[i]!;
      let pausedForCopy = false;
      try {
        await this.asStatement(async () => {
          const prepared = this.prepareChecked(parsed, [], true);
          this.tx.beforeStatement(prepared.kind, statements.length > 1);
          if (prepared.startCopyIn) {
            this.beginCopyIn(prepared.startCopyIn(), async (result) => {
              if ('error' in result) {
                this.sendError(result.error, sql);
                this.tx.fail();
                await this.finishSimpleQuery();
                return;
              }
              backend.commandComplete(this.out.w, `COPY ${result.count}`);
              await this.runSimpleStatements(sql, statements, i + 1);
            });
            pausedForCopy = true;
            return;
          }
          const outcome = await prepared.run([]);
          if (prepared.columns && outcome.cursor) {
            backend.rowDescription(this.out.w, this.fields(prepared.columns, []));
            const portal: Portal = {
              name: '',
              prepared,
              params: [],
              resultFormats: [],
              cursor: outcome.cursor,
              buffered: [],
              started: true,
              finished: false,
              tag: outcome.tag,
            };
            await this.streamRows(portal, 0);
          } else {
            backend.commandComplete(this.out.w, outcome.tag);
          }
          this.tx.afterStatement();
        });
      } catch (err) {
        this.sendError(err, sql);
        this.tx.fail();
        break;
      }
      if (pausedForCopy) {
        await this.out.flush();
        return;
      }
    }
    await this.finishSimpleQuery();
  }

  /** Enters copy-in mode: CopyInResponse now; CopyData/CopyDone arrive through handle(). */
  private beginCopyIn(target: CopyIn, resume: (result: { count: number } | { error: unknown }) => Promise<void>): void {
    backend.copyInResponse(this.out.w, target.format, Array.from({ length: target.columnCount }, () => target.format));
    this.copyIn = { target, resume: (r) => this.asStatement(() => resume(r)) };
  }

  /** Prepares a parsed statement, enforcing the aborted-transaction rule (25P02). */
  private prepareChecked(parsed: ParsedStatement, paramTypes: readonly number[], _simple: boolean): Prepared {
    const prepared = prepareStatement(this, parsed, paramTypes);
    if (this.tx.status === 'E' && !prepared.endsFailedTransaction) {
      throw new DbError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    return prepared;
  }

  // ---- extended query protocol ----

  private async extended(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.sendError(err, this.currentSql);
      this.tx.fail();
      this.ignoreTillSync = true;
    }
  }

  private currentSql: string | undefined;

  private async parse(name: string, sql: string, paramTypes: readonly number[]): Promise<void> {
    this.currentSql = sql;
    if (name !== '' && this.prepared.has(name)) {
      throw new DbError(SqlState.DuplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    await initParser();
    const statements = parseSql(sql);
    if (statements.length > 1) {
      throw new DbError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
    }
    for (const oid of paramTypes) {
      if (oid !== 0 && !typeByOid(oid)) throw new DbError(SqlState.UndefinedObject, `type with OID ${oid} does not exist`);
    }
    const prepared: Prepared =
      statements.length === 0
        ? { sql, kind: 'empty', paramTypes, columns: null, endsFailedTransaction: true, run: async () => ({ tag: '' }) }
        : this.prepareChecked(statements[0]!, paramTypes, false);
    this.prepared.set(name, prepared);
    backend.parseComplete(this.out.w);
  }

  private async bind(msg: FrontendMessage & { kind: 'Bind' }): Promise<void> {
    const prepared = this.prepared.get(msg.statement);
    if (!prepared) {
      throw new DbError(
        SqlState.InvalidSqlStatementName,
        msg.statement === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${msg.statement}" does not exist`,
      );
    }
    this.currentSql = prepared.sql;
    if (this.tx.status === 'E' && !prepared.endsFailedTransaction) {
      throw new DbError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (msg.portal !== '' && this.portals.has(msg.portal)) {
      throw new DbError(SqlState.DuplicateCursor, `cursor "${msg.portal}" already exists`);
    }
    const n = prepared.paramTypes.length;
    if (msg.params.length !== n) {
      throw new DbError(
        SqlState.ProtocolViolation,
        `bind message supplies ${msg.params.length} parameters, but prepared statement "${msg.statement}" requires ${n}`,
      );
    }
    if (msg.paramFormats.length > 1 && msg.paramFormats.length !== n) {
      throw new DbError(SqlState.ProtocolViolation, `bind message has ${msg.paramFormats.length} parameter formats but ${n} parameters`);
    }
    const fmt = this.formatContext();
    const params = msg.params.map((raw, i) => {
      if (raw === null) return null;
      const type = typeByOid(prepared.paramTypes[i]!)!;
      const format = formatFor(msg.paramFormats, i);
      try {
        if (format === 1) return type.binaryIn(raw, -1, fmt);
        return type.textIn(raw.toString('utf8'), -1, fmt);
      } catch (err) {
        if (err instanceof DbError && format === 1 && err.code === SqlState.InvalidBinaryRepresentation) {
          throw new DbError(err.code, `incorrect binary data format in bind parameter ${i + 1}`);
        }
        throw err;
      }
    });
    const columns = prepared.columns;
    if (columns && msg.resultFormats.length > 1 && msg.resultFormats.length !== columns.length) {
      throw new DbError(SqlState.ProtocolViolation, `bind message has ${msg.resultFormats.length} result formats but query has ${columns.length} columns`);
    }
    this.closePortal(msg.portal);
    this.portals.set(msg.portal, {
      name: msg.portal,
      prepared,
      params,
      resultFormats: msg.resultFormats,
      cursor: null,
      buffered: [],
      started: false,
      finished: false,
      tag: '',
    });
    backend.bindComplete(this.out.w);
  }

  private closePortal(name: string): void {
    const p = this.portals.get(name);
    if (p) {
      p.cursor?.close();
      this.portals.delete(name);
    }
  }

  private async describe(target: 'S' | 'P', name: string): Promise<void> {
    if (target === 'S') {
      const prepared = this.prepared.get(name);
      if (!prepared) {
        throw new DbError(SqlState.InvalidSqlStatementName, name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`);
      }
      backend.parameterDescription(this.out.w, prepared.paramTypes);
      if (prepared.columns) backend.rowDescription(this.out.w, this.fields(prepared.columns, []));
      else backend.noData(this.out.w);
      return;
    }
    const portal = this.portals.get(name);
    if (!portal) throw new DbError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    if (portal.prepared.columns) backend.rowDescription(this.out.w, this.fields(portal.prepared.columns, portal.resultFormats));
    else backend.noData(this.out.w);
  }

  private async execute(name: string, maxRows: number): Promise<void> {
    const portal = this.portals.get(name);
    if (!portal) throw new DbError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    this.currentSql = portal.prepared.sql;
    if (portal.prepared.kind === 'empty') {
      backend.emptyQueryResponse(this.out.w);
      return;
    }
    if (this.tx.status === 'E' && !portal.prepared.endsFailedTransaction) {
      throw new DbError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    await this.asStatement(async () => {
      if (!portal.started && portal.prepared.startCopyIn) {
        portal.started = true;
        this.tx.beforeStatement(portal.prepared.kind, true);
        this.beginCopyIn(portal.prepared.startCopyIn(), async (result) => {
          portal.finished = true;
          if ('error' in result) {
            this.sendError(result.error, portal.prepared.sql);
            this.tx.fail();
            this.ignoreTillSync = true;
            return;
          }
          backend.commandComplete(this.out.w, `COPY ${result.count}`);
        });
        return;
      }
      if (!portal.started) {
        portal.started = true;
        this.tx.beforeStatement(portal.prepared.kind, true);
        const outcome = await portal.prepared.run(portal.params);
        portal.tag = outcome.tag;
        portal.cursor = outcome.cursor ?? null;
        this.tx.afterStatement();
      }
      if (!portal.cursor) {
        portal.finished = true;
        backend.commandComplete(this.out.w, portal.tag);
        return;
      }
      await this.streamRows(portal, maxRows);
    });
  }

  // ---- results ----

  private fields(columns: readonly OutputColumn[], formats: readonly FormatCode[]): FieldDescription[] {
    return columns.map((c, i) => ({
      name: c.name,
      tableOid: c.tableOid,
      columnAttr: c.columnAttr,
      typeOid: c.type,
      typlen: typeByOid(c.type)?.typlen ?? -1,
      typmod: c.typmod,
      format: formatFor(formats, i),
    }));
  }

  /**
   * Sends rows of a portal: up to maxRows (0 = all), then PortalSuspended if rows remain,
   * else CommandComplete. Flushes to the socket as the buffer fills, so large results stream.
   */
  private async streamRows(portal: Portal, maxRows: number): Promise<void> {
    const columns = portal.prepared.columns!;
    const fmt = this.formatContext();
    const encoders = columns.map((c, i) => {
      const type = typeByOid(c.type);
      if (!type) throw new DbError(SqlState.InternalError, `no output function for type ${c.type}`);
      return formatFor(portal.resultFormats, i) === 1
        ? (v: Value) => type.binaryOut(v, fmt)
        : (v: Value) => type.textOut(v, fmt);
    });
    let sent = 0;
    const w = this.out.w;
    for (;;) {
      if (portal.finished) break;
      let batch: Row[] | null = portal.buffered.length > 0 ? portal.buffered : await portal.cursor!.next();
      portal.buffered = [];
      if (!batch) {
        portal.finished = true;
        break;
      }
      if (maxRows > 0 && sent + batch.length > maxRows) {
        portal.buffered = batch.slice(maxRows - sent);
        batch = batch.slice(0, maxRows - sent);
      }
      for (const row of batch) {
        backend.dataRow(
          w,
          row.map((v, i) => (v === null ? null : encoders[i]!(v))),
        );
      }
      sent += batch.length;
      if (w.length > FLUSH_THRESHOLD_BYTES) await this.out.flush();
      this.checkCancel();
      if (maxRows > 0 && sent >= maxRows) {
        if (portal.buffered.length === 0) {
          const more = await portal.cursor!.next();
          if (more) portal.buffered = more;
          else portal.finished = true;
        }
        if (!portal.finished) {
          backend.portalSuspended(w);
          return;
        }
      }
    }
    backend.commandComplete(w, `${portal.tag} ${sent}`);
  }

  /** Closes everything on disconnect. */
  close(): void {
    this.cancel('terminating connection');
    this.copyIn = null;
    for (const p of this.portals.values()) p.cursor?.close();
    this.portals.clear();
    closeAllCursors(this.sqlCursors);
    if (this.tx.status !== 'I') this.tx.rollback();
    releaseAdvisoryLocks(this.opts.processId, 'all');
  }
}
