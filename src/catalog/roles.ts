/**
 * catalog/: roles (CREATE ROLE), role membership (GRANT role TO role), and the security
 * metadata of objects — table owners, ACLs, row-level security flags, schema and sequence
 * ACLs — in the tables of migration 0005. OID 10 is the bootstrap superuser: never stored,
 * it owns every object without a recorded owner. SecurityCatalog is what Catalog.security
 * returns; privilege arithmetic lives in session/roles-acl.ts.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, nowMicros } from './catalog-db.ts';
import * as policyOps from './policies.ts';

/** OID of the bootstrap superuser, as PostgreSQL's. */
export const BOOTSTRAP_ROLE_OID = 10;
/** Grantee OID standing for PUBLIC in ACL items and policy role lists. */
export const PUBLIC_ROLE_OID = 0;

/** A pg_authid row. */
export interface RoleDef {
  readonly oid: number;
  readonly name: string;
  readonly superuser: boolean;
  readonly inherit: boolean;
  readonly createRole: boolean;
  readonly createDb: boolean;
  readonly canLogin: boolean;
  readonly replication: boolean;
  readonly bypassRls: boolean;
  readonly connLimit: number;
  /** SCRAM-SHA-256 verifier text, or null. */
  readonly password: string | null;
  readonly validUntil: string | null;
}

/** Settable role attributes (CREATE / ALTER ROLE). */
export type RoleAttributes = Partial<Omit<RoleDef, 'oid' | 'name'>>;

/** One aclitem: grantee (0 = PUBLIC) was given `privs` (PostgreSQL's letters) by grantor. */
export interface AclItem {
  readonly grantee: number;
  readonly grantor: number;
  readonly privs: string;
}

/** Owner, ACL (null: the owner's defaults) and row-level security flags of a table. */
export interface TableSecurity {
  readonly tableId: number;
  readonly ownerOid: number;
  readonly rlsEnabled: boolean;
  readonly rlsForced: boolean;
  readonly acl: readonly AclItem[] | null;
}

export interface RoleMember {
  readonly roleId: number;
  readonly memberId: number;
  readonly grantorId: number;
  readonly adminOption: boolean;
}

interface RoleRow {
  role_id: number;
  name: string;
  super: number;
  inherit: number;
  createrole: number;
  createdb: number;
  canlogin: number;
  replication: number;
  bypassrls: number;
  connlimit: number;
  password: string | null;
  valid_until: string | null;
}

function roleFromRow(r: RoleRow): RoleDef {
  return {
    oid: r.role_id,
    name: r.name,
    superuser: r.super === 1,
    inherit: r.inherit === 1,
    createRole: r.createrole === 1,
    createDb: r.createdb === 1,
    canLogin: r.canlogin === 1,
    replication: r.replication === 1,
    bypassRls: r.bypassrls === 1,
    connLimit: r.connlimit,
    password: r.password,
    validUntil: r.valid_until,
  };
}

const ATTRIBUTE_COLUMNS: Record<keyof RoleAttributes, string> = {
  superuser: 'super',
  inherit: 'inherit',
  createRole: 'createrole',
  createDb: 'createdb',
  canLogin: 'canlogin',
  replication: 'replication',
  bypassRls: 'bypassrls',
  connLimit: 'connlimit',
  password: 'password',
  validUntil: 'valid_until',
};

