// bench_parquet_duckdb.mjs — the DuckDB half of `make bench-parquet` (bench/run-parquet.sh).
//   node bench_parquet_duckdb.mjs generate DIR    writes DIR/bench_<codec>.parquet (10M rows)
//                                                 unless present
//   node bench_parquet_duckdb.mjs compare DIR FLOE_RESULTS.jsonl
//       times DuckDB's single-thread scan of each column (SET threads=1;
//       SELECT sum(hash(col)) FROM read_parquet(file): min/max would be answered from the Parquet
//       statistics without decoding; hash+sum forces every value to be decoded), best of 3, prints Floe vs
//       DuckDB side by side; the last line is one JSON object with every figure.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, dir, floeResults] = process.argv.slice(2);
const codecs = ['uncompressed', 'snappy', 'zstd'];
const columns = ['i64', 'f64', 'dict_str', 'ts', 'dec'];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();

if (mode === 'generate') {
  fs.mkdirSync(dir, { recursive: true });
  for (const codec of codecs) {
    const file = path.join(dir, `bench_${codec}.parquet`);
    if (fs.existsSync(file)) continue;
    await conn.run(`COPY (SELECT (hash(i) % 1000000000000)::BIGINT AS i64, i / 7.0 + hash(i) % 1000 AS f64,
        'category_' || (hash(i) % 50) AS dict_str,
        make_timestamp(1600000000000000 + i * 1000) AS ts,
        ((hash(i) % 100000000)::BIGINT / 100.0)::DECIMAL(18,2) AS dec
      FROM range(10000000) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`);
    console.error(`generated ${file}`);
  }
} else if (mode === 'compare') {
  await conn.run('SET threads = 1');
  const floe = fs.readFileSync(floeResults, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const rows = [];
  for (const f of floe) {
    const file = path.join(dir, `bench_${f.codec}.parquet`);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const start = process.hrtime.bigint();
      await conn.runAndReadAll(`SELECT sum(hash(${f.column})) FROM read_parquet('${file}')`);
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    }
    rows.push({ ...f, duckdb_seconds: best, ratio: best / f.seconds });
  }
  console.log('codec         column    Floe Mvalues/s  Floe GB/s  DuckDB s  Floe s   Floe/DuckDB speed');
  for (const r of rows) {
    console.log(`${r.codec.padEnd(13)} ${r.column.padEnd(9)} ${(r.values_per_second / 1e6).toFixed(0).padStart(14)} ${r.gb_per_second.toFixed(2).padStart(10)} ${r.duckdb_seconds.toFixed(3).padStart(9)} ${r.seconds.toFixed(3).padStart(7)} ${r.ratio.toFixed(2).padStart(8)}`);
  }
  console.log(JSON.stringify({ bench: 'parquet', duckdb_scan: 'SELECT sum(hash(col)), threads=1', results: rows }));
}
