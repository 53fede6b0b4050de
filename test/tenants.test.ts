/**
 * Partition-key multi-tenancy through the wire (issue 7, docs/tenants.md): one table
 * `PARTITION BY LIST (tenant_id)` with 10,000 tenants created by their first insert (rows of all
 * tenants interleaved), two large tenants above `tenant_exact_rows` (files and HNSW graphs of
 * their own) and 9,998 small ones packed together. Checked against exact search over the same
 * data (test/vector-support.ts): small tenants' top-10 equal to the exact answer, large
 * tenants' recall ≥ 0.95, IN lists and `= ANY($1)`, queries without a tenant; per-tenant
 * count(*) answered from the tenant directory; tessera.tenants; deleting a tenant retires its
 * files while the others stay untouched; and everything again after a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { clusteredVectors, exactTopK, recallAt, vectorText } from './vector-support.ts';

const N = 30_000;
const DIM = 32;
const QUERIES = 20;
const { base, queries } = clusteredVectors(N, DIM, { seed: 7, clusters: 300, queries: QUERIES });
/** Tenant of row i: 't0' (6,000 rows), 't1' (3,000), the rest spread over t2..t9999 (~2 rows each). */
const tenantOf = (i: number): string => (i % 5 === 0 ? 't0' : i % 10 === 1 ? 't1' : `t${2 + ((i * 7919) % 9998)}`);
const qText = (qi: number): string => vectorText(queries, DIM, qi);
const query = (qi: number): Float32Array => queries.subarray(qi * DIM, (qi + 1) * DIM);

const rowsOfTenant = new Map<string, number[]>();
for (let i = 0; i < N; i++) {
  const t = tenantOf(i);
  const list = rowsOfTenant.get(t) ?? [];
  list.push(i);
  rowsOfTenant.set(t, list);
}
/** Small tenants checked one by one (every 97th). */
const SMALL = [...rowsOfTenant.keys()].filter((t) => t !== 't0' && t !== 't1').filter((_t, i) => i % 97 === 0);

let server: TesseraServer;
let sql: postgres.Sql;

async function copyRows(from: number, to: number): Promise<void> {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`${i}\t${tenantOf(i)}\t${vectorText(base, DIM, i)}\n`);
  const w = await sql.unsafe('COPY mem (id, tenant_id, embedding) FROM STDIN').writable();
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    w.end(lines.join(''));
  });
}

async function topIds(where: string, qi: number, params: unknown[] = []): Promise<number[]> {
  const rows = await sql.unsafe(`SELECT id FROM mem ${where} ORDER BY embedding <-> $1 LIMIT 10`, [qText(qi), ...params] as never[], { prepare: true });
  return rows.map((r) => Number(r.id));
}

const inTenants = (ts: readonly string[]) => (i: number): boolean => ts.includes(tenantOf(i));

/** The small tenants' top-10 equal the exact answer (as sets: distances of distinct random vectors do not tie). */
async function checkSmallTenantsExact(label: string, skip: ReadonlySet<string> = new Set()): Promise<void> {
  for (const [j, t] of SMALL.entries()) {
    if (skip.has(t)) continue;
    const qi = j % QUERIES;
    const got = await topIds('WHERE tenant_id = $2', qi, [t]);
    const want = exactTopK(base, DIM, query(qi), 10, inTenants([t]));
    assert.deepEqual([...got].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `${label}: tenant ${t}`);
  }
}

async function largeTenantRecall(t: string): Promise<number> {
  let sum = 0;
  for (let qi = 0; qi < QUERIES; qi++) sum += recallAt(await topIds('WHERE tenant_id = $2', qi, [t]), exactTopK(base, DIM, query(qi), 10, inTenants([t])));
  return sum / QUERIES;
}

async function tenantsView(): Promise<Map<string, { rows: number; own: number; packed: number; unclustered: number; index: string }>> {
  const rows = await sql`SELECT tenant, rows, own_files, packed_files, unclustered_rows, index FROM tessera.tenants WHERE table_name = 'mem'`;
  return new Map(rows.map((r) => [r.tenant as string, {
    rows: Number(r.rows), own: Number(r.own_files), packed: Number(r.packed_files), unclustered: Number(r.unclustered_rows), index: r.index as string,
  }]));
}

