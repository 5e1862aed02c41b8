// parquet_decode.test.mjs — Floe's Parquet decoder against DuckDB, the independent reference.
//
// (a) every file in tests/data/parquet (not bad_data/): `floe-engine parquet dump --format jsonl`
//     equals DuckDB's read_parquet value by value, after both are normalized to one canonical
//     text (lib/normalize.mjs lists each normalization and why). Files with nested columns are
//     dumped with --columns of their flat columns; nested_lists must give the clear error;
//     int96_from_spark holds a Julian day beyond the int64 microsecond range, which Floe refuses
//     (FLOE_ERANGE) where DuckDB wraps it, so the error is asserted and the other rows compared.
// (b) a matrix of files written BY DuckDB (codecs, row group sizes, dictionary on/off, NULL
//     fractions, every type, empty tables, format v2) into a temp dir, each compared the same way.
// Env: FLOE_ENGINE = the floe-engine binary (default ../../build/tools/floe-engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbCanonical, floeCanonical, parseJsonLine } from './lib/normalize.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const engine = process.env.FLOE_ENGINE ?? path.resolve(here, '../../build/tools/floe-engine');
const dataDir = path.resolve(here, '../data/parquet');
const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;
const ident = (s) => `"${s.replace(/"/g, '""')}"`;

function floeDump(file, columns) {
  const args = ['parquet', 'dump', file, '--format', 'jsonl'];
  if (columns) args.push('--columns', columns.join(','));
  return spawnSync(engine, args, { maxBuffer: 1 << 30, encoding: 'utf8' });
}

