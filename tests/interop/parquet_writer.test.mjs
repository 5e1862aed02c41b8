// Description: Floe's Parquet writer checked by an independent reader, DuckDB.
//
// The C program tests/tools/test_write_parquet_sample.c writes sample files plus JSONL sidecars
// of the values its generator meant to write; this test reads the files with DuckDB and compares
// every value with the sidecar, checks DuckDB's view of the metadata (field ids, codecs,
// statistics, key-value metadata), and compares file sizes with DuckDB's own writer on the same
// data (target: ours <= 1.2x DuckDB's, ZSTD).
//
// Run (from the repository root, after building):
//   cmake --build build -j2
//   (cd tests/interop && FLOE_BUILD_DIR=../../build node --test parquet_writer.test.mjs)
// FLOE_BUILD_DIR is the build directory holding tests/tools_test_write_parquet_sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const buildDir = path.resolve(process.env.FLOE_BUILD_DIR ?? '../../build');
const program = path.join(buildDir, 'tests', 'tools_test_write_parquet_sample');
const samples = mkdtempSync(path.join(tmpdir(), 'floe-pq-samples-'));

function sidecar(name) {
  return readFileSync(path.join(samples, name), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

let connection;
test.before(async () => {
  assert.ok(existsSync(program), `build the sample writer first: ${program} (set FLOE_BUILD_DIR)`);
  execFileSync(program, { env: { ...process.env, FLOE_PARQUET_SAMPLES_DIR: samples }, stdio: 'pipe' });
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
test.after(() => rmSync(samples, { recursive: true, force: true }));

async function rows(sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

// The sidecar holds floats in shortest text (%.9g for FLOAT); Math.fround rounds a FLOAT's text
// back to the single-precision value DuckDB hands out (as a double).
function sameFloat(actual, expected, single) {
  if (expected === null) return actual === null;
  if (expected === 'NaN') return Number.isNaN(actual);
  if (expected === '-0') return Object.is(actual, -0);
  return actual === (single ? Math.fround(expected) : expected);
}

const typesQuery = (file) => `
  SELECT flag, i32, CAST(i64 AS VARCHAR) AS i64, f32, f64,
         CAST(day - DATE '1970-01-01' AS INTEGER) AS day,
         CAST(epoch_us(ts) AS VARCHAR) AS ts, CAST(epoch_us(tstz) AS VARCHAR) AS tstz,
         CAST(dec9 AS VARCHAR) AS dec9, CAST(dec18 AS VARCHAR) AS dec18,
         CAST(dec38 AS VARCHAR) AS dec38, name, hex(blob) AS blob,
         CAST(row_id AS VARCHAR) AS row_id
  FROM read_parquet('${path.join(samples, file)}') ORDER BY row_id::BIGINT`;

for (const codec of ['zstd', 'snappy', 'uncompressed']) {
  test(`DuckDB reads every type (${codec}) as generated`, async () => {
    const expected = sidecar('types.jsonl');
    const actual = await rows(typesQuery(`types_${codec}.parquet`));
    assert.equal(actual.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i], a = actual[i];
      for (const key of Object.keys(e)) {
        if (key === 'f32' || key === 'f64') {
          assert.ok(sameFloat(a[key], e[key], key === 'f32'), `row ${i} ${key}: ${a[key]} vs ${e[key]}`);
        } else {
          assert.deepEqual(a[key], e[key], `row ${i} ${key}`);
        }
      }
    }
    const meta = await rows(`SELECT DISTINCT compression FROM parquet_metadata('${path.join(samples, `types_${codec}.parquet`)}')`);
    assert.deepEqual(meta.map((r) => r.compression), [codec.toUpperCase()]);
  });
}

// delta_encoding (the option of Floe's refresh files): integers, dates, timestamps and narrow
// decimals DELTA_BINARY_PACKED, the 38-digit decimal DELTA_BYTE_ARRAY, each of those chunks
// without a codec; NULLs, negative decimals and the wrapping deltas of random int64s included.
test('DuckDB reads delta-encoded integer and decimal columns as generated', async () => {
  const expected = sidecar('types.jsonl');
  const file = path.join(samples, 'types_delta.parquet');
  const actual = await rows(typesQuery('types_delta.parquet'));
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    for (const key of Object.keys(expected[i])) {
      if (key === 'f32' || key === 'f64') continue;
      assert.deepEqual(actual[i][key], expected[i][key], `row ${i} ${key}`);
    }
  }
  const chunks = await rows(`SELECT path_in_schema AS name, encodings, compression FROM parquet_metadata('${file}') WHERE row_group_id = 0`);
  const named = (encoding) => chunks.filter((r) => r.encodings.includes(encoding)).map((r) => r.name).sort();
  assert.deepEqual(named('DELTA_BINARY_PACKED'), ['day', 'dec18', 'dec9', 'i32', 'i64', 'row_id', 'ts', 'tstz']);
  assert.deepEqual(named('DELTA_BYTE_ARRAY'), ['dec38']);
  const compressed = chunks.filter((r) => r.compression !== 'UNCOMPRESSED').map((r) => r.name).sort();
  assert.deepEqual(compressed, ['blob', 'f32', 'f64', 'flag', 'name']);
});

test('DuckDB sees field ids, logical types, key-value metadata and created_by', async () => {
  const file = path.join(samples, 'types_zstd.parquet');
  const schema = await rows(`SELECT name, field_id, duckdb_type FROM parquet_schema('${file}') WHERE type IS NOT NULL`);
  const want = [
    ['flag', 'BOOLEAN'], ['i32', 'INTEGER'], ['i64', 'BIGINT'], ['f32', 'FLOAT'], ['f64', 'DOUBLE'],
    ['day', 'DATE'], ['ts', 'TIMESTAMP'], ['tstz', 'TIMESTAMP WITH TIME ZONE'],
    ['dec9', 'DECIMAL(9,2)'], ['dec18', 'DECIMAL(18,4)'], ['dec38', 'DECIMAL(38,10)'],
    ['name', 'VARCHAR'], ['blob', 'BLOB'], ['row_id', 'BIGINT'],
  ];
  assert.deepEqual(schema.map((r) => [r.name, Number(r.field_id), r.duckdb_type]),
    want.map(([name, type], i) => [name, i + 1, type]));
  const kv = await rows(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${file}')`);
  assert.deepEqual(kv, [{ key: 'iceberg.schema', value: '{"type":"struct","schema-id":0,"fields":[]}' }]);
  const fileMeta = await rows(`SELECT created_by, num_rows, num_row_groups FROM parquet_file_metadata('${file}')`);
  assert.equal(fileMeta[0].created_by, 'floe version 0.1.0 (build dev)');
  assert.equal(Number(fileMeta[0].num_rows), 6000);
  assert.equal(Number(fileMeta[0].num_row_groups), 3);
});

test('statistics match what DuckDB computes from the data, per row group', async () => {
  const file = path.join(samples, 'types_zstd.parquet');
  const stats = await rows(`SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count
                            FROM parquet_metadata('${file}')`);
  // DuckDB renders min/max in the column's type; recompute them from the rows of each group.
  for (const column of ['i32', 'i64', 'day', 'dec9', 'dec18', 'dec38', 'name', 'row_id']) {
    for (let group = 0; group < 3; group++) {
      const [truth] = await rows(`SELECT CAST(min(${column}) AS VARCHAR) AS lo, CAST(max(${column}) AS VARCHAR) AS hi,
                                         count(*) - count(${column}) AS nulls
                                  FROM (SELECT * FROM read_parquet('${file}') WHERE row_id >= ${group * 2500} AND row_id < ${(group + 1) * 2500})`);
      const entry = stats.find((s) => Number(s.row_group_id) === group && s.path_in_schema === column);
      assert.equal(Number(entry.stats_null_count), Number(truth.nulls), `${column} group ${group} nulls`);
      if (column === 'day') continue; // rendered as a day count by DuckDB's metadata function
      assert.equal(entry.stats_min_value, truth.lo, `${column} group ${group} min`);
      assert.equal(entry.stats_max_value, truth.hi, `${column} group ${group} max`);
    }
  }
});

test('dictionary fallback file: values and encodings', async () => {
  const file = path.join(samples, 'fallback.parquet');
  const expected = sidecar('fallback.jsonl');
  const actual = await rows(`SELECT s FROM read_parquet('${file}')`);
  assert.deepEqual(actual.map((r) => r.s), expected.map((r) => r.s));
  const meta = await rows(`SELECT encodings, compression FROM parquet_metadata('${file}')`);
  assert.equal(meta[0].compression, 'SNAPPY');
  assert.match(meta[0].encodings, /PLAIN/);
  assert.match(meta[0].encodings, /RLE_DICTIONARY/);
});

test('empty file is a valid Parquet file with the schema', async () => {
  const file = path.join(samples, 'empty.parquet');
  const [count] = await rows(`SELECT count(*) AS n FROM read_parquet('${file}')`);
  assert.equal(Number(count.n), 0);
  const columns = await rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  assert.equal(columns.length, 14);
});

test('realistic table: values, and file size against DuckDB (ZSTD) <= 1.2x', async () => {
  const file = path.join(samples, 'realistic.parquet');
  const expected = sidecar('realistic.jsonl');
  const actual = await rows(`SELECT CAST(id AS VARCHAR) AS id, category, amount, CAST(epoch_us(ts) AS VARCHAR) AS ts,
                                    CAST(price AS VARCHAR) AS price, quantity, region
                             FROM read_parquet('${file}') ORDER BY id`);
  assert.equal(actual.length, 100000);
  for (let i = 0; i < expected.length; i++) {
    assert.deepEqual(actual[i], expected[i], `row ${i}`);
  }
  const duck = path.join(samples, 'realistic_duckdb.parquet');
  await connection.run(`COPY (SELECT * FROM read_parquet('${file}')) TO '${duck}' (FORMAT parquet, COMPRESSION zstd)`);
  const ours = statSync(file).size, theirs = statSync(duck).size;
  const ratio = ours / theirs;
  console.log(`realistic 100k rows, ZSTD: floe ${ours} bytes, DuckDB ${theirs} bytes, ratio ${ratio.toFixed(3)}`);
  for (const codec of ['snappy', 'uncompressed']) {
    const other = path.join(samples, `types_duckdb_${codec}.parquet`);
    await connection.run(`COPY (SELECT * FROM read_parquet('${path.join(samples, `types_${codec}.parquet`)}')) TO '${other}' (FORMAT parquet, COMPRESSION ${codec})`);
    const a = statSync(path.join(samples, `types_${codec}.parquet`)).size, b = statSync(other).size;
    console.log(`types 6k rows, ${codec}: floe ${a} bytes, DuckDB ${b} bytes, ratio ${(a / b).toFixed(3)}`);
  }
  assert.ok(ratio <= 1.2, `floe's file is ${ratio.toFixed(3)}x DuckDB's`);
});
