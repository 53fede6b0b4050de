/**
 * Converts libpg-query's DDL and DML statements (CREATE/DROP/ALTER TABLE, CREATE SCHEMA,
 * TRUNCATE, INSERT, UPDATE, DELETE, COPY) into Tessera's AST. Forms Tessera does not
 * implement are rejected with 0A000 here, naming the clause.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { errorPosition } from './position.ts';
import { convertDropIndex, convertIndexStmt, convertReindex } from './convert-index.ts';
import { convertDropView, convertRenameView, convertViewStmt, refuseMaterializedView } from './convert-view.ts';
import type {
  OnConflictClause,
  PartitionSpec,
  PartitionOf,
  AlterTableCommand,
  ColumnDefinition,
  CopyOptions,
  InsertSource,
  QualifiedName,
  SelectTarget,
  Statement,
  StoredExpr,
  TableConstraint,
} from './ast.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

/** Functions from convert.ts, passed in to keep the two files free of an import cycle. */
export interface ConvertHelpers {
  convertExpr(node: Raw): import('./ast.ts').Expr;
  convertTypeName(node: Raw): import('./ast.ts').TypeName;
  convertSelect(node: Raw): import('./ast.ts').SelectStmt;
  convertTargets(list: Raw[] | undefined): SelectTarget[];
  convertFromItem(node: Raw): import('./ast.ts').FromItem;
}

const at = errorPosition;

export function qualifiedName(rv: Raw): QualifiedName {
  if (rv.catalogname) throw notSupported('cross-database references are not implemented').at(at(rv.location));
  return { schema: rv.schemaname ?? null, name: rv.relname, location: rv.location ?? -1 };
}

function stored(h: ConvertHelpers, raw: Raw): StoredExpr {
  return { expr: h.convertExpr(raw), raw: JSON.stringify(raw) };
}

function columnDefinition(h: ConvertHelpers, c: Raw): ColumnDefinition {
  if (c.collClause) throw notSupported('COLLATE is not supported; Tessera compares text in the "C" collation').at(at(c.location));
  let notNull = false;
  let defaultExpr: StoredExpr | null = null;
  let identity: ColumnDefinition['identity'] = null;
  let primaryKey = false;
  let unique = false;
  const checks: { name: string | null; expr: StoredExpr }[] = [];
  for (const k of (c.constraints ?? []) as Raw[]) {
    const con = k.Constraint;
    switch (con.contype) {
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_NULL':
        break;
      case 'CONSTR_DEFAULT':
        defaultExpr = stored(h, con.raw_expr);
        break;
      case 'CONSTR_IDENTITY':
        if (con.options?.length) throw notSupported('identity sequence options are not supported yet').at(at(con.location));
        identity = con.generated_when === 'a' ? 'always' : 'by default';
        notNull = true;
        break;
      case 'CONSTR_PRIMARY':
        primaryKey = true;
        notNull = true;
        break;
      case 'CONSTR_UNIQUE':
        unique = true;
        break;
      case 'CONSTR_CHECK':
        checks.push({ name: con.conname ?? null, expr: stored(h, con.raw_expr) });
        break;
      case 'CONSTR_FOREIGN':
        throw notSupported('foreign keys are not supported').at(at(con.location));
      case 'CONSTR_GENERATED':
        throw notSupported('generated columns are not supported yet').at(at(con.location));
      default:
        throw notSupported(`column constraint ${String(con.contype).replace('CONSTR_', '')} is not supported`).at(at(con.location));
    }
  }
  return { name: c.colname, type: h.convertTypeName(c.typeName), notNull, defaultExpr, identity, primaryKey, unique, checks, location: c.location ?? -1 };
}

function tableConstraint(h: ConvertHelpers, con: Raw): TableConstraint {
  const columns = ((con.keys ?? []) as Raw[]).map((k: Raw) => k.String.sval as string);
  switch (con.contype) {
    case 'CONSTR_PRIMARY':
      return { kind: 'primary', name: con.conname ?? null, columns, expr: null, location: con.location ?? -1 };
    case 'CONSTR_UNIQUE':
      return { kind: 'unique', name: con.conname ?? null, columns, expr: null, location: con.location ?? -1 };
    case 'CONSTR_CHECK':
      return { kind: 'check', name: con.conname ?? null, columns: [], expr: stored(h, con.raw_expr), location: con.location ?? -1 };
    default:
      throw notSupported(`table constraint ${String(con.contype).replace('CONSTR_', '')} is not supported`).at(at(con.location));
  }
}