before(async () => {
  server = await startTessera({ env: { TESSERA_INDEX_BUILD_WORKERS: '1' } });
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE mem (id int8 PRIMARY KEY, tenant_id text NOT NULL, embedding vector(${DIM}))
    PARTITION BY LIST (tenant_id) WITH (segment_rows = 10000, tenant_exact_rows = 1000)`);
  await sql.unsafe('CREATE INDEX ON mem USING hnsw (embedding vector_l2_ops)');
  for (let from = 0; from < N; from += 5000) await copyRows(from, Math.min(N, from + 5000));
  await sql.unsafe('VACUUM mem');
  await sql.unsafe('REINDEX TABLE mem'); // waits for the graphs of the large tenants' files
});

after(async () => {
  await sql?.end();
  await server?.stop();
});

test('tenants come into being on first insert; count(*) per tenant is exact', async () => {
  assert.equal(Number((await sql`SELECT count(*) FROM mem`)[0]!.count), N);
  const view = await tenantsView();
  assert.equal(view.size, rowsOfTenant.size);
  assert.equal(view.size, 10_000);
  for (const t of ['t0', 't1', ...SMALL]) {
    const [{ count }] = await sql.unsafe('SELECT count(*) FROM mem WHERE tenant_id = $1', [t], { prepare: true });
    assert.equal(Number(count), rowsOfTenant.get(t)!.length, `count of ${t}`);
    assert.equal(view.get(t)!.rows, rowsOfTenant.get(t)!.length, `tessera.tenants rows of ${t}`);
  }
  const plan = (await sql.unsafe("EXPLAIN SELECT count(*) FROM mem WHERE tenant_id = 't7'")).map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Tenants: 't7'::text/);
  assert.match(plan, /Count: from the tenant directory/);
  // Any other condition is evaluated on the tenant's rows.
  const other = (await sql.unsafe("EXPLAIN SELECT count(*) FROM mem WHERE tenant_id = 't7' AND id > 5")).map((r) => r['QUERY PLAN']).join('\n');
  assert.doesNotMatch(other, /tenant directory/);
});

async function verifyPkIndex(): Promise<void> {
  const [{ r }] = await sql`SELECT tessera.verify_pk_index('mem') AS r`;
  const report = JSON.parse(r as string) as { rows: number; differences: unknown[] };
  assert.deepEqual(report.differences, []);
}

test('large tenants have files and graphs of their own; small ones are packed', async () => {
  // Clustering moved every row (several result files per merge): the primary-key index followed.
  await verifyPkIndex();
  assert.equal(Number((await sql`SELECT count(*) FROM mem WHERE id = ANY(${'{1,2,3,5000,29999}'}::int8[])`)[0]!.count), 5);
  const view = await tenantsView();
  for (const t of ['t0', 't1']) {
    assert.ok(view.get(t)!.own >= 1, `${t} has own files`);
    assert.equal(view.get(t)!.index, 'hnsw', `${t} is searched through graphs`);
  }
  for (const t of SMALL) assert.equal(view.get(t)!.own, 0, `${t} is packed`);
  // VACUUM settled the packed files into disjoint tenant ranges: no tenant is spread over two.
  const spread = [...view].filter(([, v]) => v.packed > 1 || v.unclustered > 0).map(([t]) => t);
  assert.deepEqual(spread, [], 'tenants in more than one packed file after VACUUM');
  const plan = (await sql.unsafe("EXPLAIN SELECT id FROM mem WHERE tenant_id = 't0' ORDER BY embedding <-> '[" + Array(DIM).fill(0).join(',') + "]' LIMIT 10"))
    .map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Vector Top-K on mem/);
  assert.match(plan, /Tenants: 't0'::text/);
});

test('small tenants: top-10 equals exact search; large tenants: recall >= 0.95', async () => {
  await checkSmallTenantsExact('after clustering');
  for (const t of ['t0', 't1']) {
    const r = await largeTenantRecall(t);
    assert.ok(r >= 0.95, `recall of ${t}: ${r}`);
  }
});

test('IN lists, = ANY($1) and queries without a tenant', async () => {
  const pair = [SMALL[3]!, SMALL[4]!];
  for (let qi = 0; qi < 5; qi++) {
    const want = exactTopK(base, DIM, query(qi), 10, inTenants(pair)).sort((a, b) => a - b);
    const viaIn = await topIds(`WHERE tenant_id IN ('${pair[0]}', '${pair[1]}')`, qi);
    const viaAny = await topIds('WHERE tenant_id = ANY($2::text[])', qi, [`{${pair.join(',')}}`]);
    assert.deepEqual([...viaIn].sort((a, b) => a - b), want);
    assert.deepEqual([...viaAny].sort((a, b) => a - b), want);
  }
  let sum = 0;
  for (let qi = 0; qi < QUERIES; qi++) sum += recallAt(await topIds('', qi), exactTopK(base, DIM, query(qi), 10));
  assert.ok(sum / QUERIES >= 0.95, `recall without a tenant: ${sum / QUERIES}`);
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM mem WHERE tenant_id = 't0' AND id % 2 = 0`;
  assert.equal(n, rowsOfTenant.get('t0')!.filter((i) => i % 2 === 0).length);
});

