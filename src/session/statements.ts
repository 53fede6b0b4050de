/**
 * Turns a parsed statement into a Prepared: SELECTs go through planner/ and executor/;
 * utility statements (SET, SHOW, transaction control, PREPARE/EXECUTE/DEALLOCATE, DISCARD)
 * are run by the session itself. Unsupported statements fail with 0A000 here, before any
 * side effect.
 */
import { runCreateView, runRenameView, viewCommentTarget } from './ddl-views.ts';
import { DbError, SqlState, assertNever, notSupported } from '../errors/index.ts';
import { ArrayCursor, privileges, compile, openCursor, runModify, type ExecContext, type ModifyPlan, type VectorTopKTrace, type OutputColumn, type Plan, type PlannedQuery } from '../executor/index.ts';
import { bindExpr, bindTypeName, coerce, planInsert, planSelect, planUpdateOrDelete, explainLines, resolveTable, resolveView, ParamTypes, type PlanEnv } from '../planner/index.ts';
import type { MessageWriter } from '../protocol/index.ts';
import type { ParsedStatement, Statement } from '../sql/index.ts';
import { Oid, type FormatContext } from '../types/index.ts';
import { runCopyOut, startCopyIn } from './copy.ts';
import type { Database } from './database.ts';
import { runDdl } from './ddl.ts';
import { runSecurity, securityTag } from './roles-ddl.ts';
import type { SessionRoles } from './roles.ts';
import type { Portal, Prepared } from './prepared.ts';
import { Settings } from './settings.ts';
import type { Transaction } from './transaction.ts';
import { createExtension, dropExtensions } from './extensions.ts';
import { runLockTable } from './table-locks.ts';
import { closeAllCursors, closeCursor, declareCursor, fetchCursor, type SqlCursor } from './sql-cursors.ts';

/** VACUUM's bound on maintenance passes (each merges what it planned; a level settles in several). */
const VACUUM_MAX_PASSES = 64;

/** What statements may ask of their session. */
export interface StatementHost {
  readonly settings: Settings;
  readonly tx: Transaction;
  readonly prepared: Map<string, Prepared>;
  readonly portals: Map<string, Portal>;
  /** SQL-level cursors (DECLARE / FETCH / CLOSE). */
  readonly sqlCursors: Map<string, SqlCursor>;
  readonly w: MessageWriter;
  readonly db: Database;
  /** session_user, SET ROLE and the current role's privileges. */
  readonly roles: SessionRoles;
  formatContext(): FormatContext;
  planEnv(): PlanEnv;
  execContext(): ExecContext;
  notice(severity: 'WARNING' | 'NOTICE', code: string, message: string, hint?: string): void;
  flush(): Promise<void>;
}

const textColumn = (name: string): OutputColumn => ({ name, type: Oid.text, typmod: -1, tableOid: 0, columnAttr: 0 });

/**
 * A plan that is rebuilt when DDL has run since it was made (a prepared statement over a table
 * that was dropped and re-created, or altered), as PostgreSQL re-plans invalidated cached
 * plans. Like PostgreSQL, a new plan may not change the statement's result columns or
 * parameter types (0A000 "cached plan must not change result type").
 */
function replanning<P extends PlannedQuery>(host: StatementHost, plan: () => P): () => P {
  // Privilege checks and row-level security policies are decided at plan time: a plan is
  // also rebuilt when the current role changed (SET ROLE, SET SESSION AUTHORIZATION).
  const key = (): string => `${host.db.catalogGeneration.value}\u0000${host.roles.currentUser.oid}\u0000${host.settings.get('row_security')}`;
  let planned = plan();
  let generation = key();
  const shape = (p: P): string => JSON.stringify([p.columns.map((c) => [c.type, c.typmod]), p.paramTypes]);
  const original = shape(planned);
  return () => {
    if (generation !== key()) {
      const next = plan();
      if (shape(next) !== original) throw notSupported('cached plan must not change result type');
      planned = next;
      generation = key();
    }
    return planned;
  };
}

