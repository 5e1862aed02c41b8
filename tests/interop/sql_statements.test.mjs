// Description: SQL statements through the CLI (`floe-engine sql`), checked by other readers.
// (a) CREATE TABLE, INSERT ... VALUES / SELECT (from read_parquet and from the table itself) and
// copy-on-write DELETEs build a table; DuckDB runs the very same statements on an in-memory
// table for the expected rows and counts. The Floe table is then read by icebird (Iceberg
// metadata, manifests, data files), by DuckDB over the live data files that `table show --json`
// lists (the removed ones must not be among them, nor be needed), and by Floe's own `query`;
// all must equal DuckDB's rows. Snapshot operations and file counts show what each DELETE did.
// (b) A corpus of malformed statements (unknown table or column, type mismatch, unbalanced
// parentheses, aggregate in WHERE, non-grouped column, run-time division by zero and overflow,
// bad literals, INSERT arity, DROP of a missing table ...): each exits 1 with one stderr line,
// "line L, column C" when the error is in the text, and the warehouse unchanged (a hash of every
// file name plus every metadata file's bytes, before and after).
// (c) Output formats of `query`: the aligned table, CSV and JSON lines; usage errors exit 2.
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { icebergRead } from 'icebird';
import { DuckDBInstance } from '@duckdb/node-api';
import { installLocalFetch } from './lib/local_fetch.mjs';
import { duckdbCanonical, parseJsonLine } from './lib/normalize.mjs';

const engine = process.env.FLOE_ENGINE;
if (!engine) throw new Error('set FLOE_ENGINE to the floe-engine binary');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-sql-statements-'));
const warehouse = path.join(work, 'lake');
const sourceFile = path.join(work, 'source.parquet');
let duck;

function floe(args, input) {
  return spawnSync(engine, ['--warehouse', warehouse, ...args], { encoding: 'utf8', input,
    maxBuffer: 1 << 28 });
}

function sqlOk(statement) {
  const r = floe(['sql', statement]);
  assert.equal(r.status, 0, `${statement}\n${r.stderr}`);
  assert.equal(r.stderr, '');
  return r.stdout;
}

