/**
 * catalog/pg-catalog: the relations about roles, privileges and row-level security —
 * pg_roles, pg_authid, pg_user, pg_auth_members, pg_policy, pg_policies, pg_tables — and the
 * per-table facts pg_class shows (relowner, relacl, relrowsecurity, relforcerowsecurity),
 * read from Catalog.security (roles.ts, policies.ts). OID 10, the bootstrap superuser, shows
 * under the session's bootstrap name (ctx.user). Registered in pg-catalog-server.ts.
 */
import { PgArray } from '../../types/index.ts';
import type { TableDef } from '../table-def.ts';
import { BOOTSTRAP_ROLE_OID, PUBLIC_ROLE_OID, type AclItem, type RoleDef } from '../roles.ts';
import { deparseExpr } from './deparse.ts';
import { columnTypes, type PgCatalogModel } from './model.ts';
import { DATABASE_OWNER_OID, SUPERUSER_OID } from './oids.ts';
import { T, relation } from './view-def.ts';

/** A role OID's name as this session shows it. */
export function roleName(m: PgCatalogModel, oid: number): string {
  if (oid === BOOTSTRAP_ROLE_OID) return m.ctx.user;
  if (oid === DATABASE_OWNER_OID) return 'pg_database_owner';
  return m.catalog.security.getRoleByOid(oid)?.name ?? String(oid);
}

