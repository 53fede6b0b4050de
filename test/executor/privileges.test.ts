/**
 * Unit tests of executor/privileges.ts: aclitem arithmetic (GRANT merges, REVOKE removes and
 * drops empty items, PostgreSQL's letter order and text form) and the privilege rules over a
 * :memory: catalog — superuser, owner, inherited membership, PUBLIC, schema defaults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../src/catalog/index.ts';
import { privileges, type RoleContext } from '../../src/executor/index.ts';

const { grantAcl, revokeAcl, formatAcl, defaultAcl, hasTablePrivilege, hasSchemaPrivilege, privilegeKeywords } = privileges;

const names: Record<number, string> = { 10: 'postgres', 16384: 'app', 16385: 'My Role' };
const nameOf = (oid: number): string | undefined => names[oid];

test('GRANT merges into one item per grantee and grantor, in aclitem letter order', () => {
  let acl = defaultAcl('table', 10);
  acl = grantAcl(acl, 16384, 10, 'r');
  acl = grantAcl(acl, 16384, 10, 'da');
  acl = grantAcl(acl, 0, 10, 'r');
  assert.deepEqual(formatAcl(acl, nameOf), ['postgres=arwdDxt/postgres', 'app=ard/postgres', '=r/postgres']);
});

test('REVOKE removes letters and drops emptied items; quoted role names', () => {
  let acl = grantAcl(defaultAcl('sequence', 10), 16385, 10, 'U');
  acl = grantAcl(acl, 16384, 10, 'rw');
  assert.deepEqual(formatAcl(acl, nameOf), ['postgres=rwU/postgres', '"My Role"=U/postgres', 'app=rw/postgres']);
  acl = revokeAcl(acl, 16385, 10, 'U');
  acl = revokeAcl(acl, 16384, 10, 'r');
  assert.deepEqual(formatAcl(acl, nameOf), ['postgres=rwU/postgres', 'app=w/postgres']);
});

test('privilege keywords of has_table_privilege', () => {
  assert.equal(privilegeKeywords('SELECT, insert WITH GRANT OPTION'), 'ra');
});

test('superuser, owner, inherited role, PUBLIC and schema defaults decide', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sec = catalog.security;
    const app = sec.createRole('app', { canLogin: true });
    const group = sec.createRole('group_r', {});
    const noinherit = sec.createRole('noinh', { inherit: false });
    sec.grantMembership(group.oid, app.oid, 10, false);
    sec.grantMembership(group.oid, noinherit.oid, 10, false);
    sec.updateTableSecurity(1, { ownerOid: group.oid });
    sec.updateTableSecurity(2, { acl: grantAcl(defaultAcl('table', 10), 0, 10, 'r') });
    const ctx = (oid: number, privRoles: number[], superuser = false): RoleContext => ({
      roleOid: oid, roleName: String(oid), superuser, bypassRls: superuser, privRoles: new Set([oid, ...privRoles]), security: sec,
      nameOf: () => undefined, forRole: () => undefined,
    });
    const appCtx = ctx(app.oid, [group.oid]);
    const noinhCtx = ctx(noinherit.oid, []);
    assert.equal(hasTablePrivilege(ctx(10, [], true), 1, 'arwdDxt'), true);
    assert.equal(hasTablePrivilege(appCtx, 1, 'arwdDxt'), true, 'member of the owning role');
    assert.equal(hasTablePrivilege(noinhCtx, 1, 'r'), false, 'NOINHERIT member');
    assert.equal(hasTablePrivilege(appCtx, 2, 'r'), true, 'PUBLIC');
    assert.equal(hasTablePrivilege(appCtx, 2, 'a'), false);
    assert.equal(hasTablePrivilege(appCtx, 3, 'r'), false, 'default ACL: owner only');
    assert.equal(hasSchemaPrivilege(appCtx, 'public', 'U'), true);
    assert.equal(hasSchemaPrivilege(appCtx, 'public', 'C'), false, 'PostgreSQL 15: CREATE on public for its owner only');
    assert.equal(hasSchemaPrivilege(appCtx, 'pg_catalog', 'U'), true);
  } finally {
    catalog.close();
  }
});
