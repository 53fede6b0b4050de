/**
 * Privileges: who may do what to a table, schema or sequence, by PostgreSQL's rules —
 * superusers may do anything; an object's owner (and members of the owning role that
 * inherit) hold every privilege; everyone else needs an ACL entry for themselves, a role
 * they inherit from, or PUBLIC. Also the aclitem arithmetic of GRANT / REVOKE and its text
 * form (`postgres=arwdDxt/postgres`). Checked by the planner at plan time (plans are
 * rebuilt after DDL, GRANT/REVOKE and SET ROLE) and by has_*_privilege().
 */
import { BOOTSTRAP_ROLE_OID, PUBLIC_ROLE_OID, type AclItem, type SecurityCatalog, type TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';

/** The current role as privilege checks see it. */
export interface RoleContext {
  readonly roleOid: number;
  readonly roleName: string;
  readonly superuser: boolean;
  readonly bypassRls: boolean;
  /** Roles whose privileges the current role has: itself and the roles it inherits from. */
  readonly privRoles: ReadonlySet<number>;
  readonly security: SecurityCatalog;
  /** Role name of an OID (the bootstrap superuser's name for 10), or undefined. */
  nameOf(oid: number): string | undefined;
  /** The same view for another role by name (has_table_privilege('role', ...)), undefined when none exists. */
  forRole(name: string): RoleContext | undefined;
}

/** Privilege keywords of has_*_privilege ('SELECT, INSERT WITH GRANT OPTION') as letters. */
export function privilegeKeywords(text: string): string {
  return text
    .split(',')
    .map((p) => PRIVILEGE_LETTERS[p.trim().toLowerCase().replace(/\s+with\s+grant\s+option$/, '')] ?? '')
    .join('');
}

/** PostgreSQL's privilege letters in aclitem output order. */
export const PRIVILEGE_ORDER = 'arwdDxtXUCTc';

/** Privilege keyword → letter. */
export const PRIVILEGE_LETTERS: Readonly<Record<string, string>> = {
  insert: 'a', select: 'r', update: 'w', delete: 'd', truncate: 'D', references: 'x', trigger: 't',
  execute: 'X', usage: 'U', create: 'C', temporary: 'T', temp: 'T', connect: 'c',
};

/** Every privilege an object of the kind has (what ALL grants and the owner holds). */
export const ALL_PRIVILEGES = { table: 'arwdDxt', sequence: 'rwU', schema: 'UC' } as const;

export type AclObjectKind = keyof typeof ALL_PRIVILEGES;

function sortPrivs(privs: string): string {
  return [...new Set(privs)].sort((a, b) => PRIVILEGE_ORDER.indexOf(a) - PRIVILEGE_ORDER.indexOf(b)).join('');
}

/** The ACL an object has before any GRANT: the owner holds everything (public schema: also USAGE for PUBLIC). */
export function defaultAcl(kind: AclObjectKind, ownerOid: number): AclItem[] {
  return [{ grantee: ownerOid, grantor: ownerOid, privs: ALL_PRIVILEGES[kind] }];
}

/** GRANT: adds privs for grantee from grantor. */
export function grantAcl(acl: readonly AclItem[], grantee: number, grantor: number, privs: string): AclItem[] {
  const out = acl.map((a) => ({ ...a }));
  const i = out.findIndex((a) => a.grantee === grantee && a.grantor === grantor);
  if (i >= 0) out[i] = { ...out[i]!, privs: sortPrivs(out[i]!.privs + privs) };
  else out.push({ grantee, grantor, privs: sortPrivs(privs) });
  return out;
}

/** REVOKE: removes privs of grantee granted by grantor; empty items disappear. */
export function revokeAcl(acl: readonly AclItem[], grantee: number, grantor: number, privs: string): AclItem[] {
  return acl
    .map((a) => (a.grantee === grantee && a.grantor === grantor ? { ...a, privs: [...a.privs].filter((p) => !privs.includes(p)).join('') } : a))
    .filter((a) => a.privs.length > 0);
}

function quoteRole(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** aclitem[] text form: `grantee=privs/grantor`, PUBLIC as an empty grantee. */
export function formatAcl(acl: readonly AclItem[], nameOf: (oid: number) => string | undefined): string[] {
  const name = (oid: number): string => quoteRole(nameOf(oid) ?? String(oid));
  return acl.map((a) => `${a.grantee === PUBLIC_ROLE_OID ? '' : name(a.grantee)}=${a.privs}/${name(a.grantor)}`);
}

/** True when the current role owns (or inherits the owner's privileges of) an object. */
export function hasOwnership(rc: RoleContext | undefined, ownerOid: number): boolean {
  return rc === undefined || rc.superuser || rc.privRoles.has(ownerOid);
}

function aclGrants(rc: RoleContext, acl: readonly AclItem[], privs: string): boolean {
  for (const p of privs) {
    if (!acl.some((a) => a.privs.includes(p) && (a.grantee === PUBLIC_ROLE_OID || rc.privRoles.has(a.grantee)))) return false;
  }
  return true;
}

/** True when the current role holds every privilege letter in privs on the table. */
export function hasTablePrivilege(rc: RoleContext | undefined, tableId: number, privs: string): boolean {
  if (rc === undefined || rc.superuser) return true;
  const sec = rc.security.tableSecurity(tableId);
  return aclGrants(rc, sec.acl ?? defaultAcl('table', sec.ownerOid), privs);
}

/** 42501 `permission denied for table t` unless the role holds privs. */
export function requireTablePrivilege(rc: RoleContext | undefined, t: TableDef, privs: string): void {
  if (!hasTablePrivilege(rc, t.tableId, privs)) throw new DbError(SqlState.InsufficientPrivilege, `permission denied for table ${t.name}`);
}

/** 42501 `must be owner of table t` unless the role owns the table. */
export function requireTableOwner(rc: RoleContext | undefined, t: TableDef): void {
  if (rc === undefined) return;
  if (!hasOwnership(rc, rc.security.tableSecurity(t.tableId).ownerOid)) {
    throw new DbError(SqlState.InsufficientPrivilege, `must be owner of table ${t.name}`);
  }
}

/** A schema's owner and ACL: public is owned by pg_database_owner (the bootstrap superuser here) with USAGE for PUBLIC. */
export function schemaAcl(security: SecurityCatalog, schema: string): { ownerOid: number; acl: readonly AclItem[] } {
  const rec = security.objectAcl('schema', schema);
  const ownerOid = rec?.ownerOid ?? (schema === 'public' ? DATABASE_OWNER_ROLE_OID : BOOTSTRAP_ROLE_OID);
  if (rec?.acl) return { ownerOid, acl: rec.acl };
  const acl = defaultAcl('schema', ownerOid);
  if (schema === 'public' || schema === 'tessera') acl.push({ grantee: PUBLIC_ROLE_OID, grantor: ownerOid, privs: 'U' });
  return { ownerOid, acl };
}

/** pg_database_owner: owns schema public; its privileges belong to the database owner (the bootstrap superuser). */
export const DATABASE_OWNER_ROLE_OID = 6171;

/** True when the role holds privs on the schema (pg_catalog and information_schema: USAGE for everyone). */
export function hasSchemaPrivilege(rc: RoleContext | undefined, schema: string, privs: string): boolean {
  if (rc === undefined || rc.superuser) return true;
  if (schema === 'pg_catalog' || schema === 'information_schema') return !privs.includes('C');
  const { ownerOid, acl } = schemaAcl(rc.security, schema);
  if (rc.privRoles.has(ownerOid)) return true;
  return aclGrants(rc, acl, privs);
}

/** 42501 `permission denied for schema s`. */
export function requireSchemaPrivilege(rc: RoleContext | undefined, schema: string, privs: string): void {
  if (!hasSchemaPrivilege(rc, schema, privs)) throw new DbError(SqlState.InsufficientPrivilege, `permission denied for schema ${schema}`);
}

/** A sequence's owner (its table's owner unless recorded) and ACL. */
export function sequenceAcl(security: SecurityCatalog, sequence: string, tableOwner: number): { ownerOid: number; acl: readonly AclItem[] } {
  const rec = security.objectAcl('sequence', sequence);
  const ownerOid = rec?.ownerOid ?? tableOwner;
  return { ownerOid, acl: rec?.acl ?? defaultAcl('sequence', ownerOid) };
}

/** True when the role holds any of `anyOf` on the sequence. */
export function hasSequencePrivilege(rc: RoleContext | undefined, sequence: string, tableOwner: number, anyOf: string): boolean {
  if (rc === undefined || rc.superuser) return true;
  const { ownerOid, acl } = sequenceAcl(rc.security, sequence, tableOwner);
  if (rc.privRoles.has(ownerOid)) return true;
  return [...anyOf].some((p) => aclGrants(rc, acl, p));
}
