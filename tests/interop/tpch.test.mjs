// Description: floe-datagen's tables and TPC-H through Floe's query command, against DuckDB.
// (a) `floe-datagen tpch --scale 0.01` writes six Iceberg tables that icebird reads (row counts,
//     types from the metadata), whose live data files are exactly the data/ folder, and that are
//     the same rows for the same seed whatever the file split (and different for another seed).
// (b) TPC-H Q1, Q3, Q5, Q6, Q10, Q12 over those tables: DuckDB over the same Parquet files gives
//     non-trivial answers (at least the rows each query should return), and `floe-engine query
//     --format json` (1 and 2 threads) returns the same rows in the same order: decimals equal
//     as exact numbers, floats within a relative 1e-9, names and text equal.
// (c) Q6 through `floe-engine query` over the Spark-written tests/data/iceberg/lineitem_iceberg
//     (named by its directory) gives Spark's 1077536.9101.
// (d) `floe-datagen orders`: one snapshot per file, `--append` continues ids, time and seed so
//     that 3000 + 1500 rows equal a 4500-row run; orders agree with their customers' regions;
//     icebird reads the result; bad usage and existing tables give one line and exit 2 / 1.
// Tests of (b) and (c) are reported as skipped, with the reason, only while `floe-engine query`
// answers "not yet available"; any other failure of it fails them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { icebergRead } from 'icebird';
import { DuckDBInstance } from '@duckdb/node-api';
import { installLocalFetch } from './lib/local_fetch.mjs';
import { duckdbCanonical, parseJsonLine } from './lib/normalize.mjs';
import { tpchQueries, tpchTables, q6Over } from './lib/tpch_queries.mjs';

const engine = process.env.FLOE_ENGINE;
if (!engine) throw new Error('set FLOE_ENGINE to the floe-engine binary');
const buildDir = process.env.FLOE_BUILD_DIR ?? path.resolve(path.dirname(engine), '..');
const datagen = process.env.FLOE_DATAGEN ?? path.join(buildDir, 'tools/datagen/floe-datagen');
const fixtureDir = fileURLToPath(new URL('../data/iceberg/lineitem_iceberg', import.meta.url));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-tpch-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