test('rows in the growing segment and the transaction\'s own rows are found', async () => {
  const t = SMALL[5]!;
  const near = Array.from(query(0), (x) => x + 1e-3);
  await sql.begin(async (tx) => {
    await tx.unsafe('INSERT INTO mem VALUES ($1, $2, $3)', [900_000, t, `[${near.join(',')}]`]);
    const [{ id }] = await tx.unsafe('SELECT id FROM mem WHERE tenant_id = $1 ORDER BY embedding <-> $2 LIMIT 1', [t, qText(0)]);
    assert.equal(Number(id), 900_000);
    const [{ count }] = await tx.unsafe('SELECT count(*) FROM mem WHERE tenant_id = $1', [t]);
    assert.equal(Number(count), rowsOfTenant.get(t)!.length + 1);
    throw new RollbackSignal();
  }).catch((err) => {
    if (!(err instanceof RollbackSignal)) throw err;
  });
  const [{ count }] = await sql.unsafe('SELECT count(*) FROM mem WHERE tenant_id = $1', [t]);
  assert.equal(Number(count), rowsOfTenant.get(t)!.length);
});

class RollbackSignal extends Error {}

test('deleting a tenant retires its files; other tenants are untouched; a restart keeps it all', async () => {
  const before = await tenantsView();
  const liveFiles = async (): Promise<number> =>
    Number((await sql`SELECT count(*) FROM tessera.table_files WHERE table_name = 'mem' AND state <> 'TO_DELETE'`)[0]!.count);
  const filesBefore = await liveFiles();
  const deleted = await sql`DELETE FROM mem WHERE tenant_id = 't1'`;
  assert.equal(deleted.count, rowsOfTenant.get('t1')!.length);
  assert.equal(Number((await sql`SELECT count(*) FROM mem WHERE tenant_id = 't1'`)[0]!.count), 0);
  await sql.unsafe('VACUUM mem');
  await sql.unsafe('VACUUM mem');
  // Each own file of t1 goes with its graph file (data file BACKUP + INDEX file).
  assert.ok(await liveFiles() <= filesBefore - before.get('t1')!.own * 2, `files: ${filesBefore} → ${await liveFiles()}`);
  const after1 = await tenantsView();
  assert.equal(after1.has('t1'), false);
  for (const [t, v] of before) if (t !== 't1') assert.equal(after1.get(t)?.rows, v.rows, `rows of ${t}`);
  await checkSmallTenantsExact('after deleting t1');

  await server.restart();
  await sql.end();
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  const after2 = await tenantsView();
  assert.deepEqual([...after2.entries()].sort(), [...after1.entries()].sort());
  assert.equal(Number((await sql`SELECT count(*) FROM mem`)[0]!.count), N - rowsOfTenant.get('t1')!.length);
  await checkSmallTenantsExact('after restart');
  assert.ok(await largeTenantRecall('t0') >= 0.95);
  await verifyPkIndex();
});

