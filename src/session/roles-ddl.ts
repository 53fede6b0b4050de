/**
 * Runs the statements of sql/ast-security.ts: CREATE/ALTER/DROP ROLE, GRANT/REVOKE of
 * privileges and role membership, SET ROLE / SESSION AUTHORIZATION, CREATE/ALTER/DROP
 * POLICY and ALTER TABLE ... ROW LEVEL SECURITY / OWNER TO, with PostgreSQL 15's permission
 * rules and messages. Every change bumps the catalog generation so cached plans (whose
 * privilege checks and policy quals were decided at plan time) are rebuilt.
 */
import crypto from 'node:crypto';
import { BOOTSTRAP_ROLE_OID, PUBLIC_ROLE_OID, type AclItem, type PolicyCommand, type RoleAttributes, type TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { privileges } from '../executor/index.ts';
import { resolveTable, resolveView, validatePolicyExpr } from '../planner/index.ts';
import { resolveTableIfExists } from './resolve-table.ts';
import type { QualifiedName, RoleOptions, RoleSpec, Statement } from '../sql/index.ts';
import type { StatementHost } from './statements.ts';
import { Oid, typeByOid } from '../types/index.ts';

export type SecurityStatementKind =
  | 'create_role' | 'alter_role' | 'rename_role' | 'drop_role' | 'grant_role' | 'grant' | 'set_role' | 'reassign_owned' | 'drop_owned'
  | 'create_policy' | 'alter_policy' | 'drop_policy' | 'alter_table_security';

type SecurityStmt = Statement & { kind: SecurityStatementKind };

const {
  ALL_PRIVILEGES, PRIVILEGE_LETTERS, defaultAcl, grantAcl, revokeAcl, hasOwnership, requireTableOwner, schemaAcl, sequenceAcl,
} = privileges;

/** Command tags. */
export function securityTag(stmt: SecurityStmt): string {
  switch (stmt.kind) {
    case 'create_role':
      return stmt.user ? 'CREATE ROLE' : 'CREATE ROLE';
    case 'alter_role':
    case 'rename_role':
      return 'ALTER ROLE';
    case 'drop_role':
      return 'DROP ROLE';
    case 'reassign_owned':
      return 'REASSIGN OWNED';
    case 'drop_owned':
      return 'DROP OWNED';
    case 'grant_role':
    case 'grant':
      return stmt.grant ? 'GRANT' : 'REVOKE';
    case 'set_role':
      return stmt.reset ? 'RESET' : 'SET';
    case 'create_policy':
      return 'CREATE POLICY';
    case 'alter_policy':
      return 'ALTER POLICY';
    case 'drop_policy':
      return 'DROP POLICY';
    case 'alter_table_security':
      return 'ALTER TABLE';
  }
}

const denied = (message: string): DbError => new DbError(SqlState.InsufficientPrivilege, message);
const noRole = (name: string): DbError => new DbError(SqlState.UndefinedObject, `role "${name}" does not exist`);

/** A password as PostgreSQL stores it: a given SCRAM verifier as is, else a new SCRAM-SHA-256 verifier. */
export function scramVerifierText(password: string, iterations = 4096): string {
  if (/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(password)) return password;
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, data: string): Buffer => crypto.createHmac('sha256', key).update(data).digest();
  const storedKey = crypto.createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Runs one statement; returns its tag. */
export function runSecurity(host: StatementHost, stmt: SecurityStmt): string {
  if (stmt.kind !== 'set_role') {
    host.tx.assertWritable(securityTag(stmt));
    host.db.catalogGeneration.value++;
  }
  switch (stmt.kind) {
    case 'create_role':
      createRole(host, stmt);
      break;
    case 'alter_role':
      alterRole(host, stmt);
      break;
    case 'rename_role':
      renameRole(host, stmt.name, stmt.to);
      break;
    case 'drop_role':
      dropRoles(host, stmt.names, stmt.ifExists);
      break;
    case 'reassign_owned':
    case 'drop_owned':
      owned(host, stmt);
      break;
    case 'grant_role':
      grantRoles(host, stmt);
      break;
    case 'grant':
      grantPrivileges(host, stmt);
      break;
    case 'set_role':
      if (stmt.target === 'role') host.roles.setRole(stmt.name, stmt.local, host.tx.inBlock);
      else host.roles.setSessionAuthorization(stmt.name, stmt.local, host.tx.inBlock);
      break;
    case 'create_policy':
    case 'alter_policy':
    case 'drop_policy':
      runPolicy(host, stmt);
      break;
    case 'alter_table_security':
      alterTableSecurity(host, stmt);
      break;
  }
  return securityTag(stmt);
}

// ---- roles ----

function current(host: StatementHost): { oid: number; superuser: boolean; createRole: boolean } {
  const cur = host.roles.currentUser;
  const def = cur.oid === BOOTSTRAP_ROLE_OID ? undefined : host.db.catalog.security.getRoleByOid(cur.oid);
  return { oid: cur.oid, superuser: host.roles.isSuperuser(cur.oid), createRole: def?.createRole === true };
}

function attributes(host: StatementHost, o: RoleOptions): RoleAttributes {
  let password: string | null | undefined = o.password;
  if (password === '') {
    host.notice('NOTICE', SqlState.SuccessfulCompletion, 'empty string is not a valid password, clearing password');
    password = null;
  }
  if (typeof password === 'string' && /^md5[0-9a-f]{32}$/.test(password)) {
    throw new DbError(SqlState.FeatureNotSupported, 'MD5 password hashes are not supported; Tessera stores SCRAM-SHA-256 verifiers');
  }
  return {
    superuser: o.superuser,
    inherit: o.inherit,
    createRole: o.createRole,
    createDb: o.createDb,
    canLogin: o.canLogin,
    replication: o.replication,
    bypassRls: o.bypassRls,
    connLimit: o.connLimit,
    password: password === undefined ? undefined : password === null ? null : scramVerifierText(password),
    // VALID UNTIL: kept as timestamptz microseconds (pg_authid.rolvaliduntil), checked at password login.
    validUntil: o.validUntil === undefined ? undefined : String(typeByOid(Oid.timestamptz)!.textIn(o.validUntil, -1, host.formatContext())),
  };
}

function isTaken(host: StatementHost, name: string): boolean {
  return host.roles.find(name) !== undefined || name === 'postgres' || name === 'public' || name === 'pg_database_owner';
}

function createRole(host: StatementHost, stmt: SecurityStmt & { kind: 'create_role' }): void {
  const me = current(host);
  const o = stmt.options;
  if (o.superuser && !me.superuser) throw denied('must be superuser to create superusers');
  if (o.replication && !me.superuser) throw denied('must be superuser to create replication users');
  if (o.bypassRls && !me.superuser) throw denied('must be superuser to create bypassrls users');
  if (!me.superuser && !me.createRole) throw denied('permission denied to create role');
  if (stmt.name.startsWith('pg_')) {
    throw new DbError(SqlState.ReservedName, `role name "${stmt.name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  }
  if (['public', 'none'].includes(stmt.name)) throw new DbError(SqlState.ReservedName, `role name "${stmt.name}" is reserved`);
  if (isTaken(host, stmt.name)) throw new DbError(SqlState.DuplicateObject, `role "${stmt.name}" already exists`);
  const sec = host.db.catalog.security;
  const attrs = attributes(host, o);
  const lookup = (name: string): number => {
    const r = host.roles.find(name);
    if (!r) throw noRole(name);
    return r.oid;
  };
  const inRoles = (o.inRoles ?? []).map(lookup);
  const members = (o.members ?? []).map(lookup);
  const admins = (o.admins ?? []).map(lookup);
  const role = sec.createRole(stmt.name, attrs);
  for (const r of inRoles) sec.grantMembership(r, role.oid, me.oid, false);
  for (const m of members) sec.grantMembership(role.oid, m, me.oid, false);
  for (const m of admins) sec.grantMembership(role.oid, m, me.oid, true);
}

function roleOf(host: StatementHost, spec: RoleSpec): { oid: number; name: string } {
  switch (spec.kind) {
    case 'name': {
      const r = host.roles.find(spec.name);
      if (!r) throw noRole(spec.name);
      return r;
    }
    case 'current_user':
      return host.roles.currentUser;
    case 'session_user':
      return host.roles.sessionUser;
    case 'public':
      throw new DbError(SqlState.UndefinedObject, 'role "public" does not exist');
  }
}

function alterRole(host: StatementHost, stmt: SecurityStmt & { kind: 'alter_role' }): void {
  const target = roleOf(host, stmt.role);
  const me = current(host);
  const o = stmt.options;
  const targetSuper = host.roles.isSuperuser(target.oid);
  if ((o.superuser !== undefined || targetSuper) && !me.superuser) throw denied('must be superuser to alter superuser roles or change superuser attribute');
  if (o.replication !== undefined && !me.superuser) throw denied('must be superuser to alter replication roles or change replication attribute');
  if (o.bypassRls !== undefined && !me.superuser) throw denied('must be superuser to change bypassrls attribute');
  const onlyOwnPassword = target.oid === me.oid && Object.entries(o).every(([k, v]) => v === undefined || k === 'password');
  if (!me.superuser && !me.createRole && !onlyOwnPassword) throw denied('permission denied');
  if (target.oid === BOOTSTRAP_ROLE_OID) {
    throw new DbError(SqlState.FeatureNotSupported, `the attributes of the bootstrap superuser "${target.name}" cannot be changed`, {
      hint: 'Its password comes from the server configuration (--password, --users-file).',
    });
  }
  host.db.catalog.security.alterRole(target.oid, attributes(host, o));
}

function renameRole(host: StatementHost, name: string, to: string): void {
  const target = host.roles.find(name);
  if (!target) throw noRole(name);
  if (target.oid === host.roles.sessionUser.oid) throw new DbError(SqlState.FeatureNotSupported, 'session user cannot be renamed');
  if (target.oid === host.roles.currentUser.oid) throw new DbError(SqlState.FeatureNotSupported, 'current user cannot be renamed');
  if (target.oid === BOOTSTRAP_ROLE_OID) throw new DbError(SqlState.FeatureNotSupported, `the bootstrap superuser "${name}" cannot be renamed`);
  const me = current(host);
  if (host.roles.isSuperuser(target.oid) && !me.superuser) throw denied('must be superuser to rename superusers');
  if (!me.superuser && !me.createRole) throw denied('permission denied to rename role');
  if (to.startsWith('pg_')) throw new DbError(SqlState.ReservedName, `role name "${to}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  if (isTaken(host, to)) throw new DbError(SqlState.DuplicateObject, `role "${to}" already exists`);
  host.db.catalog.security.renameRole(target.oid, to);
}

/** What still depends on a role, as PostgreSQL's DETAIL lines. */
function dependents(host: StatementHost, oid: number): string[] {
  const { catalog } = host.db;
  const sec = catalog.security;
  const owner: string[] = [];
  const privs: string[] = [];
  const policies: string[] = [];
  for (const t of catalog.listTables()) {
    const s = sec.tableSecurity(t.tableId);
    if (s.ownerOid === oid) owner.push(`owner of table ${t.name}`);
    if (s.acl?.some((a) => a.grantee === oid || a.grantor === oid) && s.ownerOid !== oid) privs.push(`privileges for table ${t.name}`);
    for (const p of sec.listPolicies(t.tableId)) if (p.roles.includes(oid)) policies.push(`target of policy ${p.name} on table ${t.name}`);
  }
  for (const v of catalog.listViews()) {
    const s = sec.tableSecurity(v.viewId);
    if (s.ownerOid === oid) owner.push(`owner of view ${v.name}`);
    if (s.acl?.some((a) => a.grantee === oid || a.grantor === oid) && s.ownerOid !== oid) privs.push(`privileges for view ${v.name}`);
  }
  for (const o of sec.listObjectAcls()) {
    if (o.ownerOid === oid) owner.push(`owner of ${o.objtype} ${o.name}`);
    else if (o.acl?.some((a) => a.grantee === oid)) privs.push(`privileges for ${o.objtype} ${o.name}`);
  }
  return [...owner, ...privs, ...policies];
}

function dropRoles(host: StatementHost, names: readonly string[], ifExists: boolean): void {
  const me = current(host);
  if (!me.superuser && !me.createRole) throw denied('permission denied to drop role');
  for (const name of names) {
    const target = host.roles.find(name);
    if (!target) {
      if (!ifExists) throw noRole(name);
      host.notice('NOTICE', SqlState.SuccessfulCompletion, `role "${name}" does not exist, skipping`);
      continue;
    }
    if (target.oid === BOOTSTRAP_ROLE_OID) {
      throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop role ${name} because it is required by the database system`);
    }
    if (target.oid === host.roles.currentUser.oid) throw new DbError(SqlState.ObjectInUse, 'current user cannot be dropped');
    if (target.oid === host.roles.sessionUser.oid) throw new DbError(SqlState.ObjectInUse, 'session user cannot be dropped');
    if (host.roles.isSuperuser(target.oid) && !me.superuser) throw denied('must be superuser to drop superusers');
    const deps = dependents(host, target.oid);
    if (deps.length > 0) {
      throw new DbError(SqlState.DependentObjectsStillExist, `role "${name}" cannot be dropped because some objects depend on it`, { detail: deps.join('\n') });
    }
  }
  for (const name of names) {
    const target = host.roles.find(name);
    if (target) host.db.catalog.security.dropRole(target.oid);
  }
}

/**
 * REASSIGN OWNED: the roles' tables, schemas and recorded sequences go to the new owner.
 * DROP OWNED: their privileges are revoked and they leave policies (a policy left with no role
 * is dropped); tables or schemas they still own are refused (0A000: reassign them first).
 * The current role must have the privileges of each role, as in PostgreSQL.
 */
function owned(host: StatementHost, stmt: SecurityStmt & { kind: 'reassign_owned' | 'drop_owned' }): void {
  const sec = host.db.catalog.security;
  const me = current(host);
  const roles = stmt.roles.map((r) => roleOf(host, r));
  for (const r of roles) {
    if (!me.superuser && !host.roles.reachable(me.oid, true).has(r.oid)) {
      throw denied(stmt.kind === 'drop_owned' ? 'permission denied to drop objects' : 'permission denied to reassign objects');
    }
  }
  const oids = new Set(roles.map((r) => r.oid));
  const tables = host.db.catalog.listTables();
  // Views keep owner and ACL in TableSecurity too: the same rules, by view id.
  const views = host.db.catalog.listViews();
  if (stmt.kind === 'reassign_owned') {
    const to = roleOf(host, stmt.to);
    for (const t of [...tables, ...views.map((v) => ({ tableId: v.viewId }))]) {
      const s = sec.tableSecurity(t.tableId);
      if (!oids.has(s.ownerOid)) continue;
      let acl: AclItem[] | null = null;
      if (s.acl !== null) {
        acl = [];
        for (const a of s.acl) acl = grantAcl(acl, oids.has(a.grantee) ? to.oid : a.grantee, oids.has(a.grantor) ? to.oid : a.grantor, a.privs);
      }
      sec.updateTableSecurity(t.tableId, { ownerOid: to.oid, acl });
    }
    for (const o of sec.listObjectAcls()) {
      if (oids.has(o.ownerOid)) sec.setObjectAcl(o.objtype as 'schema' | 'sequence', o.name, to.oid, o.acl);
    }
    return;
  }
  const stillOwned = tables.filter((t) => oids.has(sec.tableSecurity(t.tableId).ownerOid)).map((t) => `table ${t.name}`);
  for (const v of views) if (oids.has(sec.tableSecurity(v.viewId).ownerOid)) stillOwned.push(`view ${v.name}`);
  for (const o of sec.listObjectAcls()) if (oids.has(o.ownerOid)) stillOwned.push(`${o.objtype} ${o.name}`);
  if (stillOwned.length > 0) {
    throw new DbError(SqlState.FeatureNotSupported, 'DROP OWNED of a role that still owns objects is not supported', {
      detail: `Owned: ${stillOwned.join(', ')}.`,
      hint: 'Use REASSIGN OWNED first.',
    });
  }
  for (const v of views) {
    const s = sec.tableSecurity(v.viewId);
    if (s.acl?.some((a) => oids.has(a.grantee))) sec.updateTableSecurity(v.viewId, { acl: s.acl.filter((a) => !oids.has(a.grantee)) });
  }
  for (const t of tables) {
    const s = sec.tableSecurity(t.tableId);
    if (s.acl?.some((a) => oids.has(a.grantee))) sec.updateTableSecurity(t.tableId, { acl: s.acl.filter((a) => !oids.has(a.grantee)) });
    for (const p of sec.listPolicies(t.tableId)) {
      if (!p.roles.some((r) => oids.has(r))) continue;
      const rest = p.roles.filter((r) => !oids.has(r));
      if (rest.length === 0) sec.dropPolicy(t.tableId, p.name);
      else sec.alterPolicy(t.tableId, p.name, { roles: rest });
    }
  }
  for (const o of sec.listObjectAcls()) {
    if (o.acl?.some((a) => oids.has(a.grantee))) sec.setObjectAcl(o.objtype as 'schema' | 'sequence', o.name, o.ownerOid, o.acl.filter((a) => !oids.has(a.grantee)));
  }
}

function grantRoles(host: StatementHost, stmt: SecurityStmt & { kind: 'grant_role' }): void {
  const me = current(host);
  const sec = host.db.catalog.security;
  for (const roleName of stmt.roles) {
    const role = host.roles.find(roleName);
    if (!role) throw noRole(roleName);
    const admin = sec.listMembers().some((m) => m.roleId === role.oid && m.memberId === me.oid && m.adminOption);
    if (!me.superuser) {
      if (host.roles.isSuperuser(role.oid)) throw denied('must be superuser to alter superusers');
      if (!me.createRole && !admin) throw denied(`must have admin option on role "${roleName}"`);
    }
    for (const g of stmt.grantees) {
      const member = roleOf(host, g);
      if (stmt.grant) {
        if (member.oid === role.oid || host.roles.reachable(role.oid, false).has(member.oid)) {
          throw new DbError(SqlState.InvalidGrantOperation, `role "${role.name}" is a member of role "${member.name}"`);
        }
        if (sec.listMembers().some((m) => m.roleId === role.oid && m.memberId === member.oid) && !stmt.adminOption) {
          host.notice('NOTICE', SqlState.SuccessfulCompletion, `role "${member.name}" is already a member of role "${role.name}"`);
          continue;
        }
        sec.grantMembership(role.oid, member.oid, me.oid, stmt.adminOption);
      } else if (!sec.revokeMembership(role.oid, member.oid)) {
        host.notice('WARNING', SqlState.Warning, `role "${member.name}" is not a member of role "${role.name}"`);
      }
    }
  }
}

// ---- GRANT / REVOKE privileges ----

interface AclTarget {
  readonly kind: 'table' | 'sequence' | 'schema';
  readonly name: string;
  readonly ownerOid: number;
  readonly acl: readonly AclItem[];
  save(acl: readonly AclItem[]): void;
}

function tableTarget(host: StatementHost, t: TableDef): AclTarget {
  const sec = host.db.catalog.security;
  const s = sec.tableSecurity(t.tableId);
  return { kind: 'table', name: t.name, ownerOid: s.ownerOid, acl: s.acl ?? defaultAcl('table', s.ownerOid), save: (acl) => sec.updateTableSecurity(t.tableId, { acl }) };
}

/** The sequences of a schema's tables (serial / identity columns), with their tables. */
function sequencesIn(host: StatementHost, schema: string | null): { name: string; table: TableDef }[] {
  const out: { name: string; table: TableDef }[] = [];
  for (const t of host.db.catalog.listTables()) {
    if (schema !== null && t.schema !== schema) continue;
    for (const c of t.columns) if (!c.dropped && c.sequence) out.push({ name: c.sequence, table: t });
  }
  return out;
}

function sequenceTarget(host: StatementHost, seq: { name: string; table: TableDef }): AclTarget {
  const sec = host.db.catalog.security;
  const tableOwner = sec.tableSecurity(seq.table.tableId).ownerOid;
  const { ownerOid, acl } = sequenceAcl(sec, seq.name, tableOwner);
  return { kind: 'sequence', name: seq.name, ownerOid, acl, save: (next) => sec.setObjectAcl('sequence', seq.name, ownerOid, next) };
}

function schemaTarget(host: StatementHost, name: string): AclTarget {
  if (!host.db.catalog.schemaExists(name)) throw new DbError(SqlState.InvalidSchemaName, `schema "${name}" does not exist`);
  const sec = host.db.catalog.security;
  const { ownerOid, acl } = schemaAcl(sec, name);
  return { kind: 'schema', name, ownerOid, acl, save: (next) => sec.setObjectAcl('schema', name, ownerOid, next) };
}

function targets(host: StatementHost, stmt: SecurityStmt & { kind: 'grant' }): AclTarget[] {
  const env = host.planEnv();
  if (stmt.objectType === 'schema') return stmt.objects.map((o) => schemaTarget(host, o.name));
  if (stmt.allInSchema) {
    const out: AclTarget[] = [];
    for (const o of stmt.objects) {
      if (!host.db.catalog.schemaExists(o.name)) throw new DbError(SqlState.InvalidSchemaName, `schema "${o.name}" does not exist`);
      if (stmt.objectType === 'table') for (const t of host.db.catalog.listTables()) if (t.schema === o.name) out.push(tableTarget(host, t));
      if (stmt.objectType === 'sequence') for (const s of sequencesIn(host, o.name)) out.push(sequenceTarget(host, s));
    }
    return out;
  }
  return stmt.objects.map((o: QualifiedName) => {
    if (stmt.objectType === 'sequence') {
      const seq = sequencesIn(host, o.schema).find((s) => s.name === o.name);
      if (!seq) throw new DbError(SqlState.UndefinedTable, `relation "${o.schema ? `${o.schema}.` : ''}${o.name}" does not exist`);
      return sequenceTarget(host, seq);
    }
    const seq = sequencesIn(host, o.schema).find((s) => s.name === o.name);
    if (seq) return sequenceTarget(host, seq); // GRANT ... ON TABLE also names sequences, as in PostgreSQL
    const view = resolveView(env, o);
    if (view) return tableTarget(host, { tableId: view.viewId, name: view.name } as TableDef); // a view's ACL is kept as a table's
    return tableTarget(host, resolveTable(env, o));
  });
}

function privilegeLetters(kind: AclTarget['kind'], keywords: readonly string[] | null, stmtKind: 'table' | 'schema' | 'sequence'): string {
  if (keywords === null) return ALL_PRIVILEGES[kind];
  let out = '';
  for (const k of keywords) {
    const letter = PRIVILEGE_LETTERS[k];
    if (letter === undefined || !ALL_PRIVILEGES[stmtKind].includes(letter)) {
      throw new DbError(SqlState.InvalidGrantOperation, `invalid privilege type ${k.toUpperCase()} for ${stmtKind}`);
    }
    // GRANT on a sequence named as a table: only the sequence's privileges apply (PostgreSQL warns).
    if (ALL_PRIVILEGES[kind].includes(letter)) out += letter;
  }
  return out;
}

function grantPrivileges(host: StatementHost, stmt: SecurityStmt & { kind: 'grant' }): void {
  const rc = host.planEnv().roles;
  const grantees = stmt.grantees.map((g) => (g.kind === 'public' ? PUBLIC_ROLE_OID : roleOf(host, g).oid));
  for (const target of targets(host, stmt)) {
    if (!hasOwnership(rc, target.ownerOid)) {
      throw denied(`permission denied for ${target.kind === 'table' ? 'table' : target.kind} ${target.name}`);
    }
    const letters = privilegeLetters(target.kind, stmt.privileges, stmt.objectType);
    let acl = [...target.acl];
    for (const g of grantees) acl = stmt.grant ? grantAcl(acl, g, target.ownerOid, letters) : revokeAcl(acl, g, target.ownerOid, letters);
    target.save(acl);
  }
}

// ---- policies and ALTER TABLE ... ROW LEVEL SECURITY ----

const POLICY_CMD: Record<string, PolicyCommand> = { all: '*', select: 'r', insert: 'a', update: 'w', delete: 'd' };

function policyRoles(host: StatementHost, specs: readonly RoleSpec[]): number[] {
  const oids = specs.map((s) => (s.kind === 'public' ? PUBLIC_ROLE_OID : roleOf(host, s).oid));
  // PUBLIC with other roles: PostgreSQL keeps PUBLIC alone (with a WARNING); ignore the rest the same way.
  if (oids.includes(PUBLIC_ROLE_OID) && oids.length > 1) {
    host.notice('WARNING', SqlState.Warning, 'ignoring specified roles other than PUBLIC', 'All roles are members of the PUBLIC role.');
    return [PUBLIC_ROLE_OID];
  }
  return [...new Set(oids)];
}

function checkPolicyExprs(cmd: PolicyCommand, hasUsing: boolean, hasCheck: boolean): void {
  if ((cmd === 'r' || cmd === 'd') && hasCheck) throw new DbError(SqlState.SyntaxError, 'WITH CHECK cannot be applied to SELECT or DELETE');
  if (cmd === 'a' && hasUsing) throw new DbError(SqlState.SyntaxError, 'only WITH CHECK expression allowed for INSERT');
}

function runPolicy(host: StatementHost, stmt: SecurityStmt & { kind: 'create_policy' | 'alter_policy' | 'drop_policy' }): void {
  const env = host.planEnv();
  const sec = host.db.catalog.security;
  const t = resolveTableIfExists(env, stmt.table, stmt.kind === 'drop_policy' && stmt.ifExists, host);
  if (t === null) return;
  requireTableOwner(env.roles, t);
  const missing = (): DbError => new DbError(SqlState.UndefinedObject, `policy "${stmt.name}" for table "${t.name}" does not exist`);
  switch (stmt.kind) {
    case 'create_policy': {
      const command = POLICY_CMD[stmt.command]!;
      checkPolicyExprs(command, stmt.using !== null, stmt.check !== null);
      if (stmt.using) validatePolicyExpr(env, t, stmt.using.raw, 'USING');
      if (stmt.check) validatePolicyExpr(env, t, stmt.check.raw, 'WITH CHECK');
      sec.createPolicy(
        { tableId: t.tableId, name: stmt.name, command, permissive: stmt.permissive, roles: policyRoles(host, stmt.roles), using: stmt.using?.raw ?? null, check: stmt.check?.raw ?? null },
        t.name,
      );
      return;
    }
    case 'alter_policy': {
      const p = sec.getPolicy(t.tableId, stmt.name);
      if (!p) throw missing();
      if (stmt.rename !== null) {
        if (sec.getPolicy(t.tableId, stmt.rename)) throw new DbError(SqlState.DuplicateObject, `policy "${stmt.rename}" for table "${t.name}" already exists`);
        sec.alterPolicy(t.tableId, stmt.name, { rename: stmt.rename });
        return;
      }
      checkPolicyExprs(p.command, stmt.using !== null, stmt.check !== null);
      if (stmt.using) validatePolicyExpr(env, t, stmt.using.raw, 'USING');
      if (stmt.check) validatePolicyExpr(env, t, stmt.check.raw, 'WITH CHECK');
      sec.alterPolicy(t.tableId, stmt.name, {
        roles: stmt.roles === null ? undefined : policyRoles(host, stmt.roles),
        using: stmt.using?.raw,
        check: stmt.check?.raw,
      });
      return;
    }
    case 'drop_policy':
      if (!sec.dropPolicy(t.tableId, stmt.name)) {
        if (!stmt.ifExists) throw missing();
        host.notice('NOTICE', SqlState.SuccessfulCompletion, `policy "${stmt.name}" for relation "${t.name}" does not exist, skipping`);
      }
      return;
  }
}

function alterTableSecurity(host: StatementHost, stmt: SecurityStmt & { kind: 'alter_table_security' }): void {
  const env = host.planEnv();
  const view = resolveView(env, stmt.table);
  if (view) {
    // A view: OWNER TO only (its owner and ACL are kept as a table's, by view id).
    if (stmt.commands.some((c) => c.kind !== 'owner')) throw new DbError(SqlState.WrongObjectType, `"${view.name}" is not a table`);
    if (env.roles && !hasOwnership(env.roles, host.db.catalog.security.tableSecurity(view.viewId).ownerOid)) throw denied(`must be owner of view ${view.name}`);
  }
  const t = view ? ({ tableId: view.viewId, name: view.name, schema: view.schema, columns: [], constraints: [] } as unknown as TableDef) : resolveTableIfExists(env, stmt.table, stmt.ifExists, host);
  if (t === null) return;
  if (!view) requireTableOwner(env.roles, t);
  const sec = host.db.catalog.security;
  for (const cmd of stmt.commands) {
    switch (cmd.kind) {
      case 'rls':
        sec.updateTableSecurity(t.tableId, { rlsEnabled: cmd.enable });
        break;
      case 'force_rls':
        sec.updateTableSecurity(t.tableId, { rlsForced: cmd.force });
        break;
      case 'owner': {
        const next = roleOf(host, cmd.role);
        const cur = sec.tableSecurity(t.tableId);
        if (next.oid === cur.ownerOid) break;
        const me = current(host);
        if (!me.superuser && !host.roles.reachable(me.oid, false).has(next.oid)) throw denied(`must be member of role "${next.name}"`);
        // As aclnewowner(): the old owner's entries become the new owner's.
        const swap = (oid: number): number => (oid === cur.ownerOid ? next.oid : oid);
        // As aclnewowner(): entries that now coincide merge (the first one's place, the privileges' union).
        let acl: AclItem[] | null = null;
        if (cur.acl !== null) {
          acl = [];
          for (const a of cur.acl) acl = grantAcl(acl, swap(a.grantee), swap(a.grantor), a.privs);
        }
        sec.updateTableSecurity(t.tableId, { ownerOid: next.oid, acl });
        // The table's serial / identity sequences follow it, as in PostgreSQL.
        for (const c of t.columns) {
          const rec = c.sequence ? sec.objectAcl('sequence', c.sequence) : undefined;
          if (!rec) continue;
          let seqAcl: AclItem[] | null = null;
          if (rec.acl !== null) {
            seqAcl = [];
            for (const a of rec.acl) seqAcl = grantAcl(seqAcl, swap(a.grantee), swap(a.grantor), a.privs);
          }
          sec.setObjectAcl('sequence', c.sequence!, next.oid, seqAcl);
        }
        break;
      }
    }
  }
}
