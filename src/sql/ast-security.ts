/**
 * sql/: the AST of roles, privileges and row-level security — CREATE/ALTER/DROP ROLE,
 * GRANT/REVOKE (privileges and role membership), SET ROLE / SESSION AUTHORIZATION,
 * CREATE/ALTER/DROP POLICY, ALTER TABLE ... ROW LEVEL SECURITY / OWNER TO. Kept beside
 * ast.ts (which includes these in its Statement union); produced by convert-security.ts and
 * run by session/roles-ddl.ts.
 */
import type { QualifiedName, StoredExpr } from './ast.ts';

/** A role reference: a name, PUBLIC, CURRENT_USER / CURRENT_ROLE, SESSION_USER. */
export type RoleSpec =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'public' }
  | { readonly kind: 'current_user' }
  | { readonly kind: 'session_user' };

/** Role options of CREATE / ALTER ROLE (undefined: not given). password null: PASSWORD NULL. */
export interface RoleOptions {
  readonly superuser?: boolean;
  readonly inherit?: boolean;
  readonly createRole?: boolean;
  readonly createDb?: boolean;
  readonly canLogin?: boolean;
  readonly replication?: boolean;
  readonly bypassRls?: boolean;
  readonly connLimit?: number;
  readonly password?: string | null;
  readonly validUntil?: string;
  /** CREATE ROLE ... IN ROLE r: the new role becomes a member of these. */
  readonly inRoles?: readonly string[];
  /** CREATE ROLE ... ROLE r / ADMIN r: these become members of the new role. */
  readonly members?: readonly string[];
  readonly admins?: readonly string[];
}

export type PolicyCommandName = 'all' | 'select' | 'insert' | 'update' | 'delete';

export type SecurityStatement =
  | { readonly kind: 'create_role'; readonly name: string; readonly user: boolean; readonly options: RoleOptions }
  | { readonly kind: 'alter_role'; readonly role: RoleSpec; readonly options: RoleOptions }
  | { readonly kind: 'rename_role'; readonly name: string; readonly to: string }
  | { readonly kind: 'drop_role'; readonly names: readonly string[]; readonly ifExists: boolean }
  /** REASSIGN OWNED BY roles TO role / DROP OWNED BY roles (privileges and policy memberships; owned tables must be reassigned first). */
  | { readonly kind: 'reassign_owned'; readonly roles: readonly RoleSpec[]; readonly to: RoleSpec }
  | { readonly kind: 'drop_owned'; readonly roles: readonly RoleSpec[] }
  | { readonly kind: 'grant_role'; readonly grant: boolean; readonly roles: readonly string[]; readonly grantees: readonly RoleSpec[]; readonly adminOption: boolean }
  | {
      readonly kind: 'grant';
      readonly grant: boolean;
      readonly objectType: 'table' | 'schema' | 'sequence';
      /** Tables / sequences by name, or (allInSchema) schema names; schemas by name. */
      readonly objects: readonly QualifiedName[];
      readonly allInSchema: boolean;
      /** Privilege keywords (lower case); null = ALL [PRIVILEGES]. */
      readonly privileges: readonly string[] | null;
      readonly grantees: readonly RoleSpec[];
      readonly cascade: boolean;
    }
  | { readonly kind: 'set_role'; readonly target: 'role' | 'session_authorization'; readonly name: string | null; readonly local: boolean; readonly reset?: boolean }
  | {
      readonly kind: 'create_policy';
      readonly name: string;
      readonly table: QualifiedName;
      readonly permissive: boolean;
      readonly command: PolicyCommandName;
      readonly roles: readonly RoleSpec[];
      readonly using: StoredExpr | null;
      readonly check: StoredExpr | null;
    }
  | {
      readonly kind: 'alter_policy';
      readonly name: string;
      readonly table: QualifiedName;
      readonly rename: string | null;
      readonly roles: readonly RoleSpec[] | null;
      readonly using: StoredExpr | null;
      readonly check: StoredExpr | null;
    }
  | { readonly kind: 'drop_policy'; readonly name: string; readonly table: QualifiedName; readonly ifExists: boolean }
  /** ALTER TABLE t ENABLE|DISABLE|FORCE|NO FORCE ROW LEVEL SECURITY, OWNER TO r (only these subcommands). */
  | {
      readonly kind: 'alter_table_security';
      readonly table: QualifiedName;
      readonly ifExists: boolean;
      readonly commands: readonly ({ readonly kind: 'rls'; readonly enable: boolean } | { readonly kind: 'force_rls'; readonly force: boolean } | { readonly kind: 'owner'; readonly role: RoleSpec })[];
    };