function defElemValue(d: Raw): string {
  const a = d.arg;
  if (a === undefined) return 'true';
  if (a.String) return a.String.sval;
  if (a.Integer) return String(a.Integer.ival ?? 0);
  if (a.Float) return a.Float.fval;
  if (a.Boolean) return a.Boolean.boolval ? 'true' : 'false';
  if (a.TypeName) return (a.TypeName.names as Raw[]).map((n: Raw) => n.String.sval).join('.');
  if (a.List) return (a.List.items as Raw[]).map((n: Raw) => n.String?.sval ?? '').join(',');
  throw new DbError(SqlState.SyntaxError, `invalid value for option "${d.defname}"`);
}

function createTable(h: ConvertHelpers, n: Raw): Statement {
  if (n.inhRelations?.length && !n.partbound) throw notSupported('table inheritance is not supported');
  if (n.ofTypename) throw notSupported('CREATE TABLE OF type is not supported');
  if (n.relation.relpersistence === 't') throw notSupported('temporary tables are not supported yet');
  const columns: ColumnDefinition[] = [];
  const constraints: TableConstraint[] = [];
  for (const e of (n.tableElts ?? []) as Raw[]) {
    if (e.ColumnDef) columns.push(columnDefinition(h, e.ColumnDef));
    else if (e.Constraint) constraints.push(tableConstraint(h, e.Constraint));
    else throw notSupported('LIKE in CREATE TABLE is not supported');
  }
  const options: Record<string, string> = {};
  for (const o of (n.options ?? []) as Raw[]) options[o.DefElem.defname] = defElemValue(o.DefElem);
  return {
    kind: 'create_table', table: qualifiedName(n.relation), ifNotExists: n.if_not_exists === true, columns, constraints, options,
    partitionBy: n.partspec ? partitionSpec(n.partspec) : null,
    partitionOf: n.partbound ? partitionOf(h, n) : null,
  };
}

/** CREATE TABLE ... PARTITION OF parent FOR VALUES IN (...): only LIST bounds (docs/tenants.md). */
function partitionOf(h: ConvertHelpers, n: Raw): PartitionOf {
  const b = n.partbound;
  if (b.is_default) throw notSupported('DEFAULT partitions are not supported: every key value without a named partition is already its own tenant').at(at(b.location));
  if (n.partspec) throw notSupported('a partition of a partitioned table cannot be partitioned again in Tessera').at(at(n.partspec.location));
  if (n.tableElts?.length) throw notSupported('column and constraint definitions in CREATE TABLE ... PARTITION OF are not supported').at(at(n.relation.location));
  if (n.options?.length) throw notSupported('WITH options of a partition are not supported: the parent table holds the data').at(at(n.relation.location));
  return {
    parent: qualifiedName(n.inhRelations[0].RangeVar), strategy: b.strategy === 'l' ? 'list' : b.strategy === 'r' ? 'range' : 'hash',
    values: ((b.listdatums ?? []) as Raw[]).map((d) => h.convertExpr(d)), location: b.location ?? -1,
  };
}

function partitionSpec(p: Raw): PartitionSpec {
  const strategy = String(p.strategy).replace('PARTITION_STRATEGY_', '').toLowerCase() as PartitionSpec['strategy'];
  const columns = ((p.partParams ?? []) as Raw[]).map((e: Raw) => {
    const el = e.PartitionElem;
    if (!el.name) throw notSupported('partition keys that are expressions are not supported: name a column').at(at(el.location));
    if (el.collation || el.opclass) throw notSupported('COLLATE and operator classes in a partition key are not supported').at(at(el.location));
    return el.name as string;
  });
  return { strategy, columns, location: p.location ?? 0 };
}

