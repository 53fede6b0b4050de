/**
 * Golden plans: EXPLAIN through the wire shows the planner's pushdowns — WHERE conditions
 * moved below joins and into scans, comma joins turned into hash joins, primary-key lookups
 * instead of scans, top-N sorts under LIMIT, subqueries as InitPlan/SubPlan — and
 * EXPLAIN ANALYZE runs the statement (and counts a vector top-k's graph searches and exact
 * scans, which shows hnsw.max_scan_tuples at work). The expected texts are ours (PostgreSQL's costs and
 * node choices differ), so each case also checks the query's answer against a plain scan.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';

let server: TesseraServer;
let sql: postgres.Sql;

async function explain(query: string): Promise<string> {
  const rows = await sql.unsafe(`EXPLAIN ${query}`);
  return rows.map((r) => r['QUERY PLAN'] as string).join('\n');
}

describe('EXPLAIN', () => {
  before(async () => {
    server = await startTessera();
    sql = postgres(server.url, { max: 1, onnotice: () => {}, fetch_types: false });
    await sql.unsafe('CREATE TABLE a (id integer PRIMARY KEY, x text, n integer)');
    await sql.unsafe('CREATE TABLE b (id integer, y text)');
    await sql.unsafe("INSERT INTO a SELECT g, 'x' || g, g % 5 FROM generate_series(1, 50) g");
    await sql.unsafe("INSERT INTO b SELECT g % 20, 'y' || g FROM generate_series(1, 40) g");
  });
  after(async () => {
    await sql?.end();
    await server?.stop();
  });

  test('a comma join with an equality in WHERE becomes a hash join; single-table conditions go to the scans', async () => {
    const q = "SELECT a.x, b.y FROM a, b WHERE a.id = b.id AND a.n = 3 AND b.y <> 'y1'";
    assert.equal(
      await explain(q),
      ['Hash Join', '  Hash Cond: (id = id)', '  ->  Seq Scan on a', '        Filter: (n = 3)', '  ->  Hash', '        ->  Seq Scan on b', "              Filter: (y <> 'y1'::text)"].join('\n'),
    );
    const rows = await sql.unsafe(q);
    const expected = await sql.unsafe("SELECT count(*)::int AS n FROM b WHERE id IN (SELECT id FROM a WHERE n = 3) AND y <> 'y1'");
    assert.ok(rows.length > 0);
    assert.equal(rows.length, expected[0]!.n);
  });

  test('WHERE on a LEFT JOIN goes only to the preserved side', async () => {
    assert.equal(
      await explain('SELECT * FROM a LEFT JOIN b ON a.id = b.id WHERE a.n = 1 AND b.y IS NULL'),
      ['Filter', '  Filter: (y IS NULL)', '  ->  Hash Left Join', '        Hash Cond: (id = id)', '        ->  Seq Scan on a', '              Filter: (n = 1)', '        ->  Hash', '              ->  Seq Scan on b'].join(
        '\n',
      ),
    );
  });

  test('primary-key equality reads through the key index', async () => {
    assert.equal(await explain('SELECT x FROM a WHERE id = 7'), ['Filter', '  Filter: (id = 7)', '  ->  Pk Lookup on a'].join('\n'));
    assert.deepEqual([...(await sql.unsafe('SELECT x FROM a WHERE id = 7'))], [{ x: 'x7' }]);
    assert.equal(await explain('DELETE FROM a WHERE id IN (1, 2)'), ['Delete on a', '  ->  Filter', '        Filter: ((id = 1) OR (id = 2))', '        ->  Pk Lookup on a'].join('\n'));
  });

  test('ORDER BY ... LIMIT sorts only the first rows; subqueries show as InitPlan and SubPlan', async () => {
    assert.equal(await explain('SELECT id FROM a ORDER BY n DESC, id LIMIT 3'), ['Limit', '  ->  Sort', '        Sort Key: n DESC, id', '        ->  Seq Scan on a'].join('\n'));
    assert.deepEqual(
      (await sql.unsafe('SELECT id FROM a ORDER BY n DESC, id LIMIT 3')).map((r) => r.id),
      [4, 9, 14],
    );
    assert.equal(
      await explain('SELECT x, (SELECT count(*) FROM b WHERE b.id = a.id) FROM a WHERE n IN (SELECT 1)'),
      ['Seq Scan on a', '  SubPlan 1', '  ->  Aggregate', '        ->  Seq Scan on b', '              Filter: (id = $outer1.0)', '  Filter: (n = ANY $1)', '  InitPlan 2', '  ->  Result'].join('\n'),
    );
  });

  test('ORDER BY vector distance LIMIT is a Vector Top-K: exact without an index, then through the hnsw index', async () => {
    await sql.unsafe('CREATE TABLE v (id integer, e vector(3)) WITH (segment_rows = 4)');
    await sql.unsafe("INSERT INTO v SELECT g, ('[' || g || ',' || (g % 3) || ',1]')::vector FROM generate_series(1, 10) g");
    await sql.unsafe('VACUUM');
    const q = "SELECT id FROM v WHERE id > 2 ORDER BY e <-> '[4,1,1]' LIMIT 3";
    const plain = [...(await sql.unsafe("SELECT id FROM (SELECT id, e <-> '[4,1,1]' AS d FROM v WHERE id > 2 OFFSET 0) s ORDER BY d, id LIMIT 3"))].map((r) => r.id);
    assert.equal(await explain(q), [
      'Vector Top-K on v order by <-> using exact scan k=3 filtered',
      "  Order By: (e <-> '[4,1,1]'::vector)",
      '  Filter: (id > 2)',
      '  Segments: 0 by graph, 1 exact; growing rows exact',
    ].join('\n'));
    assert.deepEqual([...(await sql.unsafe(q))].map((r) => r.id), plain);
    await sql.unsafe('CREATE INDEX v_e_idx ON v USING hnsw (e vector_l2_ops)');
    assert.equal(await explain(q), [
      'Vector Top-K on v order by <-> using index v_e_idx (hnsw, vector_l2_ops, m=16, ef_construction=64, ef_search=40) k=3 filtered',
      "  Order By: (e <-> '[4,1,1]'::vector)",
      '  Filter: (id > 2)',
      '  Segments: 1 by graph, 0 exact; growing rows exact',
    ].join('\n'));
    assert.deepEqual([...(await sql.unsafe(q))].map((r) => r.id), plain);
  });

  test('EXPLAIN ANALYZE counts the vector top-k\'s graph searches and exact scans; hnsw.max_scan_tuples caps what a graph is asked for', async () => {
    await sql.unsafe('CREATE TABLE w (id integer, e vector(3)) WITH (segment_rows = 1000)');
    await sql.unsafe("INSERT INTO w SELECT g, ('[' || g % 97 || ',' || (g % 7) || ',' || (g % 13) || ']')::vector FROM generate_series(1, 2000) g");
    await sql.unsafe('VACUUM');
    await sql.unsafe('CREATE INDEX w_e_idx ON w USING hnsw (e vector_l2_ops)');
    const q = "SELECT id FROM w ORDER BY e <-> '[40,3,6]', id LIMIT 50";
    const analyze = async (): Promise<string[]> => (await sql.unsafe(`EXPLAIN ANALYZE ${q}`)).map((r) => r['QUERY PLAN'] as string);
    // The oracle, computed here: integer coordinates, so squared distances are exact integers (ties by id).
    const exact = Array.from({ length: 2000 }, (_v, i) => i + 1)
      .map((g) => ({ g, d: (g % 97 - 40) ** 2 + (g % 7 - 3) ** 2 + (g % 13 - 6) ** 2 }))
      .sort((a, b) => a.d - b.d || a.g - b.g)
      .slice(0, 50)
      .map((x) => x.g);
    // Every sealed segment's graph is asked for 50 labels (merges decide how many there are).
    const graphs = (await sql.unsafe("SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 'w' AND file_type = 3"))[0]!.n as number;
    assert.ok(graphs >= 1);
    const searched = await analyze();
    const line = searched.map((l) => /^Vector Top-K: (\d+) graph searches \(k up to (\d+)\), (\d+) exact segment scans \((\d+) past hnsw\.max_scan_tuples\)$/.exec(l)).find((m) => m !== null);
    assert.ok(line, searched.join('\n'));
    assert.deepEqual([Number(line[1]), Number(line[2]), Number(line[4])], [graphs, 50, 0]);
    const growing = Number(line[3]); // the growing segment's rows are always scanned exactly
    assert.equal((await sql.unsafe(q)).length, 50);
    // Below 50, no graph may be asked for 50: both segments are scanned exactly, and the answer is the full sort's.
    await sql.unsafe('SET hnsw.max_scan_tuples = 20');
    const capped = await analyze();
    assert.ok(capped.includes(`Vector Top-K: 0 graph searches (k up to 0), ${graphs + growing} exact segment scans (${graphs} past hnsw.max_scan_tuples)`), capped.join('\n'));
    assert.deepEqual([...(await sql.unsafe(q))].map((r) => r.id), exact);
    await sql.unsafe('RESET hnsw.max_scan_tuples');
  });

  test('EXPLAIN ANALYZE runs the statement and reports its rows', async () => {
    const lines = (await sql.unsafe('EXPLAIN ANALYZE SELECT * FROM a WHERE n = 2')).map((r) => r['QUERY PLAN'] as string);
    assert.deepEqual(lines.slice(0, 3), ['Seq Scan on a', '  Filter: (n = 2)', 'Rows: 10']);
    assert.match(lines[3]!, /^Execution Time: \d+\.\d{3} ms$/);
  });
});