/** A statement that returns no rows and runs `fn` when executed (the tag is read after fn ran). */
function command(sql: string, kind: string, tag: string | (() => string), fn: () => void | Promise<void>, endsFailedTransaction = false): Prepared {
  return {
    sql,
    kind,
    paramTypes: [],
    columns: null,
    endsFailedTransaction,
    run: async () => {
      const t = typeof tag === 'string' ? tag : tag();
      await fn();
      return { tag: t };
    },
  };
}

/**
 * The isolation level a BEGIN / SET TRANSACTION names, as Tessera runs it: READ UNCOMMITTED is
 * READ COMMITTED (as in PostgreSQL); REPEATABLE READ only for READ ONLY transactions (one
 * snapshot of every table for the whole block, session/data-access.ts); SERIALIZABLE is 0A000.
 */
function isolationLevel(level: string | null): 'read committed' | 'repeatable read' | null {
  const l = level?.toLowerCase() ?? null;
  if (l === null) return null;
  if (l === 'read committed' || l === 'read uncommitted') return 'read committed';
  if (l === 'repeatable read') return 'repeatable read';
  throw notSupported(`isolation level ${l.toUpperCase()} is not supported`, 'Tessera runs READ COMMITTED, and REPEATABLE READ for READ ONLY transactions.');
}

const repeatableReadWrite = (): DbError =>
  notSupported('REPEATABLE READ is supported for READ ONLY transactions only', 'Use BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY.');

const noSavepoint = (name: string): DbError => new DbError(SqlState.SavepointException, `savepoint "${name}" does not exist`);