test('row-level security pins the role to its tenant: same speed path, no other tenant reachable', async () => {
  const t = SMALL[7]!;
  await sql.unsafe('CREATE ROLE app_user LOGIN');
  await sql.unsafe('GRANT SELECT, INSERT, UPDATE, DELETE ON mem TO app_user');
  await sql.unsafe('ALTER TABLE mem ENABLE ROW LEVEL SECURITY');
  await sql.unsafe("CREATE POLICY tenant_isolation ON mem USING (tenant_id = current_setting('app.tenant_id'))");
  const app = postgres(server.url.replace('postgres@', 'app_user@'), { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    await app.unsafe(`SET app.tenant_id = '${t}'`);
    // The policy's conjunct pins scans and the top-k to the tenant, as a WHERE would.
    const plan = (await app.unsafe(`EXPLAIN SELECT id FROM mem ORDER BY embedding <-> '${qText(0)}' LIMIT 10`)).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Vector Top-K on mem/);
    assert.match(plan, /Tenants: current_setting\('app.tenant_id'::text\)/);
    for (let qi = 0; qi < 5; qi++) {
      const rows = await app.unsafe('SELECT id FROM mem ORDER BY embedding <-> $1 LIMIT 10', [qText(qi)]);
      const want = exactTopK(base, DIM, query(qi), 10, inTenants([t]));
      assert.deepEqual(rows.map((r) => Number(r.id)).sort((a, b) => a - b), [...want].sort((a, b) => a - b));
    }
    assert.equal(Number((await app`SELECT count(*) FROM mem`)[0]!.count), rowsOfTenant.get(t)!.length);
    // Another tenant's rows: not by key, not by naming the tenant, not by UPDATE or DELETE.
    const other = rowsOfTenant.get('t0')![0]!;
    assert.equal((await app`SELECT id FROM mem WHERE id = ${other}`).length, 0);
    assert.equal((await app`SELECT id FROM mem WHERE tenant_id = 't0'`).length, 0);
    assert.equal((await app`UPDATE mem SET tenant_id = ${t} WHERE id = ${other}`).count, 0);
    assert.equal((await app`DELETE FROM mem WHERE tenant_id = 't0'`).count, 0);
    await assert.rejects(app`INSERT INTO mem VALUES (5000000, 't0', ${qText(0)})`, { code: '42501' });
    // Tenant names and sizes are the owner's to see.
    assert.equal((await app`SELECT count(*)::int AS n FROM tessera.tenants`)[0]!.n, 0);
  } finally {
    await app.end();
    await sql.unsafe('ALTER TABLE mem DISABLE ROW LEVEL SECURITY');
  }
  assert.equal(Number((await sql`SELECT count(*) FROM mem WHERE tenant_id = 't0'`)[0]!.count), rowsOfTenant.get('t0')!.length);
});

test('SIGKILL while new rows are sealed and clustered: acknowledged rows survive, the index stays exact', async () => {
  const extra = 12_000; // more than one 10,000-row segment: a seal and a clustering merge run meanwhile
  const before = Number((await sql`SELECT count(*) FROM mem`)[0]!.count);
  let acked = 0;
  for (let k = 0; k < extra; k += 1000) {
    const rows = Array.from({ length: 1000 }, (_v, j) => `(${1_000_000 + k + j}, 'late${(k + j) % 50}', '${vectorText(base, DIM, (k + j) % N)}')`);
    await sql.unsafe(`INSERT INTO mem VALUES ${rows.join(',')}`);
    acked += 1000;
  }
  void sql.unsafe('VACUUM mem').catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await server.kill('SIGKILL');
  await sql.end({ timeout: 1 }).catch(() => undefined);
  await server.restart();
  sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  assert.equal(Number((await sql`SELECT count(*) FROM mem`)[0]!.count), before + acked);
  for (let t = 0; t < 50; t += 7) {
    const [{ count }] = await sql.unsafe('SELECT count(*) FROM mem WHERE tenant_id = $1', [`late${t}`]);
    assert.equal(Number(count), extra / 50, `late${t}`);
  }
  await sql.unsafe('VACUUM mem');
  await verifyPkIndex();
  await checkSmallTenantsExact('after the crash');
});
