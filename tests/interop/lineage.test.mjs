// Description: `floe-engine lineage` cross-checked with DuckDB. Orders are ingested in three
// snapshots (DuckDB-written Parquet, two files in the first), an aggregating dynamic table
// (GROUP BY k with a WHERE) is refreshed after each, and for every row of the table the files
// lineage names are checked against the source files themselves: DuckDB's
// read_parquet(file) WHERE <key and filter> finds at least one row in every named file and none
// in every other data file of the source. Also: the row's refresh is its _floe_refresh and
// names the mode; a non-aggregating table narrows to the files holding the equal row; --where
// selecting nothing prints nothing and exits 0; a bad --where exits 1 with its position; bad
// usage exits 2.
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const engine = process.env.FLOE_ENGINE;
if (!engine) throw new Error('set FLOE_ENGINE to the floe-engine binary');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-lineage-'));
const warehouse = path.join(work, 'lake');
let duck;

function floe(args) {
  return spawnSync(engine, ['--warehouse', warehouse, ...args], { encoding: 'utf8',
    maxBuffer: 1 << 28 });
}

function floeOk(args) {
  const r = floe(args);
  assert.equal(r.status, 0, `${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function count(sql) {
  const reader = await duck.runAndReadAll(sql);
  return Number(reader.getRows()[0][0]);
}

// Rows r in [first, first + n): key k = r % modulo + offset, v = r % 7 - 1 (some v <= 0, which
// the dynamic table's WHERE drops).
async function writeOrders(file, first, n, modulo, offset) {
  await duck.run(`COPY (SELECT (r + ${first})::BIGINT AS id, (r % ${modulo} + ${offset})::BIGINT AS k,
      (r % 7 - 1)::BIGINT AS v FROM range(${n}) t(r)) TO '${file}' (FORMAT parquet)`);
}

function dataFiles(table) {
  const dir = path.join(warehouse, 'default', table, 'data');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
}

function lineageJson(args) {
  return floeOk(['lineage', ...args, '--json']).split('\n').filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

before(async () => {
  const db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
  const files = [];
  for (let i = 0; i < 4; i++) files.push(path.join(work, `orders-${i}.parquet`));
  await writeOrders(files[0], 0, 300, 40, 0);       // keys 0..39
  await writeOrders(files[1], 1000, 200, 30, 20);   // keys 20..49
  await writeOrders(files[2], 2000, 50, 10, 45);    // keys 45..54
  await writeOrders(files[3], 3000, 20, 5, 100);    // keys 100..104
  floeOk(['ingest', 'default.orders', files[0], files[1]]);
  floeOk(['sql', 'CREATE DYNAMIC TABLE agg AS SELECT k, count(*) AS n, sum(v) AS total ' +
    'FROM orders WHERE v > 0 GROUP BY k']);
  floeOk(['sql', 'CREATE DYNAMIC TABLE picked AS SELECT id, k FROM orders WHERE k >= 100']);
  floeOk(['ingest', 'default.orders', files[2]]);
  floeOk(['refresh', 'agg', 'picked']);
  floeOk(['ingest', 'default.orders', files[3]]);
  floeOk(['refresh', 'agg', 'picked']);
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

test('aggregating table: named files hold the key, the others do not', async () => {
  const rows = lineageJson(['agg', '--limit', '1000']);
  assert.equal(rows.length, 55 + 5);
  const all = dataFiles('orders');
  assert.equal(all.length, 4);
  for (const entry of rows) {
    const key = entry.row.k;
    assert.equal(entry.refresh.number, entry.row._floe_refresh);
    assert.ok(['incremental', 'full'].includes(entry.refresh.mode));
    assert.equal(entry.sources.length, 1);
    const source = entry.sources[0];
    assert.equal(source.identity, 'default.orders');
    assert.equal(source.narrowed, true);
    assert.ok(source.files.length >= 1, `key ${key}: no file`);
    for (const file of all) {
      const n = await count(`SELECT count(*) FROM read_parquet('${file}') WHERE k = ${key} AND v > 0`);
      if (source.files.includes(file)) assert.ok(n >= 1, `key ${key}: ${file} named, holds none`);
      else assert.equal(n, 0, `key ${key}: ${file} holds ${n} rows but is not named`);
    }
  }
});

test('a key of the last append names the last refresh and its file only', async () => {
  const [entry] = lineageJson(['agg', '--where', 'k = 102']);
  assert.equal(entry.row.k, 102);
  assert.equal(entry.refresh.number, 3);
  assert.equal(entry.refresh.mode, 'incremental');
  const holding = [];
  for (const file of dataFiles('orders').sort()) {
    if (await count(`SELECT count(*) FROM read_parquet('${file}') WHERE k = 102`) > 0) holding.push(file);
  }
  assert.deepEqual(entry.sources[0].files, holding);
});

test('non-aggregating table: the files holding the equal row', async () => {
  const rows = lineageJson(['picked', '--where', 'id = 3007']);
  assert.equal(rows.length, 1);
  const files = rows[0].sources[0].files;
  assert.equal(files.length, 1);
  assert.equal(await count(`SELECT count(*) FROM read_parquet('${files[0]}') WHERE id = 3007`), 1);
});

test('text output, nothing selected, errors and usage', () => {
  const text = floeOk(['lineage', 'agg', '--where', 'k = 102']);
  assert.match(text, /^row 1: k = 102, n = \d+, total = \d+, _floe_refresh = 3\n/);
  assert.match(text, /\n {2}refresh 3: snapshot \d+, committed .* UTC, incremental/);
  assert.match(text, /\n {2}source default\.orders: refresh 3 consumed snapshot \d+\n/);
  assert.equal(floeOk(['lineage', 'agg', '--where', 'k = -5']), '');
  let r = floe(['lineage', 'agg', '--where', 'k = = 1']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^floe-engine: lineage: default\.agg: --where column 5: .*\n$/);
  r = floe(['lineage', 'orders']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a dynamic table/);
  assert.equal(floe(['lineage']).status, 2);
  assert.equal(floe(['lineage', 'agg', '--limit', 'x']).status, 2);
  assert.equal(floe(['lineage', 'agg', '--bogus']).status, 2);
});