function sqlValue(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** Roles, memberships and object security; every write is one SQLite transaction. */
export class SecurityCatalog {
  /** Incremented on every write, so callers may cache derived state. */
  version = 0;

  constructor(private readonly cdb: CatalogDb) {}

  // ---- roles ----

  listRoles(): RoleDef[] {
    return this.cdb.all<RoleRow>('SELECT * FROM Roles ORDER BY role_id').map(roleFromRow);
  }

  getRole(name: string): RoleDef | undefined {
    const r = this.cdb.get<RoleRow>('SELECT * FROM Roles WHERE name = ?', name);
    return r ? roleFromRow(r) : undefined;
  }

  getRoleByOid(oid: number): RoleDef | undefined {
    const r = this.cdb.get<RoleRow>('SELECT * FROM Roles WHERE role_id = ?', oid);
    return r ? roleFromRow(r) : undefined;
  }

  /** CREATE ROLE: 42710 'role "x" already exists'. */
  createRole(name: string, attrs: RoleAttributes): RoleDef {
    this.version++;
    return this.cdb.tx(() => {
      if (this.getRole(name)) throw new DbError(SqlState.DuplicateObject, `role "${name}" already exists`);
      const { lastId } = this.cdb.run('INSERT INTO Roles (name, created_on) VALUES (?, ?)', name, nowMicros());
      this.alterRole(lastId, attrs);
      return this.getRoleByOid(lastId)!;
    });
  }

  /** ALTER ROLE: sets the given attributes. */
  alterRole(oid: number, attrs: RoleAttributes): void {
    this.version++;
    const entries = Object.entries(attrs).filter(([, v]) => v !== undefined) as [keyof RoleAttributes, unknown][];
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${ATTRIBUTE_COLUMNS[k]} = ?`).join(', ');
    this.cdb.run(`UPDATE Roles SET ${sets} WHERE role_id = ?`, ...entries.map(([, v]) => sqlValue(v)), oid);
  }

  /** ALTER ROLE RENAME TO: 42710 when the name is taken. */
  renameRole(oid: number, newName: string): void {
    this.version++;
    this.cdb.tx(() => {
      if (this.getRole(newName)) throw new DbError(SqlState.DuplicateObject, `role "${newName}" already exists`);
      this.cdb.run('UPDATE Roles SET name = ? WHERE role_id = ?', newName, oid);
    });
  }

  /** DROP ROLE (dependencies are checked by the caller): the role and its memberships go. */
  dropRole(oid: number): void {
    this.version++;
    this.cdb.tx(() => {
      this.cdb.run('DELETE FROM RoleMembers WHERE role_id = ? OR member_id = ?', oid, oid);
      this.cdb.run('DELETE FROM Roles WHERE role_id = ?', oid);
    });
  }

  // ---- membership ----

  listMembers(): RoleMember[] {
    return this.cdb
      .all<{ role_id: number; member_id: number; grantor_id: number; admin_option: number }>('SELECT * FROM RoleMembers ORDER BY role_id, member_id')
      .map((r) => ({ roleId: r.role_id, memberId: r.member_id, grantorId: r.grantor_id, adminOption: r.admin_option === 1 }));
  }

  /** GRANT role TO member; false when the membership already existed. */
  grantMembership(roleId: number, memberId: number, grantorId: number, adminOption: boolean): boolean {
    this.version++;
    const r = this.cdb.run(
      'INSERT INTO RoleMembers (role_id, member_id, grantor_id, admin_option) VALUES (?, ?, ?, ?) ON CONFLICT (role_id, member_id) DO UPDATE SET admin_option = max(admin_option, excluded.admin_option)',
      roleId, memberId, grantorId, adminOption ? 1 : 0,
    );
    return r.changes > 0;
  }

  /** REVOKE role FROM member; false when there was no such membership. */
  revokeMembership(roleId: number, memberId: number): boolean {
    this.version++;
    return this.cdb.run('DELETE FROM RoleMembers WHERE role_id = ? AND member_id = ?', roleId, memberId).changes > 0;
  }

  // ---- tables ----

  tableSecurity(tableId: number): TableSecurity {
    const r = this.cdb.get<{ owner_oid: number; rls_enabled: number; rls_forced: number; acl: string | null }>(
      'SELECT owner_oid, rls_enabled, rls_forced, acl FROM TableSecurity WHERE table_id = ?',
      tableId,
    );
    if (!r) return { tableId, ownerOid: BOOTSTRAP_ROLE_OID, rlsEnabled: false, rlsForced: false, acl: null };
    return { tableId, ownerOid: r.owner_oid, rlsEnabled: r.rls_enabled === 1, rlsForced: r.rls_forced === 1, acl: r.acl === null ? null : (JSON.parse(r.acl) as AclItem[]) };
  }

  /** Every recorded TableSecurity row (tables without one have the defaults). */
  allTableSecurity(): Map<number, TableSecurity> {
    const out = new Map<number, TableSecurity>();
    for (const r of this.cdb.all<{ table_id: number }>('SELECT table_id FROM TableSecurity')) out.set(r.table_id, this.tableSecurity(r.table_id));
    return out;
  }

  /** Updates a table's owner, flags or ACL (undefined: unchanged). */
  updateTableSecurity(tableId: number, change: { ownerOid?: number; rlsEnabled?: boolean; rlsForced?: boolean; acl?: readonly AclItem[] | null }): void {
    this.version++;
    this.cdb.tx(() => {
      const cur = this.tableSecurity(tableId);
      const next = { ...cur, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as TableSecurity;
      this.cdb.run(
        'INSERT OR REPLACE INTO TableSecurity (table_id, owner_oid, rls_enabled, rls_forced, acl) VALUES (?, ?, ?, ?, ?)',
        tableId, next.ownerOid, next.rlsEnabled ? 1 : 0, next.rlsForced ? 1 : 0, next.acl === null ? null : JSON.stringify(next.acl),
      );
    });
  }

  // ---- schemas and sequences ----

  /** Owner and ACL of a schema or sequence; undefined when none is recorded (defaults apply). */
  objectAcl(objtype: 'schema' | 'sequence', name: string): { ownerOid: number; acl: readonly AclItem[] | null } | undefined {
    const r = this.cdb.get<{ owner_oid: number; acl: string | null }>('SELECT owner_oid, acl FROM ObjectAcls WHERE objtype = ? AND name = ?', objtype, name);
    return r ? { ownerOid: r.owner_oid, acl: r.acl === null ? null : (JSON.parse(r.acl) as AclItem[]) } : undefined;
  }

  listObjectAcls(): { objtype: string; name: string; ownerOid: number; acl: readonly AclItem[] | null }[] {
    return this.cdb
      .all<{ objtype: string; name: string; owner_oid: number; acl: string | null }>('SELECT * FROM ObjectAcls ORDER BY objtype, name')
      .map((r) => ({ objtype: r.objtype, name: r.name, ownerOid: r.owner_oid, acl: r.acl === null ? null : (JSON.parse(r.acl) as AclItem[]) }));
  }

  setObjectAcl(objtype: 'schema' | 'sequence', name: string, ownerOid: number, acl: readonly AclItem[] | null): void {
    this.version++;
    this.cdb.run('INSERT OR REPLACE INTO ObjectAcls (objtype, name, owner_oid, acl) VALUES (?, ?, ?, ?)', objtype, name, ownerOid, acl === null ? null : JSON.stringify(acl));
  }

  removeObjectAcl(objtype: 'schema' | 'sequence', name: string): void {
    this.version++;
    this.cdb.run('DELETE FROM ObjectAcls WHERE objtype = ? AND name = ?', objtype, name);
  }

  // ---- policies (policies.ts) ----

  listPolicies(tableId?: number): policyOps.PolicyDef[] {
    return policyOps.listPolicies(this.cdb, tableId);
  }

  getPolicy(tableId: number, name: string): policyOps.PolicyDef | undefined {
    return policyOps.getPolicy(this.cdb, tableId, name);
  }

  createPolicy(p: Omit<policyOps.PolicyDef, 'oid'>, tableName: string): policyOps.PolicyDef {
    this.version++;
    return policyOps.createPolicy(this.cdb, p, tableName);
  }

  alterPolicy(tableId: number, name: string, change: Parameters<typeof policyOps.alterPolicy>[3]): void {
    this.version++;
    policyOps.alterPolicy(this.cdb, tableId, name, change);
  }

  dropPolicy(tableId: number, name: string): boolean {
    this.version++;
    return policyOps.dropPolicy(this.cdb, tableId, name);
  }
}
