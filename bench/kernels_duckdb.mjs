// kernels_duckdb.mjs — DuckDB's in-memory GROUP BY SUM over N rows of BIGINT keys with G groups
// and DOUBLE values, single-threaded (SET threads = 1), for bench_kernels' Floe/DuckDB ratios.
// Run from tests/interop (where @duckdb/node-api is installed): node ../../bench/kernels_duckdb.mjs N
// Prints one line per group count and, last, a JSON object {"1k": rows/s, "1m": ..., "50m": ...}.
import { createRequire } from 'node:module';
import path from 'node:path';

// Resolve the package from the working directory (tests/interop), not from this file's folder.
const require = createRequire(path.join(process.cwd(), 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const rows = Number(process.argv[2] ?? 100000000);
const groupCounts = [['1k', 1000], ['1m', 1000000], ['50m', 50000000]];

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run('SET threads = 1');
const result = {};
for (const [label, requested] of groupCounts) {
  const groups = Math.min(requested, rows);
  await connection.run('DROP TABLE IF EXISTS t');
  await connection.run(
    `CREATE TABLE t AS SELECT (i % ${groups})::BIGINT AS k, random() AS v FROM range(${rows}) r(i)`);
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = process.hrtime.bigint();
    // Aggregating the grouped result keeps DuckDB from streaming millions of rows to JavaScript
    // while still materializing every group.
    const reader = await connection.runAndReadAll(
      'SELECT count(*), sum(s) FROM (SELECT k, sum(v) AS s FROM t GROUP BY k)');
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (Number(reader.getRows()[0][0]) !== groups) throw new Error(`expected ${groups} groups`);
    best = Math.min(best, elapsed);
  }
  result[label] = rows / best;
  console.log(`duckdb GROUP BY SUM ${label} groups (${groups}): ${(rows / best / 1e6).toFixed(1)} M rows/s (best of 3, threads=1)`);
}
console.log(JSON.stringify(result));
