// Client program for test/clients/jdbc.test.ts: pgJDBC (Debian's libpostgresql-jdbc-java) on Java 17.
// Usage: java -cp OUT:postgresql.jar JdbcClient JDBC_URL scenario|vector [rowsJson queryJson]
// Prints one JSON array (the transcript) on stdout. pgJDBC speaks the extended protocol only:
// unnamed statements first, then named server-side statements with binary parameters and results
// once a PreparedStatement has run prepareThreshold times; setFetchSize in a transaction reads
// through a portal with Execute row limits (PortalSuspended).
import java.math.BigDecimal;
import java.sql.*;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.util.PSQLException;

public class JdbcClient {
  private static final List<String> out = new ArrayList<>();

  private static String json(Object v) {
    if (v == null) return "null";
    if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short) return v.toString();
    if (v instanceof byte[]) {
      StringBuilder sb = new StringBuilder("\\\\x");
      for (byte b : (byte[]) v) sb.append(String.format("%02x", b));
      return "\"" + sb + "\"";
    }
    if (v instanceof List) {
      StringBuilder sb = new StringBuilder("[");
      for (Object o : (List<?>) v) { if (sb.length() > 1) sb.append(','); sb.append(json(o)); }
      return sb.append(']').toString();
    }
    if (v instanceof Array) {
      try { return json(v.toString()); } catch (Exception e) { return json(e.toString()); }
    }
    String s = v.getClass().getSimpleName() + ":" + v;
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

  private static List<Object> rows(ResultSet rs) throws SQLException {
    List<Object> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
      rows.add(row);
    }
    rs.close();
    return rows;
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