before(async () => {
  const db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
  await duck.run(`COPY (SELECT r::BIGINT AS id, 'n' || r AS name, (r * 0.25)::DECIMAL(10,2) AS price,
      (r % 50)::INTEGER AS qty, CASE WHEN r % 11 = 0 THEN NULL ELSE r / 7.0 END::DOUBLE AS score,
      DATE '2024-01-01' + (r % 365)::INTEGER AS day,
      TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (r * 1000 + r % 1000) MILLISECOND AS ts,
      r % 3 = 0 AS flag
    FROM range(3000) t(r)) TO '${sourceFile}' (FORMAT parquet)`);
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

// ---- canonical values -------------------------------------------------------------------------

const SCHEMA = [['id', 'long'], ['name', 'string'], ['price', 'decimal(10, 2)'], ['qty', 'int'],
  ['score', 'double'], ['day', 'date'], ['ts', 'timestamp'], ['flag', 'boolean']];

// One value as text, whatever reader produced it (icebird's JS values, DuckDB's canonical text,
// Floe's JSON token). Timestamps compare in milliseconds: icebird hands out JS Dates.
function canonical(type, value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object' && !(value instanceof Date)) value = value.string ?? value.number ?? value.literal;
  if (type === 'long' || type === 'int') return BigInt(value).toString();
  if (type === 'double') return String(Number(value));
  if (type.startsWith('decimal')) return Number(value).toFixed(2);
  if (type === 'date') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (type === 'timestamp') {
    if (value instanceof Date) return String(value.getTime());
    return String(Date.parse(String(value).replace(' ', 'T') + 'Z'));
  }
  return String(value);
}

const rowKey = (row) => SCHEMA.map(([name, type]) => canonical(type, row[name])).join('|');
const sorted = (rows) => rows.map(rowKey).sort();

async function duckRows(sql) {
  const reader = await duck.runAndReadAll(sql);
  const types = reader.columnTypes().map(String);
  const names = reader.columnNames();
  return reader.getRows().map((row) => Object.fromEntries(row.map((v, c) => [names[c], duckdbCanonical(v, types[c])])));
}

function tableShow(name) {
  const r = floe(['--json', 'table', 'show', name]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// ---- (a) statements, read back by icebird and DuckDB --------------------------------------------

const STATEMENTS = [
  ['CREATE TABLE shop.items (id BIGINT NOT NULL, name VARCHAR, price DECIMAL(10,2), qty INT, score DOUBLE, day DATE, ts TIMESTAMP, flag BOOLEAN)', 'CREATE TABLE'],
  [`INSERT INTO shop.items VALUES (5001, 'comma, "quote"', 1.25, 7, 0.5, DATE '2023-12-31', TIMESTAMP '2023-12-31 23:59:59.5', true),
     (5002, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (5003, 'ünïcödé ✓', -3.5, -1, -2.75, DATE '1969-07-20', TIMESTAMP '1969-07-20 20:17:40', false)`, 'INSERT 3'],
  [`INSERT INTO shop.items SELECT * FROM read_parquet('${sourceFile}') WHERE id < 1500`, 'INSERT 1500'],
  [`INSERT INTO shop.items SELECT * FROM read_parquet('${sourceFile}') WHERE id >= 1500`, 'INSERT 1500'],
  ["INSERT INTO shop.items (name, id) VALUES ('only a name', 9001)", 'INSERT 1'],
  ["DELETE FROM shop.items WHERE qty = 7 OR name LIKE 'n12%'", 'DELETE'],
  ['DELETE FROM shop.items WHERE id >= 9000', 'DELETE'],
  ["DELETE FROM shop.items WHERE score IS NULL AND day < DATE '2024-03-01'", 'DELETE'],
  ['DELETE FROM shop.items WHERE id > 100000', 'DELETE'],
  ["INSERT INTO shop.items SELECT id + 100000, name || '!', price * 2, qty, score, day, ts, NOT flag FROM shop.items WHERE qty < 3", 'INSERT'],
];

test('statements build a table that icebird, DuckDB over its live files and Floe read alike', async () => {
  await duck.run('CREATE SCHEMA shop');
  const tableDir = path.join(warehouse, 'shop', 'items');
  const operations = [];
  let previousFiles = [];
  for (const [statement, tag] of STATEMENTS) {
    const out = sqlOk(statement).trim();
    const expected = await duck.run(statement);
    if (tag === 'CREATE TABLE') {
      assert.equal(out, tag);
      continue;
    }
    // "INSERT n" / "DELETE n": n is what DuckDB changed
    assert.equal(out, `${tag.split(' ')[0]} ${expected.rowsChanged}`, statement);
    const show = tableShow(tableDir);
    const files = show.files.filter((f) => f.content === 'data').map((f) => f.path);
    if (show.snapshots.length > operations.length) operations.push(show.snapshots.at(-1).summary.operation);
    if (tag === 'DELETE' && expected.rowsChanged > 0) {
      // only files holding matches were removed, and they are gone from the live list
      const summary = show.snapshots.at(-1).summary;
      const removed = previousFiles.filter((f) => !files.includes(f));
      assert.equal(removed.length, Number(summary['deleted-data-files']));
      assert.equal(files.length, previousFiles.length - removed.length + Number(summary['added-data-files'] ?? 0));
    }
    previousFiles = files;
  }
  // 4 appends, the partial DELETE (overwrite), the whole-file DELETE (delete), a partial one,
  // nothing for the DELETE without matches, a final append
  assert.deepEqual(operations, ['append', 'append', 'append', 'append', 'overwrite', 'delete',
    'overwrite', 'append']);

  const expected = sorted(await duckRows('SELECT * FROM shop.items'));
  assert.ok(expected.length > 2000);

  // icebird reads the table through its metadata
  installLocalFetch();
  const version = fs.readFileSync(path.join(tableDir, 'metadata', 'version-hint.text'), 'utf8').trim();
  const ice = await icebergRead({ tableUrl: tableDir, metadataFileName: `v${version}.metadata.json` });
  assert.deepEqual(sorted(ice), expected);

  // DuckDB over the live data files only
  const show = tableShow(tableDir);
  assert.equal(show.files.filter((f) => f.content !== 'data').length, 0);
  const live = show.files.map((f) => `'${f.path}'`).join(', ');
  assert.deepEqual(sorted(await duckRows(`SELECT * FROM read_parquet([${live}])`)), expected);
  assert.equal(show.total_records, expected.length);

  // and Floe itself
  const r = floe(['query', 'SELECT * FROM shop.items', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const mine = r.stdout.split('\n').filter((l) => l).map(parseJsonLine);
  assert.deepEqual(sorted(mine), expected);
});

test('wide decimals (fixed-length byte arrays of 9 to 16 bytes) read back exactly by DuckDB, bounds too', async () => {
  sqlOk('CREATE TABLE shop.wide (id INT, d DECIMAL(25,3), e DECIMAL(20,0), f DECIMAL(38,2))');
  const values = [
    [1, '1234567890123456789012.345', '-99999999999999999999', '-123456789012345678901234567890123456.78'],
    [2, '-0.001', '1', '0.00'],
    [3, '-1234567890123456789012.345', '18446744073709551616', '12345678901234567890123456789012345.67'],
  ];
  sqlOk(`INSERT INTO shop.wide VALUES ${values.map((v) => `(${v.join(', ')})`).join(', ')}`);
  const files = `'${path.join(warehouse, 'shop', 'wide', 'data')}/*.parquet'`;
  const read = await duck.runAndReadAll(`SELECT id, d::VARCHAR, e::VARCHAR, f::VARCHAR FROM read_parquet(${files}) ORDER BY id`);
  assert.deepEqual(read.getRows(), values);
  const bounds = await duck.runAndReadAll(`SELECT path_in_schema, stats_min_value, stats_max_value
      FROM parquet_metadata(${files}) WHERE path_in_schema <> 'id' ORDER BY path_in_schema`);
  assert.deepEqual(bounds.getRows(), [
    ['d', values[2][1], values[0][1]], ['e', values[0][2], values[2][2]], ['f', values[0][3], values[2][3]],
  ]);
});

test('DELETE on an ingested table of many row groups keeps the rows of row groups it pruned', async () => {
  // 10 row groups of 100 rows; the predicate rules 9 of them out by statistics, and every row
  // of the one read matches: the file must still be rewritten, not dropped.
  const file = path.join(work, 'groups.parquet');
  await duck.run(`COPY (SELECT r::BIGINT AS id, 'v' || r AS v FROM range(1000) t(r))
    TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
  const ingest = floe(['ingest', 'rg.t', file]);
  assert.equal(ingest.status, 0, ingest.stderr);
  assert.equal(sqlOk('DELETE FROM rg.t WHERE id < 100').trim(), 'DELETE 100');
  assert.equal(sqlOk("DELETE FROM rg.t WHERE id >= 900 AND v <> 'v950'").trim(), 'DELETE 99');
  const tableDir = path.join(warehouse, 'rg', 't');
  const show = tableShow(tableDir);
  assert.deepEqual(show.snapshots.map((s) => s.summary.operation), ['append', 'overwrite', 'overwrite']);
  const live = show.files.map((f) => `'${f.path}'`).join(', ');
  const rows = await duckRows(`SELECT count(*) AS n, min(id) AS low, max(id) AS high, sum(id) AS total
    FROM read_parquet([${live}], union_by_name = true)`);
  assert.deepEqual(rows, [{ n: '801', low: '100', high: '950', total: String(899 * 900 / 2 - 99 * 100 / 2 + 950) }]);
  installLocalFetch();
  const version = fs.readFileSync(path.join(tableDir, 'metadata', 'version-hint.text'), 'utf8').trim();
  const ice = await icebergRead({ tableUrl: tableDir, metadataFileName: `v${version}.metadata.json` });
  assert.equal(ice.length, 801);
  assert.equal(ice.filter((r) => r.v === `v${r.id}`).length, 801);
});

// ---- (b) malformed statements ---------------------------------------------------------------------

// [statement, has a position in the text]
const MALFORMED = [
  ['SELECT * FROM nope', true],
  ['SELECT nope FROM t', true],
  ['SELECT t.nope FROM t', true],
  ['SELECT * FROM other.nope', true],
  ['SELECT * FROM t x JOIN nope y ON x.id = y.id', true],
  ['INSERT INTO nope VALUES (1)', true],
  ['DELETE FROM nope', true],
  ['DELETE FROM t WHERE nope = 1', true],
  ['SELECT id FROM t WHERE name = 1', true],
  ['SELECT id + name FROM t', true],
  ['SELECT id FROM t WHERE name LIKE 1', true],
  ['SELECT CASE WHEN id THEN 1 END FROM t', true],
  ['SELECT id FROM t WHERE id = 1 OR name', true],
  ['DELETE FROM t WHERE name', true],
  ["SELECT id FROM t WHERE id = 'abc'", true],
  ['SELECT (id + 1 FROM t', true],
  ['SELECT id FROM t WHERE (id > 1', true],
  ['SELECT id) FROM t', true],
  ['SELECT abs(id FROM t', true],
  ['SELECT * FROM t WHERE sum(id) > 1', true],
  ['SELECT name, count(*) FROM t', true],
  ['SELECT name FROM t GROUP BY id', true],
  ["SELECT count(*) FROM t HAVING name = 'x'", true],
  ['SELECT sum(sum(id)) FROM t', true],
  ['SELECT * FROM t ORDER BY 5', true],
  ['SELECT name FROM t GROUP BY 3', true],
  ['SELECT nosuchfn(id) FROM t', true],
  ['SELECT abs(id, id) FROM t', true],
  ["SELECT 'unterminated FROM t", true],
  ['SELECT * FROM t a JOIN t a ON a.id = a.id', true],
  ['SELECT id FROM t a JOIN t b ON a.id = b.id', true],
  ['SELECT * FROM t UNION SELECT * FROM t', true],
  ['SELECT * FROM t RIGHT JOIN t u ON t.id = u.id', true],
  ["SELECT * FROM read_parquet('/nonexistent/file.parquet')", true],
  ["SELECT * FROM '/nonexistent/table'", true],
  ["SELECT DATE '2024-13-01'", true],
  ["SELECT id FROM t WHERE day > DATE '2024-02-30'", true],
  ["SELECT TIMESTAMP 'yesterday'", true],
  ['SELECT FROM t', true],
  ['SELECT * FROM t WHERE', true],
  ['SELECT * FROM t WHERE id = 1 AND', true],
  ['SELECT id FROM t LIMIT -1', true],
  ['SELECT id FROM t WHERE id IN ()', true],
  ['DELETE t WHERE id = 1', true],
  ['INSERT t VALUES (1)', true],
  ["INSERT INTO t VALUES (1, 'a')", true],
  ['INSERT INTO t (id, name) VALUES (1)', true],
  ['INSERT INTO t (id, nope) VALUES (1, 2)', true],
  ['INSERT INTO t (id, id) VALUES (1, 2)', true],
  ["INSERT INTO t (name) VALUES ('x')", true],
  ["INSERT INTO t VALUES (NULL, 'x', 1.0, DATE '2024-01-01')", true],
  ["INSERT INTO t VALUES ('abc', 'x', 1.0, DATE '2024-01-01')", true],
  ['INSERT INTO t SELECT id FROM t', true],
  ['DROP TABLE nope', true],
  ['DROP TABLE other.nope', true],
  ['CREATE TABLE t (a INT)', true],
  ['CREATE TABLE u (a INT, a INT)', true],
  ['CREATE TABLE u (a NOTATYPE)', true],
  ['CREATE TABLE u ()', true],
  ['CREATE TABLE "bad/name" (a INT)', true],
  ['EXPLAIN SELECT nope FROM t', true],
  // run time: no position in the text
  ['SELECT 1 / (id - id) FROM t', false],
  ['INSERT INTO t SELECT id, name, price / (id - id), day FROM t', false],
  ['DELETE FROM t WHERE 1 / (id - id) > 0', false],
  ['SELECT 9223372036854775807 + id FROM t', false],
  ['INSERT INTO t SELECT 9223372036854775807 + id, name, price, day FROM t', false],
  ["SELECT CAST(name AS INTEGER) FROM t", false],
  ['INSERT INTO t SELECT name, name, price, day FROM t', false], // VARCHAR casts to BIGINT, 'one' does not
];

// Every file's relative path, and the bytes of every metadata file, hashed.
function treeHash(dir) {
  const hash = crypto.createHash('sha256');
  const walk = (relative) => {
    const full = path.join(dir, relative);
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(relative, entry.name);
      hash.update(child + '\n');
      if (entry.isDirectory()) walk(child);
      else if (child.includes(`${path.sep}metadata${path.sep}`)) hash.update(fs.readFileSync(path.join(dir, child)));
    }
  };
  walk('.');
  return hash.digest('hex');
}

test(`${MALFORMED.length} malformed statements: exit 1, one line, position, warehouse unchanged`, () => {
  assert.ok(MALFORMED.length >= 50);
  sqlOk("CREATE TABLE t (id BIGINT NOT NULL, name VARCHAR, price DECIMAL(10,2), day DATE); " +
    "INSERT INTO t VALUES (1, 'one', 1.50, DATE '2024-01-01'), (2, 'two', NULL, NULL), (3, NULL, 0.25, DATE '2024-02-29')");
  const before = treeHash(warehouse);
  for (const [statement, positioned] of MALFORMED) {
    const r = floe(['sql', statement]);
    assert.equal(r.status, 1, `${statement}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    assert.equal(lines.length, 1, `${statement}: ${r.stderr}`);
    assert.match(lines[0], /^floe-engine: sql: /, statement);
    if (positioned) assert.match(lines[0], /line \d+, column \d+: /, statement);
    assert.equal(r.stdout, '', `${statement}: printed ${r.stdout}`);
    assert.equal(treeHash(warehouse), before, `${statement} changed the warehouse`);
  }
  // a position counts lines and columns of the script
  const r = floe(['sql', 'SELECT id\nFROM t\nWHERE nope > 1']);
  assert.match(r.stderr, /line 3, column 7: /);
});

// ---- (c) output formats and usage -------------------------------------------------------------

test('query prints an aligned table, CSV or JSON lines; sql -f reads a file or stdin', () => {
  sqlOk("CREATE TABLE fmt (id INT, name VARCHAR, ok BOOLEAN); INSERT INTO fmt VALUES " +
    "(1, 'a', true), (20, 'b,\"c\"', NULL), (300, NULL, false)");
  let r = floe(['query', 'SELECT id, name, ok FROM fmt ORDER BY id']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    ' id  | name  |  ok',
    '-----+-------+-------',
    '   1 | a     | true',
    '  20 | b,"c" | NULL',
    ' 300 | NULL  | false',
    '(3 rows)', '', ''].join('\n'));
  r = floe(['query', 'SELECT id, name, ok FROM fmt ORDER BY id', '--format', 'csv']);
  assert.equal(r.stdout, 'id,name,ok\n1,a,true\n20,"b,""c""",\n300,,false\n');
  r = floe(['query', '--format=json', 'SELECT id, name FROM fmt WHERE id > 1 ORDER BY id']);
  assert.equal(r.stdout, '{"id":20,"name":"b,\\"c\\""}\n{"id":300,"name":null}\n');

  const script = path.join(work, 'script.sql');
  fs.writeFileSync(script, 'INSERT INTO fmt VALUES (4, \'d\', true);\nSELECT count(*) AS n FROM fmt;\n');
  r = floe(['sql', '-f', script]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'INSERT 1\n n\n---\n 4\n(1 row)\n\n');
  r = floe(['sql', '-f', '-', '--format', 'csv'], 'SELECT max(id) AS m FROM fmt');
  assert.equal(r.stdout, 'm\n300\n');

  // usage errors exit 2; a statement that is not a query is refused by `query` (exit 1)
  for (const args of [['query'], ['sql'], ['query', 'SELECT 1', '--format', 'xml'],
    ['sql', '--threads', '0', 'SELECT 1'], ['query', 'SELECT 1', '--memory-limit', 'lots'],
    ['sql', 'SELECT 1', 'SELECT 2'], ['query', '-f', script]]) {
    assert.equal(floe(args).status, 2, args.join(' '));
  }
  r = floe(['query', 'DELETE FROM fmt']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /query runs a SELECT only/);
  assert.equal(floe(['sql', '-f', path.join(work, 'missing.sql')]).status, 1);
});