function flatColumns(file) {
  const out = spawnSync(engine, ['parquet', 'meta', '--json', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const meta = JSON.parse(out.stdout);
  return meta.schema.filter((c) => !c.unsupported && !c.path.includes('.')).map((c) => c.name);
}

async function compare(conn, file, columns, expectRows, reference = file) {
  const select = columns ? columns.map(ident).join(', ') : '*';
  const reader = await conn.runAndReadAll(`SELECT ${select} FROM read_parquet(${sqlString(reference)})`);
  const names = reader.columnNames();
  const types = reader.columnTypes().map(String);
  const rows = reader.getRows();
  const out = floeDump(file, columns);
  assert.equal(out.status, 0, `${file}: floe-engine failed: ${out.stderr}`);
  const lines = out.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  assert.equal(lines.length, rows.length, `${file}: row count`);
  if (expectRows !== undefined) assert.equal(rows.length, expectRows, `${file}: DuckDB row count`);
  const mismatches = [];
  for (let r = 0; r < rows.length && mismatches.length < 5; r++) {
    const parsed = parseJsonLine(lines[r]);
    for (let c = 0; c < names.length; c++) {
      const ours = floeCanonical(parsed[names[c]], types[c]);
      const theirs = duckdbCanonical(rows[r][c], types[c]);
      if (ours !== theirs) {
        mismatches.push(`row ${r} column ${names[c]} (${types[c]}): floe ${JSON.stringify(ours)} duckdb ${JSON.stringify(theirs)}`);
      }
    }
  }
  assert.deepEqual(mismatches, [], `${file}:\n${mismatches.join('\n')}`);
  return rows.length;
}

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await db.connect();
await conn.run(`SET TimeZone = 'UTC'`);

test('fixtures in tests/data/parquet equal DuckDB', async () => {
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.parquet')).sort();
  assert.ok(files.length >= 30);
  for (const name of files) {
    const file = path.join(dataDir, name);
    if (name === 'nested_lists.snappy.parquet') {
      const out = floeDump(file);
      assert.equal(out.status, 1);
      assert.match(out.stderr, /nested_lists\.snappy\.parquet: unsupported nested column a\.list\.element/);
      const flat = flatColumns(file);
      if (flat.length > 0) await compare(conn, file, flat);
      continue;
    }
    if (name === 'int96_from_spark.parquet') {
      const out = floeDump(file);
      assert.equal(out.status, 1);
      assert.match(out.stderr, /int96_from_spark\.parquet: column 'a': row group 0: page 0: .*INT96.*outside the int64 microsecond range/);
      continue;
    }
    if (name === 'hadoop_lz4_compressed.parquet') {
      // DuckDB cannot read the deprecated Hadoop-framed LZ4 codec; parquet-testing documents
      // that this file holds the same rows as lz4_raw_compressed.parquet, so DuckDB reads that.
      await compare(conn, file, null, undefined, path.join(dataDir, 'lz4_raw_compressed.parquet'));
      continue;
    }
    const all = spawnSync(engine, ['parquet', 'meta', '--json', file], { encoding: 'utf8' });
    const meta = JSON.parse(all.stdout);
    const nested = meta.schema.some((c) => c.unsupported);
    if (nested) {
      const out = floeDump(file);
      assert.equal(out.status, 1);
      assert.match(out.stderr, /unsupported nested column/);
      const flat = flatColumns(file);
      if (flat.length === 0) continue;
      await compare(conn, file, flat);
    } else {
      await compare(conn, file, null);
    }
  }
});

test('the *_expect.csv files match floe CSV output', () => {
  for (const name of fs.readdirSync(dataDir).filter((f) => f.endsWith('_expect.csv'))) {
    const parquet = path.join(dataDir, name.replace('_expect.csv', '.parquet'));
    const out = spawnSync(engine, ['parquet', 'dump', parquet], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(out.status, 0, out.stderr);
    const strip = (t) => t.replace(/\r/g, '').replace(/"/g, '').trimEnd().split('\n').slice(1);
    assert.deepEqual(strip(out.stdout), strip(fs.readFileSync(path.join(dataDir, name), 'utf8')), name);
  }
});

// Every type DuckDB writes; `nulls(k)` makes column k NULL for the chosen fraction.
function tableSql(rows, fraction, extraWhere = '') {
  const nulls = (k) => fraction === 0 ? 'false' : fraction === 1 ? 'true' : `hash(i, ${k}) % 2 = 0`;
  const col = (k, expr, name) => `CASE WHEN ${nulls(k)} THEN NULL ELSE ${expr} END AS ${name}`;
  const ts = `make_timestamp(((hash(i) % 4000000000000000)::BIGINT - 2000000000000000))`;
  return `SELECT
    ${col(1, 'i % 3 = 0', 'c_bool')},
    ${col(2, '(i % 256 - 128)::TINYINT', 'c_tinyint')},
    ${col(3, '(i * 7 % 65536 - 32768)::SMALLINT', 'c_smallint')},
    ${col(4, '((i * 2654435761) % 4294967296 - 2147483648)::INTEGER', 'c_integer')},
    ${col(5, '((hash(i) % 9223372036854775807)::BIGINT * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END))', 'c_bigint')},
    ${col(6, '(i % 256)::UTINYINT', 'c_utinyint')},
    ${col(7, '(i * 7 % 65536)::USMALLINT', 'c_usmallint')},
    ${col(8, '((i * 2654435761) % 4294967296)::UINTEGER', 'c_uinteger')},
    ${col(9, 'hash(i)::UBIGINT', 'c_ubigint')},
    ${col(10, `CASE i % 50 WHEN 3 THEN 'nan'::FLOAT WHEN 4 THEN 'inf'::FLOAT WHEN 5 THEN '-inf'::FLOAT ELSE (i / 7.0 - 100)::FLOAT END`, 'c_float')},
    ${col(11, `CASE i % 50 WHEN 3 THEN 'nan'::DOUBLE WHEN 4 THEN 'inf'::DOUBLE WHEN 6 THEN 1e-300 ELSE (i / 3.0 - 1000)::DOUBLE * 1.000001 END`, 'c_double')},
    ${col(12, '(((i % 19999) - 9999) / 100.0)::DECIMAL(4,2)', 'c_dec4')},
    ${col(13, '((hash(i) % 1999999999999999)::HUGEINT - 999999999999999)::DECIMAL(18,3)', 'c_dec18')},
    ${col(14, '(hash(i)::HUGEINT * 1000 - 9000000000000000000000)::DECIMAL(30,5)', 'c_dec30')},
    ${col(15, `DATE '1970-01-01' + (i % 200000 - 100000)::INTEGER`, 'c_date')},
    ${col(16, ts, 'c_timestamp')},
    ${col(17, `${ts}::TIMESTAMPTZ`, 'c_timestamptz')},
    ${col(18, `${ts}::TIMESTAMP_MS`, 'c_timestamp_ms')},
    ${col(19, `make_timestamp_ns(((hash(i) % 4000000000000000)::BIGINT - 2000000000000000) * 1000 + (i % 1000))`, 'c_timestamp_ns')},
    ${col(20, `CASE i % 6 WHEN 0 THEN 'v' || (i % 40) WHEN 1 THEN 'a,"b"' || i WHEN 2 THEN 'line' || chr(10) || 'x' WHEN 3 THEN '' WHEN 4 THEN 'é ☃ ' || (i % 7) ELSE 'k' || (i % 3) END`, 'c_varchar')},
    ${col(21, `('\\xAA\\x00'::BLOB || (i % 7)::VARCHAR::BLOB)`, 'c_blob')},
    ${col(22, `md5(i::VARCHAR)::UUID`, 'c_uuid')}
  FROM range(${rows}) t(i) ${extraWhere}`;
}

test('a matrix of files written by DuckDB equals DuckDB\'s read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-pq-'));
  const files = [];
  const write = async (name, select, options) => {
    const file = path.join(dir, name);
    await conn.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet, ${options})`);
    files.push(file);
  };
  try {
    for (const codec of ['uncompressed', 'snappy', 'zstd', 'gzip', 'lz4_raw']) {
      await write(`codec_${codec}.parquet`, tableSql(3000, 0.5), `COMPRESSION ${codec}, ROW_GROUP_SIZE 1000`);
    }
    await write('rg1.parquet', tableSql(40, 0.5), 'COMPRESSION snappy, ROW_GROUP_SIZE 1');
    await write('rg100000.parquet', tableSql(120000, 0), 'COMPRESSION snappy, ROW_GROUP_SIZE 100000');
    await write('nulls0.parquet', tableSql(5000, 0), 'COMPRESSION zstd, ROW_GROUP_SIZE 2000');
    await write('nulls100.parquet', tableSql(5000, 1), 'COMPRESSION zstd, ROW_GROUP_SIZE 2000');
    // DuckDB 1.5 has no switch that turns dictionaries off outright; DICTIONARY_SIZE_LIMIT 1
    // makes every dictionary overflow, so chunks fall back to PLAIN.
    await write('nodict.parquet', tableSql(5000, 0.5), 'COMPRESSION snappy, DICTIONARY_SIZE_LIMIT 1');
    await write('v2_snappy.parquet', tableSql(5000, 0.5), 'COMPRESSION snappy, PARQUET_VERSION v2');
    await write('v2_zstd_nulls0.parquet', tableSql(5000, 0), 'COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 3000');
    await write('v2_nodict.parquet', tableSql(3000, 0.5), 'COMPRESSION uncompressed, PARQUET_VERSION v2, DICTIONARY_SIZE_LIMIT 1');
    await write('empty.parquet', tableSql(10, 0.5, 'WHERE i < 0'), 'COMPRESSION snappy');
    await write('long_strings.parquet',
      `SELECT i, repeat('abcdefghij', 10000) || i AS s, CASE WHEN i % 3 = 0 THEN NULL ELSE repeat('é', 50000) END AS u FROM range(30) t(i)`,
      'COMPRESSION zstd, ROW_GROUP_SIZE 7');
    await write('million.parquet',
      `SELECT i::BIGINT AS id, 'k' || (i % 100) AS k, i / 7.0 AS d, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 1000 END::INTEGER AS n FROM range(1000000) t(i)`,
      'COMPRESSION snappy');
    for (const file of files) {
      const rows = await compare(conn, file);
      if (file.endsWith('million.parquet')) assert.equal(rows, 1000000);
      if (file.endsWith('empty.parquet')) assert.equal(rows, 0);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