function transactionStatement(host: StatementHost, sql: string, stmt: Statement & { kind: 'transaction' }): Prepared {
  const tx = host.tx;
  switch (stmt.op) {
    case 'begin':
    case 'start':
      return command(sql, 'transaction', stmt.op === 'start' ? 'START TRANSACTION' : 'BEGIN', () => {
        const level = isolationLevel(stmt.isolation);
        if (tx.inBlock) {
          host.notice('WARNING', SqlState.ActiveSqlTransaction, 'there is already a transaction in progress');
          return;
        }
        const readOnly = stmt.readOnly ?? host.settings.get('default_transaction_read_only') === 'on';
        if (level === 'repeatable read' && !readOnly) throw repeatableReadWrite();
        tx.begin(stmt.readOnly);
        if (level) tx.isolation = level;
        tx.isolationName = stmt.isolation?.toLowerCase() ?? host.settings.get('default_transaction_isolation');
      });
    case 'commit': {
      if (stmt.chain) throw notSupported('COMMIT AND CHAIN is not supported');
      return command(
        sql,
        'transaction',
        () => (tx.failed && tx.inBlock ? 'ROLLBACK' : 'COMMIT'),
        async () => {
          if (!tx.inBlock) host.notice('WARNING', SqlState.NoActiveSqlTransaction, 'there is no transaction in progress');
          else await tx.commit();
        },
        true,
      );
    }
    case 'rollback':
      if (stmt.chain) throw notSupported('ROLLBACK AND CHAIN is not supported');
      return command(sql, 'transaction', 'ROLLBACK', () => {
        if (!tx.inBlock) host.notice('WARNING', SqlState.NoActiveSqlTransaction, 'there is no transaction in progress');
        else tx.rollback();
      }, true);
    case 'savepoint':
      return command(sql, 'transaction', 'SAVEPOINT', () => {
        if (!tx.inBlock) throw new DbError(SqlState.NoActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
        host.settings.savepoint(stmt.savepoint!);
        tx.savepoint(stmt.savepoint!);
      });
    case 'release':
      return command(sql, 'transaction', 'RELEASE', () => {
        if (!tx.inBlock) throw new DbError(SqlState.NoActiveSqlTransaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        if (!host.settings.releaseSavepoint(stmt.savepoint!)) throw noSavepoint(stmt.savepoint!);
        tx.releaseSavepoint(stmt.savepoint!);
      });
    case 'rollback_to':
      return command(sql, 'transaction', 'ROLLBACK', () => {
        if (!tx.inBlock) throw new DbError(SqlState.NoActiveSqlTransaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        if (!host.settings.hasSavepoint(stmt.savepoint!)) throw noSavepoint(stmt.savepoint!);
        tx.rollbackToSavepoint(stmt.savepoint!);
        host.settings.rollbackToSavepoint(stmt.savepoint!);
        tx.failed = false;
      }, true);
    default:
      return assertNever(stmt.op, 'transaction op');
  }
}

function showStatement(host: StatementHost, sql: string, name: string): Prepared {
  if (name.toLowerCase() === 'all') {
    return {
      sql,
      kind: 'show',
      paramTypes: [],
      columns: [textColumn('name'), textColumn('setting'), textColumn('description')],
      endsFailedTransaction: false,
      run: async () => ({ tag: 'SHOW', cursor: new ArrayCursor(host.settings.all().map((r) => [r.name, r.setting, r.description])) }),
    };
  }
  host.settings.get(name); // unknown names fail at prepare time, as in PostgreSQL
  return {
    sql,
    kind: 'show',
    paramTypes: [],
    columns: [textColumn(Settings.displayName(name) === name.toLowerCase() ? displayCase(name) : name)],
    endsFailedTransaction: false,
    run: async () => ({ tag: 'SHOW', cursor: new ArrayCursor([[host.settings.get(name)]]) }),
  };
}

/** SHOW's column is named as the setting is defined (e.g. "TimeZone", "DateStyle"). */
function displayCase(name: string): string {
  for (const r of new Settings().all()) if (r.name.toLowerCase() === Settings.displayName(name)) return r.name;
  return name;
}

/** The command names of DDL statements, for the read-only transaction error. */
const DDL_COMMANDS: Record<string, string> = {
  create_table: 'CREATE TABLE',
  create_schema: 'CREATE SCHEMA',
  drop: 'DROP',
  alter_table: 'ALTER TABLE',
  truncate: 'TRUNCATE TABLE',
  create_index: 'CREATE INDEX',
  drop_index: 'DROP INDEX',
  reindex: 'REINDEX',
};

/** Prepares any parsed statement. `paramTypes` are the client-declared types (0 = infer). */
export function prepareStatement(host: StatementHost, parsed: ParsedStatement, paramTypes: readonly number[]): Prepared {
  const stmt = parsed.stmt;
  const sql = parsed.sql;
  switch (stmt.kind) {
    case 'select': {
      const current = replanning(host, () => planSelect(stmt, paramTypes, host.planEnv()));
      const planned = current();
      return {
        sql,
        kind: 'select',
        paramTypes: planned.paramTypes,
        columns: planned.columns,
        endsFailedTransaction: false,
        run: async (params) => {
          host.execContext().data.beginQuery?.();
          return { tag: 'SELECT', cursor: openCursor(current().plan, params, host.execContext()) };
        },
      };
    }
    case 'set': {
      const value = stmt.values === null ? null : stmt.values.map((v) => v.text).join(', ');
      return command(sql, 'set', 'SET', () => {
        if (stmt.local && !host.tx.inBlock) {
          host.notice('WARNING', SqlState.NoActiveSqlTransaction, 'SET LOCAL can only be used in transaction blocks');
        }
        host.settings.set(stmt.name, value, stmt.local, host.tx.inBlock);
      });
    }
    case 'reset':
      return command(sql, 'set', 'RESET', () => host.settings.reset(stmt.name));
    case 'set_transaction':
      return command(sql, 'set', 'SET', () => {
        const level = isolationLevel(stmt.isolation);
        if (stmt.session) {
          if (level === 'repeatable read') throw repeatableReadWrite();
          if (stmt.readOnly !== null) host.settings.set('default_transaction_read_only', stmt.readOnly ? 'on' : 'off', false, host.tx.inBlock);
          if (stmt.isolation !== null) host.settings.set('default_transaction_isolation', stmt.isolation.toLowerCase(), false, host.tx.inBlock);
          return;
        }
        if (!host.tx.inBlock) {
          host.notice('WARNING', SqlState.NoActiveSqlTransaction, 'SET TRANSACTION can only be used in transaction blocks');
          return;
        }
        if (level && level !== host.tx.isolation && host.tx.queried) throw new DbError(SqlState.ActiveSqlTransaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
        const readOnly = stmt.readOnly ?? host.tx.readOnly;
        if ((level ?? host.tx.isolation) === 'repeatable read' && !readOnly) throw repeatableReadWrite();
        host.tx.readOnly = readOnly;
        if (level) host.tx.isolation = level;
        if (stmt.isolation !== null) host.tx.isolationName = stmt.isolation.toLowerCase();
      });
    case 'set_transaction_snapshot':
      return command(sql, 'set', 'SET', () => {
        if (!host.tx.inBlock) host.notice('WARNING', SqlState.NoActiveSqlTransaction, 'SET TRANSACTION can only be used in transaction blocks');
        host.execContext().data.importSnapshot?.(stmt.id);
      });
    case 'show':
      return showStatement(host, sql, stmt.name);
    case 'transaction':
      return transactionStatement(host, sql, stmt);
    case 'discard':
      return command(sql, 'discard', `DISCARD ${stmt.target.toUpperCase()}`, () => {
        if (stmt.target !== 'all') return; // no cached plans, sequences or temp objects outlive a statement yet
        if (host.tx.inBlock) throw new DbError(SqlState.ActiveSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
        host.settings.reset(null);
        host.prepared.clear();
        for (const p of host.portals.values()) p.cursor?.close();
        host.portals.clear();
        closeAllCursors(host.sqlCursors);
      });
    case 'prepare': {
      if (host.prepared.has(stmt.name)) {
        throw new DbError(SqlState.DuplicatePreparedStatement, `prepared statement "${stmt.name}" already exists`);
      }
      const types = stmt.paramTypes.map((t) => bindTypeName(t).type);
      const body = prepareStatement(host, { stmt: stmt.body, sql, offset: parsed.offset }, types);
      return command(sql, 'prepare', 'PREPARE', () => {
        if (host.prepared.has(stmt.name)) {
          throw new DbError(SqlState.DuplicatePreparedStatement, `prepared statement "${stmt.name}" already exists`);
        }
        host.prepared.set(stmt.name, body);
      });
    }
    case 'execute': {
      const target = host.prepared.get(stmt.name);
      if (!target) throw new DbError(SqlState.InvalidSqlStatementName, `prepared statement "${stmt.name}" does not exist`);
      if (stmt.params.length !== target.paramTypes.length) {
        throw new DbError(SqlState.SyntaxError, `wrong number of parameters for prepared statement "${stmt.name}"`, {
          detail: `Expected ${target.paramTypes.length} parameters but got ${stmt.params.length}.`,
        });
      }
      const ctx = { params: new ParamTypes([]), scope: [], format: host.formatContext() };
      if (target.startCopyIn) throw notSupported('EXECUTE of a prepared COPY is not supported');
      const args = stmt.params.map((p, i) => compile(coerce(bindExpr(p, ctx), target.paramTypes[i]!, -1, 'assignment', ctx, -1)));
      return {
        ...target,
        sql,
        paramTypes: [],
        run: async () => target.run(args.map((a) => a([], [], host.execContext()))),
      };
    }
    case 'deallocate':
      return command(sql, 'deallocate', stmt.name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE', () => {
        if (stmt.name === null) host.prepared.clear();
        else if (!host.prepared.delete(stmt.name)) {
          throw new DbError(SqlState.InvalidSqlStatementName, `prepared statement "${stmt.name}" does not exist`);
        }
      });
    case 'create_table':
    case 'create_schema':
    case 'drop':
    case 'alter_table':
    case 'truncate':
    case 'create_index':
    case 'drop_index':
    case 'reindex': {
      return {
        sql,
        kind: 'ddl',
        paramTypes: [],
        columns: null,
        endsFailedTransaction: false,
        run: async () => {
          host.tx.assertWritable(DDL_COMMANDS[stmt.kind]);
          return { tag: await runDdl(host, stmt) };
        },
      };
    }
    case 'insert':
    case 'update':
    case 'delete': {
      // A write through a view in a read-only transaction: 25006 first, as PostgreSQL reports it (its views are auto-updatable).
      if (resolveView(host.planEnv(), stmt.table)) host.tx.assertWritable(stmt.kind.toUpperCase());
      const current = replanning(host, () => {
        const env = host.planEnv();
        return stmt.kind === 'insert' ? planInsert(stmt, paramTypes, env) : planUpdateOrDelete(stmt, paramTypes, env);
      });
      const planned = current();
      return {
        sql,
        kind: stmt.kind,
        paramTypes: planned.paramTypes,
        columns: planned.returningColumns,
        endsFailedTransaction: false,
        run: async (params) => {
          host.tx.assertWritable(stmt.kind.toUpperCase()); // before any row is read, as PostgreSQL's executor start
          host.execContext().data.beginQuery?.();
          const p = current();
          const r = await runModify(p.modify, p.plan, p.rowColumns, params, host.execContext());
          if (r.returned) return { tag: p.tag, cursor: new ArrayCursor(r.returned) };
          return { tag: `${p.tag} ${r.count}` };
        },
      };
    }
    case 'copy': {
      if (stmt.direction === 'from') {
        return {
          sql,
          kind: 'copy',
          paramTypes: [],
          columns: null,
          endsFailedTransaction: false,
          run: async () => ({ tag: 'COPY' }),
          startCopyIn: () => startCopyIn(stmt, host.planEnv(), host.execContext()),
        };
      }
      return {
        sql,
        kind: 'copy',
        paramTypes: [],
        columns: null,
        endsFailedTransaction: false,
        run: async () => ({ tag: `COPY ${await runCopyOut(stmt, host.planEnv(), host.execContext(), host.w, () => host.flush())}` }),
      };
    }
    case 'explain':
      return explainStatement(host, sql, stmt, paramTypes);
    case 'comment':
      return command(sql, 'ddl', 'COMMENT', () => {
        host.tx.assertWritable('COMMENT');
        const names = stmt.target === 'column' ? stmt.names.slice(0, -1) : stmt.names;
        const onView = viewCommentTarget(host, names, stmt.target === 'column' ? stmt.names[stmt.names.length - 1]! : null);
        if (onView || stmt.target === 'view') {
          if (!onView) throw new DbError(SqlState.UndefinedTable, `relation "${names.join('.')}" does not exist`);
          if (stmt.target === 'table') throw new DbError(SqlState.WrongObjectType, `"${names[names.length - 1]}" is not a table`);
          host.db.catalog.setComment(onView.id, onView.attnum, stmt.text);
          return;
        }
        const table = resolveTable(host.planEnv(), { schema: names.length > 1 ? names[names.length - 2]! : null, name: names[names.length - 1]!, location: -1 });
        privileges.requireTableOwner(host.planEnv().roles, table);
        let attnum = 0;
        if (stmt.target === 'column') {
          const column = stmt.names[stmt.names.length - 1]!;
          const col = table.columns.find((c) => !c.dropped && c.name === column);
          if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${column}" of relation "${table.name}" does not exist`);
          attnum = col.attnum;
        }
        host.db.catalog.setComment(table.tableId, attnum, stmt.text);
      });
    case 'vacuum':
      return command(sql, 'vacuum', 'VACUUM', async () => {
        if (host.tx.inBlock) throw new DbError(SqlState.ActiveSqlTransaction, 'VACUUM cannot run inside a transaction block');
        for (const t of stmt.tables) resolveTable(host.planEnv(), t);
        // Passes until nothing is left to merge (a level of packed files settles over several).
        for (let pass = 0; pass < VACUUM_MAX_PASSES && (await host.db.storage.settle()).merged > 0; pass++);
      });
    case 'extension':
      return command(sql, 'extension', stmt.op === 'create' ? 'CREATE EXTENSION' : 'DROP EXTENSION', () =>
        stmt.op === 'create' ? createExtension(host, stmt.names[0]!, stmt.ifExists) : dropExtensions(host, stmt.names, stmt.ifExists));
    case 'declare_cursor':
      return declareCursor(host, sql, stmt, prepareStatement(host, { stmt: stmt.query, sql, offset: parsed.offset }, paramTypes));
    case 'fetch':
      return fetchCursor(host, sql, stmt);
    case 'close_cursor':
      return closeCursor(host, sql, stmt);
    case 'create_role':
    case 'alter_role':
    case 'rename_role':
    case 'drop_role':
    case 'reassign_owned':
    case 'drop_owned':
    case 'grant_role':
    case 'grant':
    case 'set_role':
    case 'create_policy':
    case 'alter_policy':
    case 'drop_policy':
    case 'alter_table_security':
      return command(sql, stmt.kind === 'set_role' ? 'set' : 'ddl', securityTag(stmt), () => {
        runSecurity(host, stmt);
      }, false);
    case 'lock_table':
      return command(sql, 'lock', 'LOCK TABLE', () => runLockTable(host, stmt));
    case 'create_view':
      return command(sql, 'ddl', 'CREATE VIEW', () => {
        host.tx.assertWritable('CREATE VIEW');
        runCreateView(host, stmt, sql);
      });
    case 'rename_view':
      return command(sql, 'ddl', 'ALTER VIEW', () => {
        host.tx.assertWritable('ALTER VIEW');
        runRenameView(host, stmt);
      });
    case 'unsupported':
      throw notSupported(`${stmt.what} is not supported yet`);
    default:
      return assertNever(stmt, 'statement');
  }
}

/**
 * EXPLAIN [ANALYZE]: the plan's lines as rows of one text column "QUERY PLAN". ANALYZE runs
 * the statement (modifications included, as in PostgreSQL) and adds its row count and time.
 */
function explainStatement(host: StatementHost, sql: string, stmt: Statement & { kind: 'explain' }, paramTypes: readonly number[]): Prepared {
  const inner = stmt.stmt;
  const env = host.planEnv();
  let planned: { plan: Plan; paramTypes: readonly number[]; modify?: ModifyPlan; rowColumns?: readonly OutputColumn[]; tag?: string };
  let table: string | null = null;
  switch (inner.kind) {
    case 'select':
      planned = planSelect(inner, paramTypes, env);
      break;
    case 'insert':
    case 'update':
    case 'delete':
      planned = inner.kind === 'insert' ? planInsert(inner, paramTypes, env) : planUpdateOrDelete(inner, paramTypes, env);
      table = inner.table.name;
      break;
    default:
      throw notSupported(`EXPLAIN of ${inner.kind.toUpperCase()} is not supported`);
  }
  const lines = explainLines(planned.plan, planned.modify && table ? { kind: planned.modify.kind, table } : undefined, {
    efSearch: Number(host.settings.get('hnsw.ef_search')),
  });
  return {
    sql,
    kind: 'select',
    paramTypes: planned.paramTypes,
    columns: [textColumn('QUERY PLAN')],
    endsFailedTransaction: false,
    run: async (params) => {
      if (!stmt.analyze) return { tag: 'EXPLAIN', cursor: new ArrayCursor(lines.map((l) => [l])) };
      const started = performance.now();
      let rows = 0;
      // The statement's own context, with a trace its vector top-k nodes count into.
      const trace: VectorTopKTrace = { graphSearches: 0, maxK: 0, exactScans: 0, scanCapped: 0 };
      const ctx = Object.create(host.execContext(), { vectorTrace: { value: trace } }) as ExecContext;
      if (planned.modify) {
        const r = await runModify(planned.modify, planned.plan, planned.rowColumns!, params, ctx);
        rows = r.count;
      } else {
        const cursor = openCursor(planned.plan, params, ctx);
        for (let b = await cursor.next(); b; b = await cursor.next()) rows += b.length;
      }
      const ms = (performance.now() - started).toFixed(3);
      const vector = trace.graphSearches + trace.exactScans === 0 ? [] : [
        `Vector Top-K: ${trace.graphSearches} graph searches (k up to ${trace.maxK}), ${trace.exactScans} exact segment scans (${trace.scanCapped} past hnsw.max_scan_tuples)`,
      ];
      return { tag: 'EXPLAIN', cursor: new ArrayCursor([...lines, ...vector, `Rows: ${rows}`, `Execution Time: ${ms} ms`].map((l) => [l])) };
    },
  };
}