  private static void fails(String label, Connection c, String sql) {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
      note(label, "no error");
    } catch (PSQLException e) {
      List<Object> v = new ArrayList<>();
      v.add(e.getSQLState());
      v.add(e.getServerErrorMessage() == null ? null : e.getServerErrorMessage().getConstraint());
      v.add(e.getServerErrorMessage() == null ? null : e.getServerErrorMessage().getMessage());
      note(label, v);
    } catch (SQLException e) {
      note(label, e.getSQLState());
    }
  }

  static void scenario(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
        s.execute("CREATE TABLE items (id int PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, qty smallint CHECK (qty >= 0), big bigint,"
            + " price numeric(12,3), ratio double precision, f4 real, flag boolean, day date, at timestamp, atz timestamptz, uid uuid, raw bytea, tags text[])");
        note("update count of DDL", s.getUpdateCount());
      }
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO items (id, code, qty, big, price, ratio, f4, flag, day, at, atz, uid, raw, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        for (int i = 1; i <= 6; i++) { // past prepareThreshold: named statement, binary parameters
          ins.setInt(1, i);
          ins.setString(2, "c" + i);
          ins.setShort(3, (short) (i * 3));
          ins.setLong(4, 9_000_000_000L * i);
          ins.setBigDecimal(5, new BigDecimal("12.345").multiply(BigDecimal.valueOf(i)));
          ins.setDouble(6, i / 8.0);
          ins.setFloat(7, i * 1.5f);
          ins.setBoolean(8, i % 2 == 0);
          ins.setDate(9, Date.valueOf("2024-02-" + (10 + i)));
          ins.setTimestamp(10, Timestamp.valueOf("2024-03-01 12:00:0" + i + ".25"));
          ins.setObject(11, java.time.OffsetDateTime.parse("2024-03-01T12:00:00Z").plusHours(i));
          ins.setObject(12, UUID.fromString("00000000-0000-0000-0000-00000000000" + i));
          ins.setBytes(13, new byte[] {0, (byte) i, (byte) 0xff});
          ins.setArray(14, c.createArrayOf("text", new String[] {"t" + i, null}));
          ins.executeUpdate();
        }
        ins.setInt(1, 7);
        ins.setString(2, "nulls");
        for (int p = 3; p <= 14; p++) ins.setNull(p, Types.NULL);
        note("insert nulls", ins.executeUpdate());
      }
      try (PreparedStatement sel = c.prepareStatement("SELECT * FROM items WHERE id = ? OR id > ? ORDER BY id")) {
        for (int round = 1; round <= 4; round++) { // text results first, binary once server-prepared
          sel.setInt(1, round);
          sel.setInt(2, 6);
          note("select round " + round, rows(sel.executeQuery()));
        }
        ResultSetMetaData md = sel.getMetaData();
        List<Object> meta = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          meta.add(md.getColumnName(i) + " " + md.getColumnTypeName(i) + " " + md.getPrecision(i) + " " + md.getScale(i) + " " + md.isNullable(i));
        }
        note("metadata", meta);
      }
      try (PreparedStatement upd = c.prepareStatement("UPDATE items SET qty = qty + ? WHERE flag = ?")) {
        upd.setInt(1, 100);
        upd.setBoolean(2, true);
        note("update", upd.executeUpdate());
      }
      try (PreparedStatement del = c.prepareStatement("DELETE FROM items WHERE big > ?")) {
        del.setLong(1, 45_000_000_000L);
        note("delete", del.executeUpdate());
      }
      try (Statement s = c.createStatement()) {
        s.addBatch("INSERT INTO items (id, code) VALUES (20, 'b20')");
        s.addBatch("INSERT INTO items (id, code) VALUES (21, 'b21')");
        s.addBatch("UPDATE items SET qty = 1 WHERE id >= 20");
        int[] counts = s.executeBatch();
        List<Object> l = new ArrayList<>();
        for (int n : counts) l.add(n);
        note("batch", l);
      }

      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO items (id, code) VALUES (30, 'tmp')");
        s.executeUpdate("UPDATE items SET code = 'x' || code");
      }
      c.rollback();
      try (Statement s = c.createStatement()) {
        note("after rollback", rows(s.executeQuery("SELECT id, code FROM items ORDER BY id")));
        s.setFetchSize(2); // portal + Execute with a row limit
        note("fetch size", rows(s.executeQuery("SELECT id FROM items ORDER BY id")));
      }
      fails("unique", c, "INSERT INTO items (id, code) VALUES (99, 'c1')");
      fails("aborted", c, "SELECT 1");
      c.rollback();
      c.setAutoCommit(true);
      fails("check", c, "UPDATE items SET qty = -1");
      fails("undefined column", c, "SELECT nope FROM items");
      try (Statement s = c.createStatement()) {
        note("usable", rows(s.executeQuery("SELECT count(*) FROM items")));
        note("empty statement", s.execute(""));
      }

      DatabaseMetaData md = c.getMetaData();
      note("product", md.getDatabaseProductName());
      note("getTables", columns(md.getTables(null, "public", "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
      note("getColumns", columns(md.getColumns(null, "public", "items", null), "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "COLUMN_DEF", "ORDINAL_POSITION", "IS_AUTOINCREMENT"));
      note("getPrimaryKeys", columns(md.getPrimaryKeys(null, "public", "items"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
      note("getIndexInfo", columns(md.getIndexInfo(null, "public", "items", false, false), "INDEX_NAME", "NON_UNIQUE", "COLUMN_NAME", "ORDINAL_POSITION"));
      List<Object> schemas = columns(md.getSchemas(), "TABLE_SCHEM");
      schemas.removeIf((r) -> ((List<?>) r).get(0).equals("tessera")); // Tessera's own system-view schema
      note("getSchemas", schemas);
    }
  }

  static void vector(String url, String rowsJson, String queryJson) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS vector");
      s.execute("CREATE TABLE emb (id int PRIMARY KEY, v vector(3))");
      s.execute("CREATE INDEX emb_v ON emb USING hnsw (v vector_l2_ops)");
      String body = rowsJson.substring(1, rowsJson.length() - 1); // [{"id":1,"v":[..]},...]
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO emb (id, v) VALUES (?, ?::vector)")) {
        for (String item : body.split("\\},\\{")) {
          String t = item.replace("{", "").replace("}", "");
          int id = Integer.parseInt(t.substring(t.indexOf(':') + 1, t.indexOf(',')));
          String v = t.substring(t.indexOf('['), t.indexOf(']') + 1);
          ins.setInt(1, id);
          ins.setString(2, v);
          ins.executeUpdate();
        }
      }
      List<Object> ids = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement("SELECT id, v::text FROM emb ORDER BY v <-> ?::vector LIMIT 5")) {
        for (int round = 0; round < 3; round++) { // also once server-prepared (binary int4 results)
          q.setString(1, queryJson);
          ids.clear();
          try (ResultSet rs = q.executeQuery()) { while (rs.next()) ids.add(rs.getInt(1)); }
        }
      }
      out.add(json(ids));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args[1].equals("scenario")) scenario(args[0]);
    else vector(args[0], args[2], args[3]);
    System.out.println("[" + String.join(",\n", out) + "]");
  }
}