function runDatagen(args) {
  const result = spawnSync(datagen, args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return result;
}

function generate(args) {
  const result = runDatagen(args);
  assert.equal(result.status, 0, `floe-datagen ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function metadataFile(tableDir) {
  const hint = fs.readFileSync(path.join(tableDir, 'metadata', 'version-hint.text'), 'utf8').trim();
  return `v${hint}.metadata.json`;
}

function currentMetadata(tableDir) {
  return JSON.parse(fs.readFileSync(path.join(tableDir, 'metadata', metadataFile(tableDir)), 'utf8'));
}

function currentSnapshot(metadata) {
  return metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
}

// The data files of a table written only by appends: every file in data/. Checked against the
// current snapshot's summary, so a table that ever lost a file would be noticed here.
function liveDataFiles(tableDir) {
  const dir = path.join(tableDir, 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => path.join(dir, f));
  const summary = currentSnapshot(currentMetadata(tableDir)).summary;
  assert.equal(Number(summary['total-data-files']), files.length, `${tableDir}: data/ holds files no snapshot lists`);
  assert.equal(summary['deleted-data-files'] ?? '0', '0');
  return files;
}

async function duckdbOver(warehouse, namespace, tables) {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE SCHEMA ${namespace}`);
  for (const table of tables) {
    const files = liveDataFiles(path.join(warehouse, namespace, table)).map((f) => `'${f}'`).join(', ');
    await conn.run(`CREATE VIEW ${namespace}.${table} AS SELECT * FROM read_parquet([${files}])`);
  }
  return conn;
}

// An order-independent fingerprint of a table's rows: count and per-column sums of hashes.
async function fingerprint(conn, table) {
  const reader = await conn.runAndReadAll(`SELECT count(*)::VARCHAR, sum(hash(COLUMNS(*)))::VARCHAR FROM ${table}`);
  return reader.getRows()[0].join(',');
}

async function duckdbRows(conn, sql) {
  const reader = await conn.runAndReadAll(sql);
  const types = reader.columnTypes().map(String);
  return {
    names: reader.columnNames(),
    types,
    rows: reader.getRows().map((row) => row.map((v, c) => duckdbCanonical(v, types[c]))),
  };
}

const QUERY_MISSING = /not yet available/;

// Runs a query through floe-engine; { skip: reason } while the command does not exist yet.
function floeQuery(warehouse, sql, threads) {
  const args = ['--warehouse', warehouse, 'query', sql, '--format', 'json'];
  if (threads) args.push('--threads', String(threads));
  const result = spawnSync(engine, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  if (result.status !== 0 && QUERY_MISSING.test(result.stderr)) {
    return { skip: `floe-engine query is not available yet: ${result.stderr.trim()}` };
  }
  assert.equal(result.status, 0, `floe-engine query failed (${threads ?? 'default'} threads): ${result.stderr}\n${sql}`);
  const lines = result.stdout.split('\n').filter((l) => l.length > 0);
  return { rows: lines.map(parseJsonLine) };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

// "12.3400" and "12.34" are the same number; "-0.00" is 0.
function exactNumber(text) {
  let [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  fraction = fraction.replace(/0+$/, '');
  whole = whole.replace(/^0+(?=\d)/, '');
  const magnitude = fraction ? `${whole}.${fraction}` : whole;
  return magnitude === '0' ? '0' : (text.startsWith('-') ? '-' : '') + magnitude;
}

function sameValue(mine, theirs, type) {
  if (mine === null || theirs === null) return mine === theirs;
  if (type === 'DOUBLE' || type === 'FLOAT') {
    const a = Number(mine), b = Number(theirs);
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }
  if (DECIMAL.test(mine) && DECIMAL.test(theirs)) return exactNumber(mine) === exactNumber(theirs);
  return mine === theirs;
}

function compareOrdered(floeRows, duck, label) {
  assert.equal(floeRows.length, duck.rows.length, `${label}: row count`);
  for (let r = 0; r < floeRows.length; r++) {
    const row = floeRows[r];
    assert.deepEqual(Object.keys(row), duck.names, `${label}: column names`);
    duck.names.forEach((name, c) => {
      const cell = row[name];
      const mine = cell === null ? null : (cell.string ?? cell.number ?? cell.literal);
      const theirs = duck.rows[r][c];
      assert.ok(sameValue(mine, theirs, duck.types[c]),
        `${label}: row ${r + 1}, column ${name}: Floe ${mine}, DuckDB ${theirs}`);
    });
  }
}

// ---- (a) the TPC-H tables -----------------------------------------------------------------------

const tpchWarehouse = path.join(work, 'tpch');
const tpchOutput = generate(['tpch', '--warehouse', tpchWarehouse, '--scale', '0.01', '--seed', '7']);

test('datagen tpch SF 0.01: six tables, TPC-H sizes, icebird reads them with their types', async () => {
  assert.match(tpchOutput, /tpch\.lineitem: \d+ rows/);
  const expected = { region: 5, nation: 25, supplier: 100, customer: 1500, orders: 15000 };
  for (const table of tpchTables) {
    const tableDir = path.join(tpchWarehouse, 'tpch', table);
    const metadata = currentMetadata(tableDir);
    installLocalFetch();
    const rows = await icebergRead({ tableUrl: tableDir, metadataFileName: metadataFile(tableDir) });
    if (expected[table] !== undefined) assert.equal(rows.length, expected[table], table);
    else assert.ok(rows.length > 55000 && rows.length < 65000, `lineitem has ${rows.length} rows`);
    assert.equal(Number(currentSnapshot(metadata).summary['total-records']), rows.length);
    const fields = metadata.schemas[0].fields;
    assert.ok(fields.every((f) => f.required), `${table}: every column required`);
    const types = Object.fromEntries(fields.map((f) => [f.name, f.type]));
    if (table === 'lineitem') {
      assert.equal(types.l_orderkey, 'int');
      assert.equal(types.l_extendedprice, 'decimal(15, 2)');
      assert.equal(types.l_shipdate, 'date');
      assert.equal(types.l_shipmode, 'string');
      const first = rows[0];
      assert.equal(typeof first.l_shipmode, 'string');
    }
  }
});

test('datagen tpch: same seed, same rows whatever the file split; another seed, other rows', async () => {
  const split = path.join(work, 'tpch-split');
  generate(['tpch', '--warehouse', split, '--scale', '0.01', '--seed', '7', '--rows-per-file', '4000', '--threads', '2']);
  assert.ok(liveDataFiles(path.join(split, 'tpch', 'lineitem')).length >= 10);
  const other = path.join(work, 'tpch-other-seed');
  generate(['tpch', '--warehouse', other, '--scale', '0.01', '--seed', '8']);
  const a = await duckdbOver(tpchWarehouse, 'tpch', tpchTables);
  const b = await duckdbOver(split, 'tpch', tpchTables);
  const c = await duckdbOver(other, 'tpch', tpchTables);
  for (const table of tpchTables) {
    assert.equal(await fingerprint(b, `tpch.${table}`), await fingerprint(a, `tpch.${table}`), table);
    if (table !== 'nation' && table !== 'region') {
      assert.notEqual(await fingerprint(c, `tpch.${table}`), await fingerprint(a, `tpch.${table}`), table);
    }
  }
});

test('datagen tpch: keys join, o_totalprice and o_orderstatus follow the lines (dbgen rules)', async () => {
  const conn = await duckdbOver(tpchWarehouse, 'tpch', tpchTables);
  const one = async (sql) => (await conn.runAndReadAll(sql)).getRows()[0].map(String);
  assert.deepEqual(await one(`SELECT count(*) FROM tpch.lineitem l LEFT JOIN tpch.orders o ON l.l_orderkey = o.o_orderkey WHERE o.o_orderkey IS NULL`), ['0']);
  assert.deepEqual(await one(`SELECT count(*) FROM tpch.orders o LEFT JOIN tpch.customer c ON o.o_custkey = c.c_custkey WHERE c.c_custkey IS NULL OR o.o_custkey % 3 = 0`), ['0']);
  assert.deepEqual(await one(`SELECT count(*) FROM tpch.lineitem l LEFT JOIN tpch.supplier s ON l.l_suppkey = s.s_suppkey WHERE s.s_suppkey IS NULL`), ['0']);
  assert.deepEqual(await one(`SELECT count(*) FROM (
      SELECT o_orderkey, o_totalprice, o_orderstatus,
             sum((l_extendedprice * 100)::BIGINT * (100 - (l_discount * 100)::BIGINT) // 100
                 * (100 + (l_tax * 100)::BIGINT) // 100) AS total,
             CASE WHEN bool_and(l_linestatus = 'F') THEN 'F' WHEN bool_and(l_linestatus = 'O') THEN 'O' ELSE 'P' END AS status
      FROM tpch.orders JOIN tpch.lineitem ON o_orderkey = l_orderkey
      GROUP BY o_orderkey, o_totalprice, o_orderstatus)
    WHERE total <> (o_totalprice * 100)::BIGINT OR status <> o_orderstatus`), ['0']);
  const [flags] = await one(`SELECT string_agg(DISTINCT l_returnflag || l_linestatus, ',' ORDER BY l_returnflag || l_linestatus) FROM tpch.lineitem`);
  assert.equal(flags, 'AF,NF,NO,RF');
});

// ---- (b) the queries -----------------------------------------------------------------------------

const duckTpch = await duckdbOver(tpchWarehouse, 'tpch', tpchTables);

for (const query of tpchQueries) {
  test(`TPC-H ${query.name}: DuckDB's answer over the generated files is non-trivial`, async () => {
    const duck = await duckdbRows(duckTpch, query.sql);
    assert.ok(duck.rows.length >= query.minRows, `${duck.rows.length} rows, expected at least ${query.minRows}`);
    assert.ok(duck.rows.every((row) => row.every((v) => v !== null)), 'no NULL answers');
  });

  for (const threads of [1, 2]) {
    test(`TPC-H ${query.name}: Floe (${threads} thread${threads > 1 ? 's' : ''}) equals DuckDB`, async (t) => {
      const floe = floeQuery(tpchWarehouse, query.sql, threads);
      if (floe.skip) {
        t.skip(floe.skip);
        return;
      }
      const duck = await duckdbRows(duckTpch, query.sql);
      compareOrdered(floe.rows, duck, query.name);
    });
  }
}

// ---- (c) the Spark-written fixture ---------------------------------------------------------------

test('TPC-H Q6 through floe-engine query over lineitem_iceberg (Spark) gives 1077536.9101', (t) => {
  const floe = floeQuery(work, q6Over(`'${fixtureDir}'`));
  if (floe.skip) {
    t.skip(floe.skip);
    return;
  }
  assert.equal(floe.rows.length, 1);
  const revenue = floe.rows[0].revenue;
  assert.equal(exactNumber(revenue.string ?? revenue.number), '1077536.9101');
});

// ---- (d) the orders generator --------------------------------------------------------------------

test('datagen orders: a snapshot per file, --append continues the same rows, regions agree', async () => {
  const grown = path.join(work, 'orders-grown');
  const out = generate(['orders', '--warehouse', grown, '--rows', '3000', '--customers', '200', '--rows-per-file', '1000', '--seed', '5']);
  assert.match(out, /bronze\.orders: 3000 rows, 3 files, 3 snapshots/);
  assert.match(out, /bronze\.customers: 200 rows, 1 file, 1 snapshot/);
  const appended = generate(['orders', '--warehouse', grown, '--append', '1500', '--rows-per-file', '1000']);
  assert.match(appended, /bronze\.orders: 1500 rows, 2 files, 1 snapshot/);
  const ordersDir = path.join(grown, 'bronze', 'orders');
  const metadata = currentMetadata(ordersDir);
  assert.equal(metadata.snapshots.length, 4);
  assert.deepEqual(metadata.snapshots.map((s) => s.summary['floe-datagen.next-unit']), ['1000', '2000', '3000', '4500']);
  assert.equal(currentSnapshot(metadata).summary['added-records'], '1500');

  const whole = path.join(work, 'orders-whole');
  generate(['orders', '--warehouse', whole, '--rows', '4500', '--customers', '200', '--seed', '5', '--one-snapshot']);
  assert.equal(currentMetadata(path.join(whole, 'bronze', 'orders')).snapshots.length, 1);
  const a = await duckdbOver(grown, 'bronze', ['orders', 'customers']);
  const b = await duckdbOver(whole, 'bronze', ['orders', 'customers']);
  assert.equal(await fingerprint(a, 'bronze.orders'), await fingerprint(b, 'bronze.orders'));
  assert.equal(await fingerprint(a, 'bronze.customers'), await fingerprint(b, 'bronze.customers'));

  const one = async (sql) => (await a.runAndReadAll(sql)).getRows()[0].map(String);
  assert.deepEqual(await one(`SELECT min(order_id), max(order_id), count(DISTINCT order_id) FROM bronze.orders`), ['1', '4500', '4500']);
  assert.deepEqual(await one(`SELECT count(*) FROM bronze.orders o JOIN bronze.customers c USING (customer_id) WHERE o.region <> c.region`), ['0']);
  assert.deepEqual(await one(`SELECT count(*) FROM bronze.orders o ANTI JOIN bronze.customers c USING (customer_id)`), ['0']);
  assert.deepEqual(await one(`SELECT count(DISTINCT region) BETWEEN 5 AND 10, min(ts) >= TIMESTAMP '2024-01-01', min(quantity) >= 1, max(quantity) <= 10, bool_and(amount_usd > 0) FROM bronze.orders`),
    ['true', 'true', 'true', 'true', 'true']);
  // Timestamps advance with order ids: the appended orders are the newest.
  assert.deepEqual(await one(`SELECT (SELECT min(ts) FROM bronze.orders WHERE order_id > 3000) > (SELECT max(ts) FROM bronze.orders WHERE order_id <= 2000)`), ['true']);

  installLocalFetch();
  const rows = await icebergRead({ tableUrl: ordersDir, metadataFileName: metadataFile(ordersDir) });
  assert.equal(rows.length, 4500);
  assert.equal(new Set(rows.map((r) => String(r.order_id))).size, 4500);
});

test('datagen: bad usage exits 2, an existing table or a missing one exits 1, one line each', () => {
  const warehouse = path.join(work, 'errors');
  const cases = [
    [['tpch', '--warehouse', warehouse], 2, /needs --scale/],
    [['tpch', '--warehouse', warehouse, '--scale', 'many'], 2, /not a number/],
    [['tpch', '--warehouse', warehouse, '--scale', '500'], 2, /must be in \(0, 100\]/],
    [['orders', '--warehouse', warehouse, '--rows', '10'], 2, /--customers/],
    [['orders', '--warehouse', warehouse, '--rows', '1x', '--customers', '3'], 2, /not a count/],
    [['orders', '--warehouse', warehouse, '--append', '10'], 1, /no such table/],
    [['bogus', '--warehouse', warehouse], 2, /unknown command/],
    [['orders', '--warehouse', warehouse, '--rows', '10', '--customers', '3', '--frobnicate', '1'], 2, /unknown option/],
  ];
  for (const [args, status, message] of cases) {
    const result = runDatagen(args);
    assert.equal(result.status, status, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.match(result.stderr.split('\n')[0], /^floe-datagen: /);
  }
  generate(['orders', '--warehouse', warehouse, '--rows', '10', '--customers', '3']);
  const again = runDatagen(['orders', '--warehouse', warehouse, '--rows', '10', '--customers', '3']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  const seeded = runDatagen(['orders', '--warehouse', warehouse, '--append', '5', '--seed', '3']);
  assert.equal(seeded.status, 2);
  assert.match(seeded.stderr, /read from bronze\.orders/);
  assert.equal(currentMetadata(path.join(warehouse, 'bronze', 'orders')).snapshots.length, 1);
});
