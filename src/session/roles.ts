/**
 * The session's identity: the session user (who logged in), SET SESSION AUTHORIZATION and
 * SET ROLE, as PostgreSQL's current_user / session_user. A login name that is a catalog role
 * is that role; any other name (the configured or trust users, as before roles existed) is
 * the bootstrap superuser, OID 10. Role state is kept in Settings under internal keys, so
 * ROLLBACK, savepoints, SET LOCAL, RESET ALL and DISCARD ALL treat it as PostgreSQL's GUCs.
 */
import { BOOTSTRAP_ROLE_OID, type Catalog, type RoleDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import type { RoleContext } from '../executor/index.ts';
import type { Settings } from './settings.ts';

/** Settings keys no SET can name. */
const ROLE_KEY = '\u0000role';
const SESSION_AUTH_KEY = '\u0000session_authorization';

/** The role named `name` as the session sees it: a catalog role, or the bootstrap superuser. */
interface Identity {
  readonly oid: number;
  readonly name: string;
}

export class SessionRoles {
  /** Who authenticated. */
  readonly login: Identity;
  /** The name OID 10 shows as in this session (the login name unless that is a catalog role). */
  readonly bootstrapName: string;
  private cached: { key: string; rc: RoleContext } | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly settings: Settings,
    loginName: string,
  ) {
    const role = catalog.security.getRole(loginName);
    this.login = role ? { oid: role.oid, name: role.name } : { oid: BOOTSTRAP_ROLE_OID, name: loginName };
    this.bootstrapName = role ? 'postgres' : loginName;
  }

  /** A role by name: a catalog role, or the bootstrap superuser under its name. */
  find(name: string): Identity | undefined {
    if (name === this.bootstrapName) return { oid: BOOTSTRAP_ROLE_OID, name };
    const r = this.catalog.security.getRole(name);
    return r ? { oid: r.oid, name: r.name } : undefined;
  }

  nameOf(oid: number): string | undefined {
    if (oid === BOOTSTRAP_ROLE_OID) return this.bootstrapName;
    if (oid === 6171) return 'pg_database_owner';
    return this.catalog.security.getRoleByOid(oid)?.name;
  }

  private byOid(oid: number, fallback: string): Identity {
    return { oid, name: this.nameOf(oid) ?? fallback };
  }

  private stored(key: string): Identity | null {
    const v = this.settings.tryGet(key);
    if (v === undefined || v === '') return null;
    const [oid, ...name] = v.split(':');
    return this.byOid(Number(oid), name.join(':'));
  }

  /** Identities resolved for a settings and catalog version (current_user is read per row by policies). */
  private resolved: { settings: number; security: number; session: Identity; current: Identity } | null = null;

  private identities(): { session: Identity; current: Identity } {
    const settings = this.settings.version;
    const security = this.catalog.security.version;
    const r = this.resolved;
    if (r !== null && r.settings === settings && r.security === security) return r;
    const session = this.stored(SESSION_AUTH_KEY) ?? this.login;
    this.resolved = { settings, security, session, current: this.stored(ROLE_KEY) ?? session };
    return this.resolved;
  }

  /** session_user. */
  get sessionUser(): Identity {
    return this.identities().session;
  }

  /** current_user / current_role. */
  get currentUser(): Identity {
    return this.identities().current;
  }

  /** SHOW role: the SET ROLE name, or none. */
  get roleSetting(): string {
    return this.stored(ROLE_KEY)?.name ?? 'none';
  }

  private role(oid: number): RoleDef | undefined {
    return oid === BOOTSTRAP_ROLE_OID ? undefined : this.catalog.security.getRoleByOid(oid);
  }

  isSuperuser(oid: number): boolean {
    return oid === BOOTSTRAP_ROLE_OID || this.role(oid)?.superuser === true;
  }

  /** Roles reachable through memberships; with `inheritOnly`, only through roles that inherit (has_privs_of_role). */
  reachable(oid: number, inheritOnly: boolean): Set<number> {
    const members = this.catalog.security.listMembers();
    const out = new Set<number>([oid]);
    const queue = [oid];
    while (queue.length > 0) {
      const m = queue.shift()!;
      if (inheritOnly && m !== BOOTSTRAP_ROLE_OID && this.role(m)?.inherit === false) continue;
      for (const e of members) {
        if (e.memberId === m && !out.has(e.roleId)) {
          out.add(e.roleId);
          queue.push(e.roleId);
        }
      }
    }
    return out;
  }

  /** The privilege view of the current role (cached until a role or the catalog's security changes). */
  context(): RoleContext {
    const cur = this.currentUser;
    const key = `${cur.oid}:${this.catalog.security.version}`;
    if (this.cached?.key === key) return this.cached.rc;
    const rc = this.contextOf(cur);
    this.cached = { key, rc };
    return rc;
  }

  /** The privilege view of any role. */
  contextOf(cur: Identity): RoleContext {
    const def = this.role(cur.oid);
    const superuser = this.isSuperuser(cur.oid);
    const rc: RoleContext = {
      roleOid: cur.oid,
      roleName: cur.name,
      superuser,
      bypassRls: superuser || def?.bypassRls === true,
      privRoles: this.reachable(cur.oid, true),
      security: this.catalog.security,
      nameOf: (oid) => this.nameOf(oid),
      forRole: (name) => {
        const r = this.find(name);
        return r ? this.contextOf(r) : undefined;
      },
    };
    return rc;
  }

  /** SET [LOCAL] ROLE name | NONE, RESET ROLE (null). */
  setRole(name: string | null, isLocal: boolean, inBlock: boolean): void {
    if (name === null || name === 'none') {
      this.settings.setInternal(ROLE_KEY, null, isLocal, inBlock);
      this.reportChanges();
      return;
    }
    const target = this.find(name);
    if (!target) throw new DbError(SqlState.InvalidParameterValue, `role "${name}" does not exist`);
    const sess = this.sessionUser;
    if (!this.isSuperuser(sess.oid) && !this.reachable(sess.oid, false).has(target.oid)) {
      throw new DbError(SqlState.InsufficientPrivilege, `permission denied to set role "${name}"`);
    }
    this.settings.setInternal(ROLE_KEY, `${target.oid}:${target.name}`, isLocal, inBlock);
    this.reportChanges();
  }

  /** SET SESSION AUTHORIZATION name | DEFAULT (null): only a superuser login may; resets the role. */
  setSessionAuthorization(name: string | null, isLocal: boolean, inBlock: boolean): void {
    if (name !== null) {
      const target = this.find(name);
      if (!target) throw new DbError(SqlState.InvalidParameterValue, `role "${name}" does not exist`);
      if (!this.isSuperuser(this.login.oid) && target.oid !== this.login.oid) {
        throw new DbError(SqlState.InsufficientPrivilege, 'permission denied to set session authorization');
      }
      this.settings.setInternal(SESSION_AUTH_KEY, `${target.oid}:${target.name}`, isLocal, inBlock);
    } else this.settings.setInternal(SESSION_AUTH_KEY, null, isLocal, inBlock);
    this.settings.setInternal(ROLE_KEY, null, isLocal, inBlock);
    this.reportChanges();
  }

  private reportChanges(): void {
    this.settings.markChanged('is_superuser');
    this.settings.markChanged('session_authorization');
  }

  /** Values of the role-related settings (Settings.dynamic). */
  dynamicSetting(key: string): string | undefined {
    switch (key) {
      case 'role':
        return this.roleSetting;
      case 'session_authorization':
        return this.sessionUser.name;
      case 'is_superuser':
        return this.isSuperuser(this.currentUser.oid) ? 'on' : 'off';
      default:
        return undefined;
    }
  }
}
