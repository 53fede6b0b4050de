-- Tessera catalog, version 5: roles, privileges and row-level security (docs/security.md).
-- Roles: PostgreSQL's pg_authid attributes. role_id is the role's OID (16384 and up, as
-- PostgreSQL numbers user objects); OID 10 is the bootstrap superuser, which is not stored.
-- password: a SCRAM-SHA-256 verifier "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>",
-- never plaintext.

CREATE TABLE Roles (
  role_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL UNIQUE,
  super       INTEGER NOT NULL DEFAULT 0,
  inherit     INTEGER NOT NULL DEFAULT 1,
  createrole  INTEGER NOT NULL DEFAULT 0,
  createdb    INTEGER NOT NULL DEFAULT 0,
  canlogin    INTEGER NOT NULL DEFAULT 0,
  replication INTEGER NOT NULL DEFAULT 0,
  bypassrls   INTEGER NOT NULL DEFAULT 0,
  connlimit   INTEGER NOT NULL DEFAULT -1,
  password    TEXT,
  valid_until TEXT,
  created_on  INTEGER NOT NULL
);

INSERT INTO sqlite_sequence (name, seq) VALUES ('Roles', 16383);

-- GRANT role TO member.
CREATE TABLE RoleMembers (
  role_id      INTEGER NOT NULL,
  member_id    INTEGER NOT NULL,
  grantor_id   INTEGER NOT NULL,
  admin_option INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (role_id, member_id)
) WITHOUT ROWID;

-- Owner, ACL and row-level security flags of a table (no row: owned by OID 10, default ACL).
-- acl: NULL (the owner's default privileges) or JSON [{"grantee":oid|0,"grantor":oid,"privs":"arwdDxt"}].
CREATE TABLE TableSecurity (
  table_id    INTEGER PRIMARY KEY,
  owner_oid   INTEGER NOT NULL DEFAULT 10,
  rls_enabled INTEGER NOT NULL DEFAULT 0,
  rls_forced  INTEGER NOT NULL DEFAULT 0,
  acl         TEXT
);

-- Owner and ACL of schemas and sequences (objtype 'schema' | 'sequence'; name as in the catalog).
CREATE TABLE ObjectAcls (
  objtype   TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  owner_oid INTEGER NOT NULL,
  acl       TEXT,
  PRIMARY KEY (objtype, name)
) WITHOUT ROWID;

-- CREATE POLICY. command: '*' ALL, 'r' SELECT, 'a' INSERT, 'w' UPDATE, 'd' DELETE (pg_policy.polcmd).
-- roles: JSON array of role OIDs, 0 = PUBLIC. using_expr / check_expr: libpg-query JSON of the expression.
CREATE TABLE Policies (
  policy_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  table_id    INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  command     TEXT    NOT NULL,
  permissive  INTEGER NOT NULL,
  roles       TEXT    NOT NULL,
  using_expr  TEXT,
  check_expr  TEXT,
  UNIQUE (table_id, name)
);