function alterTable(h: ConvertHelpers, n: Raw): Statement {
  if (n.objtype !== 'OBJECT_TABLE') throw notSupported(`ALTER ${String(n.objtype).replace('OBJECT_', '')} is not supported`);
  const commands: AlterTableCommand[] = ((n.cmds ?? []) as Raw[]).map((c: Raw): AlterTableCommand => {
    const cmd = c.AlterTableCmd;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        return { kind: 'add_column', column: columnDefinition(h, cmd.def.ColumnDef), ifNotExists: cmd.missing_ok === true };
      case 'AT_DropColumn':
        return { kind: 'drop_column', name: cmd.name, ifExists: cmd.missing_ok === true, cascade: cmd.behavior === 'DROP_CASCADE' };
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions': {
        const options: Record<string, string> = {};
        for (const o of (cmd.def?.List?.items ?? []) as Raw[]) options[o.DefElem.defname] = defElemValue(o.DefElem);
        return { kind: 'set_options', options, reset: cmd.subtype === 'AT_ResetRelOptions' };
      }
      case 'AT_AddConstraint':
        return { kind: 'add_constraint', constraint: tableConstraint(h, cmd.def.Constraint) };
      case 'AT_DropConstraint':
        if (cmd.behavior === 'DROP_CASCADE') throw notSupported('DROP CONSTRAINT ... CASCADE is not supported');
        return { kind: 'drop_constraint', name: cmd.name, ifExists: cmd.missing_ok === true };
      case 'AT_SetNotNull':
      case 'AT_DropNotNull':
        return { kind: 'set_not_null', column: cmd.name, notNull: cmd.subtype === 'AT_SetNotNull' };
      case 'AT_ColumnDefault':
        return { kind: 'set_default', column: cmd.name, expr: cmd.def ? stored(h, cmd.def) : null };
      case 'AT_AlterColumnType':
        return { kind: 'alter_column_type', column: cmd.name };
      case 'AT_AttachPartition':
      case 'AT_DetachPartition':
        throw notSupported(`ALTER TABLE ${cmd.subtype === 'AT_AttachPartition' ? 'ATTACH' : 'DETACH'} PARTITION is not supported: a named partition is a view of its parent's rows (drop it or create it instead)`);
      default:
        throw notSupported(`ALTER TABLE ${String(cmd.subtype).replace('AT_', '')} is not supported yet`);
    }
  });
  return { kind: 'alter_table', table: qualifiedName(n.relation), ifExists: n.missing_ok === true, commands };
}