function quoteRole(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** aclitem[] text items (`grantee=privs/grantor`; PUBLIC as an empty grantee). */
export function aclText(m: PgCatalogModel, acl: readonly AclItem[]): PgArray<string> {
  const n = (oid: number): string => quoteRole(roleName(m, oid));
  return PgArray.of(acl.map((a) => `${a.grantee === PUBLIC_ROLE_OID ? '' : n(a.grantee)}=${a.privs}/${n(a.grantor)}`));
}

/** What pg_class shows about a table's security: owner OID, ACL (null: default), RLS flags. */
export function tableSecurityColumns(m: PgCatalogModel, tableId: number): { owner: number; acl: PgArray<string> | null; rls: boolean; force: boolean } {
  const s = m.catalog.security.tableSecurity(tableId);
  return { owner: s.ownerOid, acl: s.acl === null ? null : aclText(m, s.acl), rls: s.rlsEnabled, force: s.rlsForced };
}

/** The same for a serial / identity sequence: its table's owner unless recorded, its own ACL. */
export function sequenceSecurityColumns(m: PgCatalogModel, name: string, tableId: number): { owner: number; acl: PgArray<string> | null; rls: boolean; force: boolean } {
  const rec = m.catalog.security.objectAcl('sequence', name);
  const owner = rec?.ownerOid ?? m.catalog.security.tableSecurity(tableId).ownerOid;
  return { owner, acl: rec?.acl ? aclText(m, rec.acl) : null, rls: false, force: false };
}

/** A schema's recorded owner and ACL (CREATE SCHEMA by a role, GRANT ON SCHEMA); undefined: the defaults. */
export function schemaSecurityColumns(m: PgCatalogModel, name: string): { owner: number; acl: PgArray<string> | null } | undefined {
  const rec = m.catalog.security.objectAcl('schema', name);
  return rec ? { owner: rec.ownerOid, acl: rec.acl ? aclText(m, rec.acl) : null } : undefined;
}

/** rolvaliduntil: timestamptz microseconds, or null. */
function validUntil(r: ShownRole): bigint | null {
  return r.def?.validUntil ? BigInt(r.def.validUntil) : null;
}

interface ShownRole {
  readonly oid: number;
  readonly name: string;
  readonly def: RoleDef | null;
}

function shownRoles(m: PgCatalogModel): ShownRole[] {
  return [
    { oid: SUPERUSER_OID, name: m.ctx.user, def: null },
    { oid: DATABASE_OWNER_OID, name: 'pg_database_owner', def: null },
    ...m.catalog.security.listRoles().map((r) => ({ oid: r.oid, name: r.name, def: r })),
  ];
}

/** The bootstrap superuser has every attribute; pg_database_owner none but INHERIT. */
function attrs(r: ShownRole): { sup: boolean; inh: boolean; cr: boolean; cd: boolean; login: boolean; repl: boolean; bypass: boolean; limit: number } {
  if (r.def === null) {
    const boot = r.oid === SUPERUSER_OID;
    return { sup: boot, inh: true, cr: boot, cd: boot, login: boot, repl: boot, bypass: boot, limit: -1 };
  }
  const d = r.def;
  return { sup: d.superuser, inh: d.inherit, cr: d.createRole, cd: d.createDb, login: d.canLogin, repl: d.replication, bypass: d.bypassRls, limit: d.connLimit };
}

export const pgRoles = relation(
  [
    ['rolname', T.name], ['rolsuper', T.bool], ['rolinherit', T.bool], ['rolcreaterole', T.bool], ['rolcreatedb', T.bool],
    ['rolcanlogin', T.bool], ['rolreplication', T.bool], ['rolconnlimit', T.int4], ['rolpassword', T.text], ['rolvaliduntil', T.tstz],
    ['rolbypassrls', T.bool], ['rolconfig', T.textArr], ['oid', T.oid],
  ],
  (m) => shownRoles(m).map((r) => {
    const a = attrs(r);
    return [r.name, a.sup, a.inh, a.cr, a.cd, a.login, a.repl, a.limit, '********', validUntil(r), a.bypass, null, r.oid];
  }),
);

export const pgAuthid = relation(
  [
    ['oid', T.oid], ['rolname', T.name], ['rolsuper', T.bool], ['rolinherit', T.bool], ['rolcreaterole', T.bool], ['rolcreatedb', T.bool],
    ['rolcanlogin', T.bool], ['rolreplication', T.bool], ['rolbypassrls', T.bool], ['rolconnlimit', T.int4], ['rolpassword', T.text],
    ['rolvaliduntil', T.tstz],
  ],
  (m) => shownRoles(m).map((r) => {
    const a = attrs(r);
    return [r.oid, r.name, a.sup, a.inh, a.cr, a.cd, a.login, a.repl, a.bypass, a.limit, r.def?.password ?? null, validUntil(r)];
  }),
);

export const pgUser = relation(
  [
    ['usename', T.name], ['usesysid', T.oid], ['usecreatedb', T.bool], ['usesuper', T.bool], ['userepl', T.bool], ['usebypassrls', T.bool],
    ['passwd', T.text], ['valuntil', T.tstz], ['useconfig', T.textArr],
  ],
  (m) => shownRoles(m).filter((r) => attrs(r).login).map((r) => {
    const a = attrs(r);
    return [r.name, r.oid, a.cd, a.sup, a.repl, a.bypass, '********', validUntil(r), null];
  }),
);

export const pgAuthMembers = relation(
  [['oid', T.oid], ['roleid', T.oid], ['member', T.oid], ['grantor', T.oid], ['admin_option', T.bool]],
  (m) => m.catalog.security.listMembers().map((e, i) => [3_400_000_000 + i, e.roleId, e.memberId, e.grantorId, e.adminOption]),
);

const POLICY_CMD_NAMES: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

function policyRows(m: PgCatalogModel): { t: TableDef; p: ReturnType<PgCatalogModel['catalog']['security']['listPolicies']>[number] }[] {
  const out = [];
  // Creation order, as a scan of pg_policy returns them (psql's \dp aggregates in that order).
  for (const p of [...m.catalog.security.listPolicies()].sort((a, b) => a.oid - b.oid)) {
    const t = m.table(p.tableId);
    if (t) out.push({ t, p });
  }
  return out;
}

const expr = (t: TableDef, raw: string | null): string | null => (raw === null ? null : deparseExpr(raw, columnTypes(t)));

export const pgPolicy = relation(
  [
    ['oid', T.oid], ['polname', T.name], ['polrelid', T.oid], ['polcmd', T.char], ['polpermissive', T.bool], ['polroles', T.oidArr],
    ['polqual', T.node], ['polwithcheck', T.node],
  ],
  (m) => policyRows(m).map(({ t, p }) => [p.oid, p.name, t.tableId, p.command, p.permissive, PgArray.of([...p.roles]), expr(t, p.using), expr(t, p.check)]),
);

export const pgPolicies = relation(
  [
    ['schemaname', T.name], ['tablename', T.name], ['policyname', T.name], ['permissive', T.text], ['roles', T.nameArr], ['cmd', T.text],
    ['qual', T.text], ['with_check', T.text],
  ],
  // roles by name, as the view's ORDER BY rolname.
  (m) => policyRows(m).map(({ t, p }) => [
    t.schema, t.name, p.name, p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE',
    PgArray.of(p.roles.map((r) => (r === PUBLIC_ROLE_OID ? 'public' : roleName(m, r))).sort()), POLICY_CMD_NAMES[p.command]!, expr(t, p.using), expr(t, p.check),
  ]),
);

export const pgTables = relation(
  [
    ['schemaname', T.name], ['tablename', T.name], ['tableowner', T.name], ['tablespace', T.name], ['hasindexes', T.bool],
    ['hasrules', T.bool], ['hastriggers', T.bool], ['rowsecurity', T.bool],
  ],
  (m) => m.tables.map((t) => {
    const s = m.catalog.security.tableSecurity(t.tableId);
    return [t.schema, t.name, roleName(m, s.ownerOid), null, m.indexes.some((i) => i.table === t), false, false, s.rlsEnabled];
  }),
);
