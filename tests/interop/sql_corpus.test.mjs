// Description: the SQL corpus, a differential test of Floe's ad-hoc queries against DuckDB 1.5.
// lib/corpus_data.mjs writes deterministic Parquet files with DuckDB (every Floe type, NULLs,
// duplicates, a skewed key, a 20k-row fact table in 3 files, dimensions, IEEE special values, an
// empty table); `floe-engine ingest` loads them into a temporary warehouse as ns.<table>, and
// DuckDB reads the same files through views of the same names (a table whose ingest fails fails
// only the queries that read it, with ingest's error). Each query of lib/corpus_queries.mjs is
// one test, named by its first 60 characters: `floe-engine --warehouse W query SQL --format
// json` and DuckDB run it, and lib/compare.mjs compares the results (multisets, or sequences
// when the ORDER BY keys fix the order; floats within 1e-9 relative; exact numbers exactly).
// Env: FLOE_ENGINE = the floe-engine binary (default ../../build/tools/floe-engine);
// FLOE_CORPUS_KEEP=1 keeps the temporary directory (data and warehouse) and prints its path;
// FLOE_CORPUS_ONLY=<substring> runs only the queries whose SQL contains it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { NAMESPACE, writeCorpusData } from './lib/corpus_data.mjs';
import { QUERIES } from './lib/corpus_queries.mjs';
import { compareResults, duckdbResult, floeRows, rowText } from './lib/compare.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const engine = process.env.FLOE_ENGINE ?? path.resolve(here, '../../build/tools/floe-engine');
const QUERY_TIMEOUT_MS = 120000;

const sqlString = (text) => `'${text.replace(/'/g, "''")}'`;

// One test name per query: its first 60 characters (whitespace collapsed), made unique.
function testNames(queries) {
  const seen = new Map();
  return queries.map((query) => {
    const base = query.sql.replace(/\s+/g, ' ').slice(0, 60);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base} #${count}`;
  });
}

// The ORDER BY outside any parentheses, if the query has one.
function hasTopLevelOrderBy(sql) {
  let depth = 0;
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && /^ORDER\s+BY\b/i.test(text.slice(i, i + 12)) && /\W/.test(text[i - 1] ?? ' ')) return true;
  }
  return false;
}

let directory;
let warehouse;
let dataDirectory;
let connection;
const ingestFailures = new Map(); // table → Floe's error: the queries reading it fail with it

function floe(args) {
  return spawnSync(engine, ['--warehouse', warehouse, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 30, timeout: QUERY_TIMEOUT_MS });
}

before(async () => {
  assert.ok(fs.existsSync(engine), `floe-engine not found at ${engine} (set FLOE_ENGINE)`);
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-corpus-'));
  dataDirectory = path.join(directory, 'data');
  warehouse = path.join(directory, 'warehouse');
  fs.mkdirSync(dataDirectory);
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  connection = await db.connect();
  await connection.run("SET TimeZone = 'UTC'"); // Floe reads TIMESTAMPTZ as UTC
  const files = await writeCorpusData(connection, dataDirectory);
  await connection.run(`CREATE SCHEMA ${NAMESPACE}`);
  for (const [table, list] of Object.entries(files)) {
    const ingest = floe(['ingest', `${NAMESPACE}.${table}`, ...list]);
    if (ingest.status !== 0) ingestFailures.set(table, (ingest.stderr || String(ingest.error)).trim());
    await connection.run(`CREATE VIEW ${NAMESPACE}.${table} AS SELECT * FROM read_parquet([${list.map(sqlString).join(', ')}])`);
  }
  if (process.env.FLOE_CORPUS_KEEP) console.log(`corpus data and warehouse kept in ${directory}`);
});

after(() => {
  if (directory && !process.env.FLOE_CORPUS_KEEP) fs.rmSync(directory, { recursive: true, force: true });
});

test('the corpus: at least 200 queries, each ORDER BY says how its order compares', () => {
  assert.ok(QUERIES.length >= 200, `only ${QUERIES.length} queries`);
  const unannotated = QUERIES.filter((q) => hasTopLevelOrderBy(q.sql) && q.order === undefined).map((q) => q.sql);
  assert.deepEqual(unannotated, [], 'queries with ORDER BY need order: \'total\' or the key columns');
  const misannotated = QUERIES.filter((q) => q.order !== undefined && q.order !== 'none' && !hasTopLevelOrderBy(q.sql)).map((q) => q.sql);
  assert.deepEqual(misannotated, [], 'an order is given but the query has no top-level ORDER BY');
});

const names = testNames(QUERIES);
const only = process.env.FLOE_CORPUS_ONLY;

QUERIES.forEach((query, index) => {
  const skip = only && !query.sql.includes(only) ? 'FLOE_CORPUS_ONLY' : false;
  test(names[index], { skip }, async () => {
    for (const [, table] of query.sql.matchAll(new RegExp(`\\b${NAMESPACE}\\.(\\w+)`, 'g'))) {
      if (ingestFailures.has(table)) assert.fail(`floe-engine ingest ${NAMESPACE}.${table} failed: ${ingestFailures.get(table)}`);
    }
    const sql = query.sql.replaceAll('{data}', dataDirectory);
    const duckSql = (query.duckdb ?? query.sql).replaceAll('{data}', dataDirectory);
    const duck = duckdbResult(await connection.runAndReadAll(duckSql));
    const run = floe(['query', sql, '--format', 'json']);
    const duckText = () => `DuckDB (${duck.rows.length} rows, ${duck.types.join(', ')}):\n` +
      duck.rows.slice(0, 8).map((row) => '  ' + rowText(row)).join('\n');
    if (query.floeError) {
      assert.notEqual(run.status, 0, `Floe should fail (${query.why}) but returned:\n${run.stdout.slice(0, 2000)}`);
      assert.match(run.stderr, query.floeError, `Floe failed with another error than expected (${query.why})`);
      return;
    }
    if (run.error) assert.fail(`floe-engine did not run: ${run.error.message}\n${duckText()}`);
    if (run.status !== 0) assert.fail(`Floe failed (exit ${run.status}): ${run.stderr.trim()}\n${duckText()}`);
    const difference = compareResults(floeRows(run.stdout, duck.types), duck.rows, duck.types, query.order ?? 'none');
    if (difference !== null) {
      assert.fail(`${sql}\n${difference}\ncolumn types (DuckDB): ${duck.types.join(', ')}`);
    }
  });
});