function rename(n: Raw): Statement {
  if (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_TABLE') {
    return { kind: 'alter_table', table: qualifiedName(n.relation), ifExists: n.missing_ok === true, commands: [{ kind: 'rename_column', from: n.subname, to: n.newname }] };
  }
  if ((n.renameType === 'OBJECT_VIEW' || (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_VIEW')) && n.newname) return convertRenameView(n);
  if (n.renameType === 'OBJECT_MATVIEW') refuseMaterializedView();
  if (n.renameType === 'OBJECT_TABLE') {
    return { kind: 'alter_table', table: qualifiedName(n.relation), ifExists: n.missing_ok === true, commands: [{ kind: 'rename_table', to: n.newname }] };
  }
  throw notSupported(`ALTER ${String(n.renameType).replace('OBJECT_', '')} ... RENAME is not supported`);
}

function drop(n: Raw): Statement {
  const cascade = n.behavior === 'DROP_CASCADE';
  if (n.removeType === 'OBJECT_TABLE') {
    const names = ((n.objects ?? []) as Raw[]).map((o: Raw): QualifiedName => {
      const parts = (o.List.items as Raw[]).map((p: Raw) => p.String.sval as string);
      if (parts.length > 2) throw notSupported('cross-database references are not implemented');
      return parts.length === 2 ? { schema: parts[0]!, name: parts[1]!, location: -1 } : { schema: null, name: parts[0]!, location: -1 };
    });
    return { kind: 'drop', objectType: 'table', names, ifExists: n.missing_ok === true, cascade };
  }
  if (n.removeType === 'OBJECT_SCHEMA') {
    const names = ((n.objects ?? []) as Raw[]).map((o: Raw): QualifiedName => ({ schema: null, name: o.String.sval, location: -1 }));
    return { kind: 'drop', objectType: 'schema', names, ifExists: n.missing_ok === true, cascade };
  }
  if (n.removeType === 'OBJECT_INDEX') return convertDropIndex(n);
  if (n.removeType === 'OBJECT_VIEW' || n.removeType === 'OBJECT_MATVIEW') return convertDropView(n);
  if (n.removeType === 'OBJECT_EXTENSION') {
    return { kind: 'extension', op: 'drop', names: ((n.objects ?? []) as Raw[]).map((o: Raw) => o.String?.sval as string), ifExists: n.missing_ok === true };
  }
  return { kind: 'unsupported', what: `DROP ${String(n.removeType).replace('OBJECT_', '')}`, location: -1 };
}

function returning(h: ConvertHelpers, n: Raw): SelectTarget[] | null {
  const list = n.returningClause?.exprs ?? n.returningList;
  return list ? h.convertTargets(list) : null;
}

function insert(h: ConvertHelpers, n: Raw): Statement {
  if (n.withClause) throw notSupported('WITH in INSERT is not supported yet');
  if (n.override && n.override !== 'OVERRIDING_NOT_SET') throw notSupported('OVERRIDING is not supported yet');
  let source: InsertSource;
  const sel = n.selectStmt?.SelectStmt;
  if (!sel) source = { kind: 'default_values' };
  else if (sel.valuesLists && !sel.sortClause && !sel.limitCount && !sel.limitOffset) {
    source = {
      kind: 'values',
      rows: (sel.valuesLists as Raw[]).map((row: Raw) => (row.List.items as Raw[]).map((e: Raw) => (e.SetToDefault ? null : h.convertExpr(e)))),
    };
  } else source = { kind: 'select', select: h.convertSelect(sel) };
  const columns = n.cols ? (n.cols as Raw[]).map((c: Raw) => {
    if (c.ResTarget.indirection) throw notSupported('INSERT into subfields or array elements is not supported');
    return { name: c.ResTarget.name as string, location: c.ResTarget.location ?? -1 };
  }) : null;
  const onConflict = n.onConflictClause ? onConflictClause(h, n.onConflictClause) : null;
  return { kind: 'insert', table: qualifiedName(n.relation), alias: n.relation.alias?.aliasname ?? null, columns, source, returning: returning(h, n), onConflict };
}

/** libpg-query's OnConflictClause → OnConflictClause (issue 6). */
function onConflictClause(h: ConvertHelpers, c: Raw): OnConflictClause {
  const infer = c.infer;
  const columns = infer?.indexElems
    ? (infer.indexElems as Raw[]).map((e: Raw) => {
        const el = e.IndexElem;
        if (!el?.name) throw notSupported('ON CONFLICT on an expression is not supported').at(at(infer.location ?? -1));
        return { name: el.name as string, location: infer.location ?? -1 };
      })
    : null;
  return {
    action: c.action === 'ONCONFLICT_UPDATE' ? 'update' : 'nothing',
    columns,
    constraint: (infer?.conname as string | undefined) ?? null,
    targetWhere: infer?.whereClause ? h.convertExpr(infer.whereClause) : null,
    set: ((c.targetList ?? []) as Raw[]).map((t: Raw) => {
      const r = t.ResTarget;
      if (r.indirection) throw notSupported('UPDATE of subfields or array elements is not supported').at(at(r.location));
      if (r.val?.MultiAssignRef) throw notSupported('UPDATE SET (a, b) = ... is not supported yet').at(at(r.location));
      return { column: r.name as string, expr: r.val.SetToDefault ? null : h.convertExpr(r.val), location: r.location ?? -1 };
    }),
    where: c.whereClause ? h.convertExpr(c.whereClause) : null,
    location: c.location ?? -1,
  };
}

function update(h: ConvertHelpers, n: Raw): Statement {
  if (n.withClause) throw notSupported('WITH in UPDATE is not supported yet');
  const set = (n.targetList as Raw[]).map((t: Raw) => {
    const r = t.ResTarget;
    if (r.indirection) throw notSupported('UPDATE of subfields or array elements is not supported').at(at(r.location));
    if (r.val?.MultiAssignRef) throw notSupported('UPDATE SET (a, b) = ... is not supported yet').at(at(r.location));
    return { column: r.name as string, expr: r.val.SetToDefault ? null : h.convertExpr(r.val), location: r.location ?? -1 };
  });
  return {
    kind: 'update',
    table: qualifiedName(n.relation),
    alias: n.relation.alias?.aliasname ?? null,
    set,
    from: ((n.fromClause ?? []) as Raw[]).map(h.convertFromItem),
    where: n.whereClause ? h.convertExpr(n.whereClause) : null,
    returning: returning(h, n),
  };
}

function del(h: ConvertHelpers, n: Raw): Statement {
  if (n.withClause) throw notSupported('WITH in DELETE is not supported yet');
  return {
    kind: 'delete',
    table: qualifiedName(n.relation),
    alias: n.relation.alias?.aliasname ?? null,
    from: ((n.usingClause ?? []) as Raw[]).map(h.convertFromItem),
    where: n.whereClause ? h.convertExpr(n.whereClause) : null,
    returning: returning(h, n),
  };
}

function copy(h: ConvertHelpers, n: Raw): Statement {
  if (n.filename) throw notSupported('COPY to or from a server file is not supported; use COPY ... FROM STDIN / TO STDOUT (psql \\copy)');
  if (n.is_program) throw notSupported('COPY ... PROGRAM is not supported');
  if (n.whereClause) throw notSupported('COPY ... WHERE is not supported yet');
  const opts: Record<string, string> = {};
  for (const o of (n.options ?? []) as Raw[]) opts[o.DefElem.defname] = defElemValue(o.DefElem);
  const format = (opts.format ?? 'text').toLowerCase();
  if (format !== 'text' && format !== 'csv' && format !== 'binary') {
    throw new DbError(SqlState.InvalidParameterValue, `COPY format "${format}" not recognized`);
  }
  for (const k of Object.keys(opts)) {
    if (!['format', 'delimiter', 'null', 'header', 'quote', 'escape', 'freeze'].includes(k)) {
      throw notSupported(`COPY option "${k}" is not supported`);
    }
  }
  // FREEZE (pgbench -i): PostgreSQL's hint to write rows already frozen for MVCC. Rows COPY writes
  // here carry no transaction ids to freeze, so there is nothing more to do; the value is checked.
  if (opts.freeze !== undefined && !['true', 'on', '1', 'false', 'off', '0'].includes(opts.freeze.toLowerCase())) {
    throw new DbError(SqlState.SyntaxError, `freeze requires a Boolean value`);
  }
  if (opts.freeze !== undefined && n.is_from !== true) throw notSupported('COPY FREEZE cannot be used with COPY TO');
  const header = opts.header === undefined ? false : ['true', 'on', '1'].includes(opts.header.toLowerCase());
  if (opts.header?.toLowerCase() === 'match') throw notSupported('COPY HEADER MATCH is not supported');
  const options: CopyOptions = {
    format,
    delimiter: opts.delimiter ?? null,
    null: opts.null ?? null,
    header,
    quote: opts.quote ?? null,
    escape: opts.escape ?? null,
  };
  return {
    kind: 'copy',
    table: n.relation ? qualifiedName(n.relation) : null,
    query: n.query ? h.convertSelect(n.query.SelectStmt ?? (() => { throw notSupported('COPY (query) supports SELECT only'); })()) : null,
    columns: n.attlist ? (n.attlist as Raw[]).map((a: Raw) => a.String.sval as string) : null,
    direction: n.is_from ? 'from' : 'to',
    options,
  };
}

/** Converts the DDL/DML statement types; returns null for other node types. */
export function convertDdlDml(h: ConvertHelpers, type: string, n: Raw): Statement | null {
  switch (type) {
    case 'CreateStmt':
      return createTable(h, n);
    case 'CreateSchemaStmt':
      if (n.schemaElts?.length) throw notSupported('CREATE SCHEMA with elements is not supported');
      if (n.authrole) throw notSupported('CREATE SCHEMA AUTHORIZATION is not supported');
      return { kind: 'create_schema', name: n.schemaname, ifNotExists: n.if_not_exists === true };
    case 'DropStmt':
      return drop(n);
    case 'ViewStmt':
      return convertViewStmt(h.convertSelect, n);
    case 'CreateTableAsStmt':
      if (n.objtype === 'OBJECT_MATVIEW') refuseMaterializedView();
      return null;
    case 'AlterTableStmt':
      return alterTable(h, n);
    case 'RenameStmt':
      return rename(n);
    case 'TruncateStmt':
      if (n.restart_seqs) throw notSupported('TRUNCATE ... RESTART IDENTITY is not supported yet');
      return { kind: 'truncate', tables: ((n.relations ?? []) as Raw[]).map((r: Raw) => qualifiedName(r.RangeVar)) };
    case 'LockStmt':
      // No position on its errors, as PostgreSQL's LOCK reports none.
      return { kind: 'lock_table', tables: ((n.relations ?? []) as Raw[]).map((r: Raw) => ({ ...qualifiedName(r.RangeVar), location: -1 })), mode: Number(n.mode ?? 8), nowait: n.nowait === true };
    case 'InsertStmt':
      return insert(h, n);
    case 'UpdateStmt':
      return update(h, n);
    case 'DeleteStmt':
      return del(h, n);
    case 'CopyStmt':
      return copy(h, n);
    case 'IndexStmt':
      return convertIndexStmt(n);
    case 'ReindexStmt':
      return convertReindex(n);
    case 'VacuumStmt':
      if (!n.is_vacuumcmd) return { kind: 'unsupported', what: 'ANALYZE', location: -1 };
      return { kind: 'vacuum', tables: ((n.rels ?? []) as Raw[]).map((r: Raw) => qualifiedName(r.VacuumRelation.relation)) };
    default:
      return null;
  }
}
