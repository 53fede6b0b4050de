/**
 * Converts libpg-query's role, privilege and row-level security statements into the AST of
 * ast-security.ts. Forms Tessera does not implement (WITH GRANT OPTION, ALTER DEFAULT
 * PRIVILEGES, GRANT on functions or databases, ALTER ROLE SET) are rejected with 0A000.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import type { Statement, StoredExpr } from './ast.ts';
import type { PolicyCommandName, RoleOptions, RoleSpec, SecurityStatement } from './ast-security.ts';
import { qualifiedName, type ConvertHelpers } from './convert-ddl-dml.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

function roleSpec(r: Raw): RoleSpec {
  switch (r.roletype) {
    case 'ROLESPEC_CSTRING':
      return { kind: 'name', name: r.rolename };
    case 'ROLESPEC_PUBLIC':
      return { kind: 'public' };
    case 'ROLESPEC_CURRENT_USER':
    case 'ROLESPEC_CURRENT_ROLE':
      return { kind: 'current_user' };
    case 'ROLESPEC_SESSION_USER':
      return { kind: 'session_user' };
    default:
      throw notSupported(`role specification ${String(r.roletype)} is not supported`);
  }
}

const roleList = (items: Raw[] | undefined): RoleSpec[] => (items ?? []).map((i: Raw) => roleSpec(i.RoleSpec ?? i));
const roleNames = (items: Raw[] | undefined): string[] => (items ?? []).map((i: Raw) => (i.RoleSpec ?? i).rolename as string);

function roleOptions(options: Raw[] | undefined, isUser: boolean): RoleOptions {
  const o: Record<string, unknown> = isUser ? { canLogin: true } : {};
  const seen = new Set<string>();
  for (const raw of options ?? []) {
    const d = raw.DefElem;
    if (seen.has(d.defname)) throw new DbError(SqlState.SyntaxError, 'conflicting or redundant options').at(d.location + 1);
    seen.add(d.defname);
    const bool = d.arg?.Boolean?.boolval === true;
    switch (d.defname) {
      case 'superuser': o.superuser = bool; break;
      case 'inherit': o.inherit = bool; break;
      case 'createrole': o.createRole = bool; break;
      case 'createdb': o.createDb = bool; break;
      case 'canlogin': o.canLogin = bool; break;
      case 'isreplication': o.replication = bool; break;
      case 'bypassrls': o.bypassRls = bool; break;
      case 'connectionlimit': o.connLimit = Number(d.arg?.Integer?.ival ?? 0); break;
      case 'password': o.password = d.arg?.String?.sval ?? null; break;
      case 'validUntil': o.validUntil = d.arg?.String?.sval; break;
      case 'addroleto': o.inRoles = roleNames(d.arg?.List?.items); break;
      case 'rolemembers': o.members = roleNames(d.arg?.List?.items); break;
      case 'adminmembers': o.admins = roleNames(d.arg?.List?.items); break;
      case 'sysid': break; // SYSID is ignored, as PostgreSQL does
      default:
        throw notSupported(`role option ${d.defname} is not supported`);
    }
  }
  return o as RoleOptions;
}

const POLICY_COMMANDS: Record<string, PolicyCommandName> = { all: 'all', select: 'select', insert: 'insert', update: 'update', delete: 'delete' };

function stored(h: ConvertHelpers, raw: Raw | undefined): StoredExpr | null {
  return raw ? { expr: h.convertExpr(raw), raw: JSON.stringify(raw) } : null;
}

function grantStmt(n: Raw): SecurityStatement {
  if (n.grant_option) throw notSupported('WITH GRANT OPTION is not supported');
  const objectType = ({ OBJECT_TABLE: 'table', OBJECT_SCHEMA: 'schema', OBJECT_SEQUENCE: 'sequence' } as const)[n.objtype as 'OBJECT_TABLE'];
  if (!objectType) throw notSupported(`GRANT and REVOKE on ${String(n.objtype).replace('OBJECT_', '').toLowerCase()} objects are not supported`);
  const allInSchema = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  if (n.targtype !== 'ACL_TARGET_OBJECT' && !allInSchema) throw notSupported('this form of GRANT is not supported');
  const objects = ((n.objects ?? []) as Raw[]).map((o: Raw) =>
    o.RangeVar ? qualifiedName(o.RangeVar) : { schema: null, name: o.String.sval as string, location: -1 },
  );
  const privileges =
    n.privileges === undefined
      ? null
      : ((n.privileges as Raw[]).map((p: Raw) => {
          if (p.AccessPriv.cols) throw notSupported('column privileges are not supported');
          return p.AccessPriv.priv_name as string;
        }));
  return { kind: 'grant', grant: n.is_grant === true, objectType, objects, allInSchema, privileges, grantees: roleList(n.grantees), cascade: n.behavior === 'DROP_CASCADE' };
}

/** Converts one of the statements above, or returns null when the node is none of them. */
export function convertSecurity(h: ConvertHelpers, type: string, n: Raw): Statement | null {
  switch (type) {
    case 'CreateRoleStmt':
      if (n.stmt_type === 'ROLESTMT_GROUP') return { kind: 'create_role', name: n.role, user: false, options: roleOptions(n.options, false) };
      return { kind: 'create_role', name: n.role, user: n.stmt_type === 'ROLESTMT_USER', options: roleOptions(n.options, n.stmt_type === 'ROLESTMT_USER') };
    case 'AlterRoleStmt': {
      const options = roleOptions(n.options, false);
      // ALTER GROUP g ADD | DROP USER u: membership.
      if (options.members && (n.action === 1 || n.action === -1) && Object.keys(options).length === 1) {
        return { kind: 'grant_role', grant: n.action === 1, roles: [n.role.rolename], grantees: options.members.map((name) => ({ kind: 'name', name })), adminOption: false };
      }
      if (options.inRoles || options.members || options.admins) throw notSupported('ALTER GROUP is not supported');
      return { kind: 'alter_role', role: roleSpec(n.role), options };
    }
    case 'AlterRoleSetStmt':
      return { kind: 'unsupported', what: 'ALTER ROLE ... SET', location: -1 };
    case 'DropRoleStmt':
      return { kind: 'drop_role', names: roleNames(n.roles), ifExists: n.missing_ok === true };
    case 'GrantRoleStmt':
      if (n.grantor) throw notSupported('GRANTED BY is not supported');
      return {
        kind: 'grant_role',
        grant: n.is_grant === true,
        roles: ((n.granted_roles ?? []) as Raw[]).map((r: Raw) => r.AccessPriv.priv_name as string),
        grantees: roleList(n.grantee_roles),
        adminOption: ((n.opt ?? []) as Raw[]).some((o: Raw) => o.DefElem?.defname === 'admin') || n.admin_opt === true,
      };
    case 'GrantStmt':
      return grantStmt(n);
    case 'AlterDefaultPrivilegesStmt':
      return { kind: 'unsupported', what: 'ALTER DEFAULT PRIVILEGES', location: -1 };
    case 'DropOwnedStmt':
      return { kind: 'drop_owned', roles: roleList(n.roles) };
    case 'ReassignOwnedStmt':
      return { kind: 'reassign_owned', roles: roleList(n.roles), to: roleSpec(n.newrole) };
    case 'CreatePolicyStmt': {
      const command = POLICY_COMMANDS[n.cmd_name ?? 'all'];
      if (!command) throw new DbError(SqlState.SyntaxError, `unrecognized policy command "${n.cmd_name}"`);
      return {
        kind: 'create_policy',
        name: n.policy_name,
        table: qualifiedName(n.table),
        permissive: n.permissive === true,
        command,
        roles: n.roles ? roleList(n.roles) : [{ kind: 'public' }],
        using: stored(h, n.qual),
        check: stored(h, n.with_check),
      };
    }
    case 'AlterPolicyStmt':
      return {
        kind: 'alter_policy',
        name: n.policy_name,
        table: qualifiedName(n.table),
        rename: null,
        roles: n.roles ? roleList(n.roles) : null,
        using: stored(h, n.qual),
        check: stored(h, n.with_check),
      };
    case 'RenameStmt':
      if (n.renameType === 'OBJECT_ROLE') return { kind: 'rename_role', name: n.subname, to: n.newname };
      if (n.renameType === 'OBJECT_POLICY') {
        return { kind: 'alter_policy', name: n.subname, table: qualifiedName(n.relation), rename: n.newname, roles: null, using: null, check: null };
      }
      return null;
    case 'DropStmt': {
      if (n.removeType !== 'OBJECT_POLICY') return null;
      const items = ((n.objects ?? []) as Raw[]).map((o: Raw) => (o.List.items as Raw[]).map((s: Raw) => s.String.sval as string));
      if (items.length !== 1) throw notSupported('DROP POLICY of several policies is not supported');
      const parts = items[0]!;
      const name = parts[parts.length - 1]!;
      const table = { schema: parts.length > 2 ? parts[parts.length - 3]! : null, name: parts[parts.length - 2]!, location: -1 };
      return { kind: 'drop_policy', name, table, ifExists: n.missing_ok === true };
    }
    case 'AlterTableStmt': {
      const cmds = ((n.cmds ?? []) as Raw[]).map((c: Raw) => c.AlterTableCmd);
      const security = ['AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_ChangeOwner'];
      const mine = cmds.filter((c: Raw) => security.includes(c.subtype));
      if (mine.length === 0) return null;
      if (mine.length !== cmds.length) throw notSupported('ROW LEVEL SECURITY and OWNER TO cannot be combined with other ALTER TABLE actions');
      // ALTER VIEW v OWNER TO r (pg_dump's way of setting a view's owner); other ALTER VIEW forms are refused.
      const viewOwner = n.objtype === 'OBJECT_VIEW' && cmds.every((c: Raw) => c.subtype === 'AT_ChangeOwner');
      if (n.objtype !== 'OBJECT_TABLE' && !viewOwner) throw notSupported(`ALTER ${String(n.objtype).replace('OBJECT_', '')} is not supported`);
      return {
        kind: 'alter_table_security',
        table: qualifiedName(n.relation),
        ifExists: n.missing_ok === true,
        commands: mine.map((c: Raw) => {
          switch (c.subtype) {
            case 'AT_EnableRowSecurity':
              return { kind: 'rls' as const, enable: true };
            case 'AT_DisableRowSecurity':
              return { kind: 'rls' as const, enable: false };
            case 'AT_ForceRowSecurity':
              return { kind: 'force_rls' as const, force: true };
            case 'AT_NoForceRowSecurity':
              return { kind: 'force_rls' as const, force: false };
            default:
              return { kind: 'owner' as const, role: roleSpec(c.newowner) };
          }
        }),
      };
    }
    case 'VariableSetStmt': {
      if (n.name !== 'role' && n.name !== 'session_authorization') return null;
      const target = n.name as 'role' | 'session_authorization';
      const local = n.is_local === true;
      if (n.kind === 'VAR_SET_VALUE') {
        const v = n.args?.[0]?.A_Const?.sval?.sval as string | undefined;
        if (v === undefined) throw new DbError(SqlState.SyntaxError, `syntax error at or near "${target}"`);
        return { kind: 'set_role', target, name: target === 'role' && v === 'none' ? null : v, local };
      }
      if (n.kind === 'VAR_SET_DEFAULT' || n.kind === 'VAR_RESET') return { kind: 'set_role', target, name: null, local, reset: n.kind === 'VAR_RESET' };
      return null;
    }
    default:
      return null;
  }
}
