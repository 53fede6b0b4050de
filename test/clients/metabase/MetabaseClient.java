// Client program for test/clients/metabase.test.ts: replays what Metabase's PostgreSQL driver sends through
// pgJDBC (Debian's libpostgresql-jdbc-java) when it connects, syncs a database and runs a question.
// Usage: java -cp OUT:postgresql.jar MetabaseClient JDBC_URL SCHEMA[,SCHEMA...] TABLE
// Prints one JSON array (the transcript) on stdout; a step that fails records its SQLSTATE and message.
// The SQL texts are Metabase's (src/metabase/driver/postgres.clj: get-tables-sql, describe-fields-sql,
// describe-fks-sql, describe-indexes-sql, enum-types, current-user-table-privileges, db-default-timezone;
// sql_jdbc/sync/describe_database.clj: the SELECT probe), as HoneySQL renders them with ANSI quoting.
import java.sql.*;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.postgresql.util.PSQLException;

public class MetabaseClient {
  private static final List<String> out = new ArrayList<>();

  private static String json(Object v) {
    if (v == null) return "null";
    if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short) return v.toString();
    if (v instanceof List) {
      StringBuilder sb = new StringBuilder("[");
      for (Object o : (List<?>) v) { if (sb.length() > 1) sb.append(','); sb.append(json(o)); }
      return sb.append(']').toString();
    }
    if (v instanceof Array) {
      try { return json(v.toString()); } catch (Exception e) { return json(e.toString()); }
    }
    if (v instanceof byte[]) return json("bytes:" + ((byte[]) v).length);
    String s = (v instanceof String) ? (String) v : v.getClass().getSimpleName() + ":" + v;
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }

  private static void note(String label, Object value) {
    out.add("{\"label\":" + json(label) + ",\"value\":" + json(value) + "}");
  }

  private interface Step { Object run() throws SQLException; }

  /** Runs one step; an error is part of the transcript (SQLSTATE and message), not the end of the run. */
  private static void step(Connection c, String label, Step s) {
    try {
      note(label, s.run());
    } catch (PSQLException e) {
      note(label, Arrays.asList("error", e.getSQLState(), e.getServerErrorMessage() == null ? e.getMessage() : e.getServerErrorMessage().getMessage()));
      try { if (!c.getAutoCommit()) c.rollback(); } catch (SQLException ignored) { }
    } catch (SQLException e) {
      note(label, Arrays.asList("error", e.getSQLState(), e.getMessage()));
    }
  }

  /** Rows as lists of getObject values, plus (first) the column labels and type names the driver saw. */
  private static List<Object> rows(ResultSet rs, boolean sorted) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<Object> header = new ArrayList<>();
    for (int i = 1; i <= n; i++) header.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i));
    List<List<Object>> body = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
      body.add(row);
    }
    rs.close();
    if (sorted) body.sort(Comparator.comparing(MetabaseClient::json));
    List<Object> all = new ArrayList<>();
    all.add(header);
    all.addAll(body);
    return all;
  }

  private static List<Object> columns(ResultSet rs, String... names) throws SQLException {
    List<Object> rows = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (String name : names) row.add(rs.getObject(name));
      rows.add(row);
    }
    rs.close();
    return rows;
  }

  private static List<Object> query(Connection c, String sql, boolean sorted, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
      return rows(ps.executeQuery(), sorted);
    }
  }

  /** HoneySQL's `IN (?, ?)` for the schema filter. */
  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  static final String TABLE_PRIVILEGES = String.join("\n",
      "with table_privileges as (",
      " select",
      "   NULL as role,",
      "   t.schemaname as schema,",
      "   t.objectname as table,",
      "   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'update') as update,",
      "   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'select') as select,",
      "   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'insert') as insert,",
      "   pg_catalog.has_table_privilege(     current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'delete') as delete",
      " from (",
      "   select schemaname, tablename as objectname from pg_catalog.pg_tables",
      "   union",
      "   select schemaname, viewname as objectname from pg_catalog.pg_views",
      "   union",
      "   select schemaname, matviewname as objectname from pg_catalog.pg_matviews",
      " ) t",
      " where t.schemaname !~ '^pg_'",
      "   and t.schemaname <> 'information_schema'",
      "   and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')",
      ")",
      "select t.*",
      "from table_privileges t");

  static String getTablesSql(int schemas) {
    return "SELECT \"n\".\"nspname\" AS \"schema\", \"c\".\"relname\" AS \"name\", CASE \"c\".\"relkind\" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE'"
        + " WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS \"type\", \"d\".\"description\" AS \"description\","
        + " \"stat\".\"n_live_tup\" AS \"estimated_row_count\" FROM \"pg_catalog\".\"pg_class\" AS \"c\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"n\""
        + " ON \"c\".\"relnamespace\" = \"n\".\"oid\" LEFT JOIN \"pg_catalog\".\"pg_description\" AS \"d\" ON (\"c\".\"oid\" = \"d\".\"objoid\") AND (\"d\".\"objsubid\" = 0)"
        + " AND (\"d\".\"classoid\" = 'pg_class'::regclass) LEFT JOIN \"pg_stat_user_tables\" AS \"stat\" ON (\"n\".\"nspname\" = \"stat\".\"schemaname\")"
        + " AND (\"c\".\"relname\" = \"stat\".\"relname\") WHERE (\"c\".\"relnamespace\" = \"n\".\"oid\") AND (\"n\".\"nspname\" !~ ?) AND (\"n\".\"nspname\" <> ?)"
        + " AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND (\"n\".\"nspname\" IN (" + marks(schemas) + ")) ORDER BY \"type\" ASC, \"schema\" ASC, \"name\" ASC";
  }

  static String describeFieldsSql(int schemas) {
    return "SELECT \"c\".\"column_name\" AS \"name\", CASE WHEN \"c\".\"udt_schema\" IN ('public', 'pg_catalog') THEN FORMAT('%s', \"c\".\"udt_name\")"
        + " ELSE FORMAT('\"%s\".\"%s\"', \"c\".\"udt_schema\", \"c\".\"udt_name\") END AS \"database-type\", \"c\".\"ordinal_position\" - 1 AS \"database-position\","
        + " \"c\".\"table_schema\" AS \"table-schema\", \"c\".\"table_name\" AS \"table-name\", \"pk\".\"column_name\" IS NOT NULL AS \"pk?\","
        + " COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(\"c\".\"table_schema\" AS TEXT), CAST(\"c\".\"table_name\" AS TEXT)) AS REGCLASS) AS OID), \"c\".\"ordinal_position\") AS \"field-comment\","
        + " ((\"column_default\" IS NULL) OR (LOWER(\"column_default\") = 'null')) AND (\"is_nullable\" = 'NO') AND NOT (((\"column_default\" IS NOT NULL)"
        + " AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO')) AS \"database-required\", ((\"column_default\" IS NOT NULL)"
        + " AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO') AS \"database-is-auto-increment\" FROM \"information_schema\".\"columns\" AS \"c\""
        + " LEFT JOIN (SELECT \"tc\".\"table_schema\", \"tc\".\"table_name\", \"kc\".\"column_name\" FROM \"information_schema\".\"table_constraints\" AS \"tc\""
        + " INNER JOIN \"information_schema\".\"key_column_usage\" AS \"kc\" ON (\"tc\".\"constraint_name\" = \"kc\".\"constraint_name\")"
        + " AND (\"tc\".\"table_schema\" = \"kc\".\"table_schema\") AND (\"tc\".\"table_name\" = \"kc\".\"table_name\") WHERE \"tc\".\"constraint_type\" = 'PRIMARY KEY') AS \"pk\""
        + " ON (\"c\".\"table_schema\" = \"pk\".\"table_schema\") AND (\"c\".\"table_name\" = \"pk\".\"table_name\") AND (\"c\".\"column_name\" = \"pk\".\"column_name\")"
        + " WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND (\"c\".\"table_schema\" IN (" + marks(schemas) + "))"
        + " UNION ALL SELECT \"pa\".\"attname\" AS \"name\", CASE WHEN \"ptn\".\"nspname\" IN ('public', 'pg_catalog') THEN FORMAT('%s', \"pt\".\"typname\")"
        + " ELSE FORMAT('\"%s\".\"%s\"', \"ptn\".\"nspname\", \"pt\".\"typname\") END AS \"database-type\", \"pa\".\"attnum\" - 1 AS \"database-position\","
        + " \"pn\".\"nspname\" AS \"table-schema\", \"pc\".\"relname\" AS \"table-name\", FALSE AS \"pk?\", NULL AS \"field-comment\", FALSE AS \"database-required\","
        + " FALSE AS \"database-is-auto-increment\" FROM \"pg_catalog\".\"pg_class\" AS \"pc\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"pn\" ON \"pn\".\"oid\" = \"pc\".\"relnamespace\""
        + " INNER JOIN \"pg_catalog\".\"pg_attribute\" AS \"pa\" ON \"pa\".\"attrelid\" = \"pc\".\"oid\" INNER JOIN \"pg_catalog\".\"pg_type\" AS \"pt\" ON \"pt\".\"oid\" = \"pa\".\"atttypid\""
        + " INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"ptn\" ON \"ptn\".\"oid\" = \"pt\".\"typnamespace\" WHERE (\"pc\".\"relkind\" = 'm') AND (\"pa\".\"attnum\" >= 1)"
        + " AND (\"pn\".\"nspname\" IN (" + marks(schemas) + ")) ORDER BY \"table-schema\" ASC, \"table-name\" ASC, \"database-position\" ASC";
  }

  static String describeFksSql(int schemas, String contype) {
    return "SELECT \"fk_ns\".\"nspname\" AS \"fk-table-schema\", \"fk_table\".\"relname\" AS \"fk-table-name\", \"fk_column\".\"attname\" AS \"fk-column-name\","
        + " \"pk_ns\".\"nspname\" AS \"pk-table-schema\", \"pk_table\".\"relname\" AS \"pk-table-name\", \"pk_column\".\"attname\" AS \"pk-column-name\""
        + " FROM \"pg_constraint\" AS \"c\" INNER JOIN \"pg_class\" AS \"fk_table\" ON \"c\".\"conrelid\" = \"fk_table\".\"oid\""
        + " INNER JOIN \"pg_namespace\" AS \"fk_ns\" ON \"c\".\"connamespace\" = \"fk_ns\".\"oid\" INNER JOIN \"pg_attribute\" AS \"fk_column\" ON \"c\".\"conrelid\" = \"fk_column\".\"attrelid\""
        + " INNER JOIN \"pg_class\" AS \"pk_table\" ON \"c\".\"" + (contype.equals("f") ? "confrelid" : "conrelid") + "\" = \"pk_table\".\"oid\""
        + " INNER JOIN \"pg_namespace\" AS \"pk_ns\" ON \"pk_table\".\"relnamespace\" = \"pk_ns\".\"oid\""
        + " INNER JOIN \"pg_attribute\" AS \"pk_column\" ON \"c\".\"" + (contype.equals("f") ? "confrelid" : "conrelid") + "\" = \"pk_column\".\"attrelid\""
        + " WHERE fk_ns.nspname !~ '^information_schema|catalog_history|pg_' AND (\"c\".\"contype\" = '" + contype + "'::char)"
        + " AND (\"fk_column\".\"attnum\" = ANY(c.conkey)) AND (\"pk_column\".\"attnum\" = ANY(c." + (contype.equals("f") ? "confkey" : "conkey") + "))"
        + " AND (\"fk_ns\".\"nspname\" IN (" + marks(schemas) + ")) ORDER BY \"fk-table-schema\" ASC, \"fk-table-name\" ASC";
  }

  static String describeIndexesSql(int schemas) {
    return "SELECT \"tmp\".\"table-schema\", \"tmp\".\"table-name\", TRIM(BOTH '\"' FROM PG_CATALOG.PG_GET_INDEXDEF(\"tmp\".\"ci_oid\", \"tmp\".\"pos\", FALSE)) AS \"field-name\""
        + " FROM (SELECT \"n\".\"nspname\" AS \"table-schema\", \"ct\".\"relname\" AS \"table-name\", \"ci\".\"oid\" AS \"ci_oid\","
        + " (INFORMATION_SCHEMA._PG_EXPANDARRAY(\"i\".\"indkey\")).\"n\" AS \"pos\" FROM \"pg_catalog\".\"pg_class\" AS \"ct\""
        + " INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"n\" ON \"ct\".\"relnamespace\" = \"n\".\"oid\" INNER JOIN \"pg_catalog\".\"pg_index\" AS \"i\" ON \"ct\".\"oid\" = \"i\".\"indrelid\""
        + " INNER JOIN \"pg_catalog\".\"pg_class\" AS \"ci\" ON \"ci\".\"oid\" = \"i\".\"indexrelid\" WHERE (PG_CATALOG.PG_GET_EXPR(\"i\".\"indpred\", \"i\".\"indrelid\") IS NULL)"
        + " AND n.nspname !~ '^information_schema|catalog_history|pg_' AND (\"n\".\"nspname\" IN (" + marks(schemas) + "))) AS \"tmp\" WHERE \"tmp\".\"pos\" = 1";
  }

  static void sync(String url, String[] schemas, String table) throws Exception {
    String schema = table.substring(0, table.indexOf('.'));
    String name = table.substring(table.indexOf('.') + 1);
    String[] tableParams = new String[schemas.length + 2];
    tableParams[0] = "^pg_";
    tableParams[1] = "information_schema";
    System.arraycopy(schemas, 0, tableParams, 2, schemas.length);
    String[] twice = new String[schemas.length * 2];
    System.arraycopy(schemas, 0, twice, 0, schemas.length);
    System.arraycopy(schemas, 0, twice, schemas.length, schemas.length);

    try (Connection c = DriverManager.getConnection(url)) {
      // The connection pool's checks and connection setup (sql-jdbc.execute/do-with-connection-with-options).
      step(c, "pool check: isValid (an empty statement)", () -> c.isValid(5));
      step(c, "pool check: empty statement", () -> {
        try (Statement s = c.createStatement()) { return s.execute(""); }
      });
      step(c, "isolation READ UNCOMMITTED (SET SESSION CHARACTERISTICS)", () -> {
        c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
        return c.getTransactionIsolation();
      });
      step(c, "show transaction_isolation", () -> query(c, "SHOW default_transaction_isolation", false));
      step(c, "holdability", () -> {
        c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT);
        return c.getHoldability();
      });
      step(c, "db-default-timezone: show timezone;", () -> query(c, "show timezone;", false));
      step(c, "set-timezone-sql", () -> {
        try (Statement s = c.createStatement()) { s.execute("SET SESSION TIMEZONE TO 'UTC';"); }
        return query(c, "SHOW TimeZone", false);
      });

      DatabaseMetaData md = c.getMetaData();
      step(c, "dbms version", () -> Arrays.asList(md.getDatabaseProductName(), md.getDatabaseMajorVersion(), md.getDriverName()));
      step(c, "getSchemas", () -> columns(md.getSchemas(), "TABLE_SCHEM"));
      step(c, "enum types", () -> query(c, "SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e)", true));
      step(c, "current-user-table-privileges", () -> query(c, TABLE_PRIVILEGES, true));
      step(c, "get-tables-sql", () -> query(c, getTablesSql(schemas.length), false, tableParams));
      step(c, "select probe", () -> query(c, "SELECT TRUE AS \"_\" FROM \"" + schema + "\".\"" + name + "\" WHERE 1 <> 1 LIMIT 0", false));
      step(c, "select probe of a missing table", () -> query(c, "SELECT TRUE AS \"_\" FROM \"" + schema + "\".\"missing\" WHERE 1 <> 1 LIMIT 0", false));
      step(c, "fallback-metadata-query: ResultSetMetaData of SELECT * ... WHERE 1 <> 1 LIMIT 0", () -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM \"" + schema + "\".\"" + name + "\" WHERE 1 <> 1 LIMIT 0");
             ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData m = rs.getMetaData();
          List<Object> cols = new ArrayList<>();
          for (int i = 1; i <= m.getColumnCount(); i++) {
            cols.add(Arrays.asList(m.getColumnName(i), m.getColumnTypeName(i), m.isAutoIncrement(i), m.isNullable(i), m.getTableName(i), m.getSchemaName(i),
                m.getPrecision(i), m.getScale(i)));
          }
          return cols;
        }
      });
      step(c, "describe-fields-sql", () -> query(c, describeFieldsSql(schemas.length), false, twice));
      step(c, "describe-fks-sql", () -> query(c, describeFksSql(schemas.length, "f"), false, schemas));
      step(c, "describe-fks-sql shape over primary keys (= ANY(conkey))", () -> query(c, describeFksSql(schemas.length, "p"), true, schemas));
      step(c, "describe-indexes-sql", () -> query(c, describeIndexesSql(schemas.length), true, schemas));
      step(c, "regclass, format('%I.%I'), obj_description, col_description", () -> query(c,
          "SELECT format('%I.%I', ?::text, ?::text)::regclass::text AS rel, obj_description(format('%I.%I', ?::text, ?::text)::regclass, 'pg_class') AS tcomment,"
          + " col_description(format('%I.%I', ?::text, ?::text)::regclass::oid, a.attnum) AS ccomment, a.attname FROM pg_attribute a"
          + " WHERE a.attrelid = format('%I.%I', ?::text, ?::text)::regclass AND a.attnum > 0 ORDER BY a.attnum", false,
          schema, name, schema, name, schema, name, schema, name));
      step(c, "pg_class/pg_namespace/pg_description/pg_stat_user_tables", () -> query(c,
          "SELECT n.nspname, c.relname, c.relkind, d.description, s.n_live_tup, c.reltuples >= -1 AS has_reltuples FROM pg_class c"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = 0"
          + " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE n.nspname = ANY(?::text[]) ORDER BY 1, 2", false,
          "{" + String.join(",", schemas) + "}"));

      // The older describe-table path: JDBC DatabaseMetaData.
      step(c, "getTables", () -> columns(md.getTables(null, schema, "%", new String[] {"TABLE", "PARTITIONED TABLE", "VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW"}),
          "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
      step(c, "getColumns", () -> columns(md.getColumns(null, schema, name, null), "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS",
          "NULLABLE", "REMARKS", "COLUMN_DEF", "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"));
      step(c, "getPrimaryKeys", () -> columns(md.getPrimaryKeys(null, schema, name), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
      step(c, "getImportedKeys", () -> columns(md.getImportedKeys(null, schema, name), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKCOLUMN_NAME", "FK_NAME"));
      step(c, "getExportedKeys", () -> columns(md.getExportedKeys(null, schema, name), "FKTABLE_NAME", "FKCOLUMN_NAME", "PKCOLUMN_NAME"));
      step(c, "getIndexInfo", () -> columns(md.getIndexInfo(null, schema, name, false, true), "INDEX_NAME", "NON_UNIQUE", "TYPE", "ORDINAL_POSITION",
          "COLUMN_NAME", "ASC_OR_DESC", "FILTER_CONDITION"));

      // A question: Metabase runs it read-only in a transaction with a fetch size and a row limit (Execute with a
      // row count; the portal is suspended and resumed).
      step(c, "question: fetch size 2, max rows 5", () -> {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        List<Object> result;
        try (Statement s = c.createStatement()) {
          s.setFetchSize(2);
          s.setMaxRows(5);
          result = rows(s.executeQuery("SELECT * FROM \"" + schema + "\".\"" + name + "\" ORDER BY 1 LIMIT 2000"), false);
        }
        c.commit();
        c.setReadOnly(false);
        c.setAutoCommit(true);
        return result;
      });
      step(c, "question: prepared, fetch size 3, max rows 4, run 6 times (server-prepared)", () -> {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        List<Object> last = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT \"source\".\"id\" AS \"id\" FROM (SELECT * FROM \"" + schema + "\".\"" + name + "\") AS \"source\" WHERE \"source\".\"id\" >= ? ORDER BY \"source\".\"id\" ASC LIMIT 2000")) {
          ps.setFetchSize(3);
          ps.setMaxRows(4);
          for (int i = 0; i < 6; i++) {
            ps.setInt(1, 5 - i); // the last run reads from id 0: the row limit cuts it
            last = rows(ps.executeQuery(), false);
          }
        }
        c.commit();
        c.setReadOnly(false);
        c.setAutoCommit(true);
        return last;
      });
      step(c, "question: write in a read-only transaction", () -> {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("DELETE FROM \"" + schema + "\".\"" + name + "\"");
        } finally {
          c.rollback();
          c.setReadOnly(false);
          c.setAutoCommit(true);
        }
      });
      step(c, "after the error", () -> query(c, "SELECT count(*) AS \"count\" FROM \"" + schema + "\".\"" + name + "\"", false));
    }
  }

  /**
   * Questions as Metabase's query processor compiles MBQL for PostgreSQL (sql.qp + driver/postgres.clj:
   * fully qualified "schema"."table"."column" references, DATE_TRUNC / extract bucketing, CAST(... AS date),
   * INTERVAL literals, joins with an alias, COUNT(DISTINCT)), plus its can-connect? check and a native query,
   * run read-only with a fetch size and a row limit as in sync above.
   */
  static void questions(String url) throws Exception {
    String o = "\"shop\".\"orders\"";
    String[][] qs = {
      {"can-connect?", "SELECT 1"},
      {"field values", "SELECT " + o + ".\"status\" AS \"status\" FROM " + o + " GROUP BY " + o + ".\"status\" ORDER BY " + o + ".\"status\" ASC LIMIT 1000"},
      {"rows sample", "SELECT " + o + ".\"id\" AS \"id\", " + o + ".\"total\" AS \"total\", " + o + ".\"meta\" AS \"meta\", " + o + ".\"tags\" AS \"tags\" FROM " + o + " LIMIT 10000"},
      {"rows sample with text truncation (fingerprinting)", "SELECT \"public\".\"customers\".\"id\" AS \"id\", SUBSTRING(\"public\".\"customers\".\"email\" FROM 1 FOR 5) AS \"substring42\","
          + " SUBSTRING(\"public\".\"customers\".\"name\" FROM 1 FOR 1234) AS \"substring43\", \"public\".\"customers\".\"created_at\" AS \"created_at\""
          + " FROM \"public\".\"customers\" LIMIT 10000", "sorted"},
      {"count by month", "SELECT DATE_TRUNC('month', " + o + ".\"placed_at\") AS \"placed_at\", COUNT(*) AS \"count\" FROM " + o
          + " GROUP BY DATE_TRUNC('month', " + o + ".\"placed_at\") ORDER BY DATE_TRUNC('month', " + o + ".\"placed_at\") ASC"},
      {"sum by status, relative date filter", "SELECT " + o + ".\"status\" AS \"status\", SUM(" + o + ".\"total\") AS \"sum\" FROM " + o
          + " WHERE (" + o + ".\"placed\" >= CAST((CAST(CAST('2026-01-07T12:00:00Z' AS timestamptz) AS date) + INTERVAL '-5 day') AS date))"
          + " AND (" + o + ".\"placed\" < CAST((CAST(CAST('2026-01-07T12:00:00Z' AS timestamptz) AS date) + INTERVAL '1 day') AS date))"
          + " GROUP BY " + o + ".\"status\" ORDER BY " + o + ".\"status\" ASC"},
      {"day of week", "SELECT (CAST(extract(dow from CAST(" + o + ".\"placed_at\" AS timestamp)) AS integer) + 1) AS \"placed_at\", COUNT(*) AS \"count\" FROM " + o
          + " GROUP BY (CAST(extract(dow from CAST(" + o + ".\"placed_at\" AS timestamp)) AS integer) + 1) ORDER BY 1 ASC"},
      {"join with alias, distinct count", "SELECT \"Customers\".\"name\" AS \"Customers__name\", COUNT(DISTINCT " + o + ".\"status\") AS \"count\", AVG(" + o + ".\"total\") AS \"avg\""
          + " FROM " + o + " LEFT JOIN \"public\".\"customers\" AS \"Customers\" ON " + o + ".\"customer_id\" = \"Customers\".\"id\""
          + " GROUP BY \"Customers\".\"name\" ORDER BY \"Customers\".\"name\" ASC"},
      {"money as Metabase reads it (::numeric)", "SELECT " + o + ".\"id\" AS \"id\", " + o + ".\"fee\" AS \"fee\", " + o + ".\"fee\"::numeric AS \"fee_n\", SUM(" + o + ".\"fee\") OVER () AS \"total\""
          + " FROM " + o + " ORDER BY " + o + ".\"fee\" DESC NULLS LAST, " + o + ".\"id\" ASC"},
      {"median, percentile, stddev by status", "SELECT " + o + ".\"status\" AS \"status\", PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY " + o + ".\"total\") AS \"median\","
          + " PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY " + o + ".\"total\") AS \"percentile\", STDDEV_POP(" + o + ".\"total\") AS \"stddev\", VAR_POP(" + o + ".\"total\") AS \"var\""
          + " FROM " + o + " GROUP BY " + o + ".\"status\" ORDER BY " + o + ".\"status\" ASC"},
      {"nested query (source)", "SELECT \"source\".\"status\" AS \"status\", \"source\".\"count\" AS \"count\" FROM (SELECT " + o + ".\"status\" AS \"status\", COUNT(*) AS \"count\" FROM " + o
          + " GROUP BY " + o + ".\"status\" ORDER BY " + o + ".\"status\" ASC) AS \"source\" WHERE \"source\".\"count\" > 1 LIMIT 2000"},
      {"json and text filters", "SELECT " + o + ".\"id\" AS \"id\" FROM " + o + " WHERE (" + o + ".\"meta\" ->> 'src' = 'web' OR " + o + ".\"status\" LIKE '%ipp%')"
          + " AND NOT (LOWER(" + o + ".\"status\") LIKE 'x%') ORDER BY " + o + ".\"id\" ASC LIMIT 2000"},
      {"nested field columns: JSON sample, first and last rows by key", "SELECT CASE WHEN 50000 < LENGTH(CAST(" + o + ".\"meta\" AS TEXT)) THEN NULL ELSE " + o + ".\"meta\" END AS \"meta\""
          + " FROM " + o + " INNER JOIN ((SELECT " + o + ".\"id\" FROM " + o + " ORDER BY " + o + ".\"id\" ASC LIMIT 5000) UNION ALL (SELECT " + o + ".\"id\" FROM " + o
          + " ORDER BY " + o + ".\"id\" DESC LIMIT 5000)) AS \"result\" ON \"result\".\"id\" = " + o + ".\"id\"", "sorted"},
      {"native query", "select status, count(*) as n, min(placed) as first from shop.orders group by status order by n desc, status"},
      {"native query error", "select nope from shop.orders"},
    };
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      for (String[] q : qs) {
        step(c, q[0], () -> {
          try (Statement s = c.createStatement()) {
            s.setFetchSize(2);
            s.setMaxRows(2000);
            return rows(s.executeQuery(q[1]), q.length > 2); // no ORDER BY: compared sorted
          }
        });
      }
      c.commit();
      c.setReadOnly(false);
      c.setAutoCommit(true);
      // A question the user abandons: Metabase calls Statement.cancel(), a CancelRequest on a new socket.
      step(c, "cancelled question", () -> {
        try (Statement s = c.createStatement()) {
          Thread canceller = new Thread(() -> {
            try { Thread.sleep(300); s.cancel(); } catch (Exception ignored) { }
          });
          canceller.start();
          try {
            return rows(s.executeQuery("SELECT pg_sleep(10), 1 AS one"), false);
          } finally {
            try { canceller.join(); } catch (InterruptedException ignored) { }
          }
        }
      });
      step(c, "after the cancel", () -> query(c, "SELECT count(*) AS \"count\" FROM " + o, false));
    }
  }

  /** The nearest-neighbour question on a vector column, fetched through a suspended portal. */
  static void vector(String url, String table, String q) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " ORDER BY embedding <-> ?::vector LIMIT 5")) {
        ps.setFetchSize(2);
        ps.setMaxRows(4);
        for (int i = 0; i < 6; i++) { // also once server-prepared
          ps.setString(1, q);
          List<Object> ids = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) { while (rs.next()) ids.add(rs.getInt(1)); }
          if (i == 5) note("nearest", ids);
        }
      }
      c.commit();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args[1].equals("vector")) vector(args[0], args[2], args[3]);
    else if (args[1].equals("questions")) questions(args[0]);
    else sync(args[0], args[1].split(","), args[2]);
    System.out.println("[" + String.join(",\n", out) + "]");
  }
}
