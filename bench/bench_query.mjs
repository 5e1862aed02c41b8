// bench_query.mjs — ad-hoc query time of Floe (`floe-engine query`, 1 and 2 threads) against
// DuckDB (SET threads = 1 / 2, read_parquet over the same data files) on the bronze tables that
// `floe-datagen orders` writes. bench/run-query.sh generates the tables and runs this script from
// tests/interop (where @duckdb/node-api is installed):
//
//   node ../../bench/bench_query.mjs --engine BIN --warehouse DIR [--repeat R] [--json-extra JSON]
//
// Method: each (query, threads) runs once per engine to warm the page cache, then R rounds of
// DuckDB then Floe back to back (so load on this shared machine hits both sides alike); the
// median wall time of each is reported. Floe's time is the whole process (start, metadata, scan,
// aggregation, CSV out), measured around /usr/bin/time, which also gives its peak RSS; DuckDB's
// is runAndReadAll in this process over views of read_parquet([files]), files listed from the
// tables' data/ folders (append-only tables: every file there is live, checked against the
// snapshot summary). Results are small (the per-customer query is wrapped in an outer aggregate
// so neither side streams a million rows) and compared: Floe's answer must equal DuckDB's as a
// multiset, decimals as exact numbers. The table's ratio is DuckDB's time over Floe's (above 1:
// Floe is faster). The last line is one JSON object.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalRows, parseCsv } from './answers.mjs';

// Resolve the package from the working directory (tests/interop), not from this file's folder.
const require = createRequire(path.join(process.cwd(), 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

function parseArguments(argv) {
  const options = { repeat: 3, extra: {} };
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${option} needs a value`);
    if (option === '--engine') options.engine = value;
    else if (option === '--warehouse') options.warehouse = value;
    else if (option === '--repeat') options.repeat = Math.max(1, Number(value));
    else if (option === '--json-extra') options.extra = JSON.parse(value);
    else throw new Error(`unknown option ${option}`);
  }
  if (!options.engine || !options.warehouse) throw new Error('needs --engine BIN and --warehouse DIR');
  return options;
}

const queries = [
  {
    name: 'group by region',
    sql: 'SELECT region, SUM(amount_usd) AS total, COUNT(*) AS orders FROM bronze.orders GROUP BY region',
  },
  {
    name: 'group by customer_id',
    sql: 'SELECT COUNT(*) AS customers, SUM(total) AS total, SUM(orders) AS orders FROM ' +
      '(SELECT customer_id, SUM(amount_usd) AS total, COUNT(*) AS orders FROM bronze.orders ' +
      'GROUP BY customer_id) per_customer',
  },
  {
    name: 'group by day, region',
    sql: 'SELECT CAST(ts AS DATE) AS day, region, SUM(amount_usd) AS total, COUNT(*) AS orders ' +
      'FROM bronze.orders GROUP BY CAST(ts AS DATE), region',
  },
  {
    name: 'join customers, by segment',
    sql: 'SELECT c.segment, SUM(o.amount_usd) AS total, COUNT(*) AS orders FROM bronze.orders o ' +
      'JOIN bronze.customers c ON o.customer_id = c.customer_id GROUP BY c.segment',
  },
];

function liveDataFiles(tableDir) {
  const dir = path.join(tableDir, 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => path.join(dir, f));
  const hint = fs.readFileSync(path.join(tableDir, 'metadata', 'version-hint.text'), 'utf8').trim();
  const metadata = JSON.parse(fs.readFileSync(path.join(tableDir, 'metadata', `v${hint}.metadata.json`), 'utf8'));
  const current = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  if (Number(current.summary['total-data-files']) !== files.length) {
    throw new Error(`${tableDir}: data/ holds ${files.length} files, the table ${current.summary['total-data-files']}`);
  }
  return files;
}


function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// GNU time reports the peak RSS of the process it runs (Debian package `time`); without it the
// benchmark still runs and says the RSS is unavailable.
const gnuTime = '/usr/bin/time';
const haveGnuTime = (() => {
  try { fs.accessSync(gnuTime, fs.constants.X_OK); return true; } catch { return false; }
})();

function runFloe(options, sql, threads) {
  const floeArgs = ['--warehouse', options.warehouse, 'query', sql, '--format', 'csv',
    '--threads', String(threads)];
  const started = process.hrtime.bigint();
  const result = haveGnuTime
    ? spawnSync(gnuTime, ['-f', 'FLOE_BENCH_MAXRSS_KB=%M', options.engine, ...floeArgs],
      { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(options.engine, floeArgs, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  const stderr = result.stderr.split('\n');
  const rssLine = stderr.find((l) => l.startsWith('FLOE_BENCH_MAXRSS_KB='));
  const message = stderr.filter((l) => l.length > 0 && !l.startsWith('FLOE_BENCH_MAXRSS_KB=') &&
    !l.startsWith('Command exited with non-zero status')).join(' ');
  if (result.status !== 0) return { error: message || `exit status ${result.status}` };
  return { seconds, rssKb: rssLine ? Number(rssLine.split('=')[1]) : null, output: result.stdout };
}

async function runDuckdb(connection, sql) {
  const started = process.hrtime.bigint();
  const reader = await connection.runAndReadAll(sql);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rows: reader.getRows() };
}

// One (query, threads) cell: a warm-up of each engine, then R rounds of DuckDB then Floe back to
// back, so that a burst of load on this shared machine lands on both sides of a round rather
// than on all of one engine's runs.
async function timeBoth(connection, options, sql, threads) {
  await connection.run(`SET threads = ${threads}`);
  let duck = await runDuckdb(connection, sql);
  let floe = runFloe(options, sql, threads);
  if (floe.error) return { duck, floe };
  const duckTimes = [], floeTimes = [];
  let peak = floe.rssKb ?? 0;
  for (let i = 0; i < options.repeat; i++) {
    duck = await runDuckdb(connection, sql);
    duckTimes.push(duck.seconds);
    floe = runFloe(options, sql, threads);
    if (floe.error) return { duck, floe };
    floeTimes.push(floe.seconds);
    peak = Math.max(peak, floe.rssKb ?? 0);
  }
  return {
    duck: { seconds: median(duckTimes), rows: duck.rows },
    floe: { seconds: median(floeTimes), rssKb: peak, output: floe.output },
  };
}

const fmt = (seconds) => (seconds === undefined || seconds === null ? 'failed' : `${seconds.toFixed(3)} s`);
const ratio = (duck, floe) => (duck && floe ? duck / floe : null);

async function main() {
  const options = parseArguments(process.argv);
  const orders = liveDataFiles(path.join(options.warehouse, 'bronze', 'orders'));
  const customers = liveDataFiles(path.join(options.warehouse, 'bronze', 'customers'));
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  await duck.run('CREATE SCHEMA bronze');
  const list = (files) => files.map((f) => `'${f}'`).join(', ');
  await duck.run(`CREATE VIEW bronze.orders AS SELECT * FROM read_parquet([${list(orders)}])`);
  await duck.run(`CREATE VIEW bronze.customers AS SELECT * FROM read_parquet([${list(customers)}])`);
  const [[rowCount]] = (await duck.runAndReadAll('SELECT count(*) FROM bronze.orders')).getRows();

  const results = [];
  let failures = 0;
  for (const query of queries) {
    const entry = { query: query.name };
    for (const threads of [1, 2]) {
      const { duck: duckdb, floe } = await timeBoth(duck, options, query.sql, threads);
      entry[`duckdb_${threads}t_s`] = duckdb.seconds;
      if (floe.error) {
        entry[`floe_${threads}t_s`] = null;
        entry.error = floe.error;
        failures++;
        continue;
      }
      entry[`floe_${threads}t_s`] = floe.seconds;
      if (floe.rssKb) entry.floe_peak_rss_mb = Math.max(entry.floe_peak_rss_mb ?? 0, floe.rssKb / 1024);
      const reference = canonicalRows(duckdb.rows);
      const mine = canonicalRows(parseCsv(floe.output).rows);
      const agree = JSON.stringify(mine) === JSON.stringify(reference);
      if (!agree) {
        entry.error = `Floe's ${threads}-thread answer differs from DuckDB's: ` +
          `${mine.slice(0, 3).join(' ; ')} vs ${reference.slice(0, 3).join(' ; ')}`;
        failures++;
      }
      entry.agree = (entry.agree ?? true) && agree;
    }
    entry.ratio_1t = ratio(entry.duckdb_1t_s, entry.floe_1t_s);
    entry.ratio_2t = ratio(entry.duckdb_2t_s, entry.floe_2t_s);
    results.push(entry);
  }

  const header = ['query', 'floe 1t', 'floe 2t', 'duckdb 1t', 'duckdb 2t', 'duckdb/floe 1t',
    'duckdb/floe 2t', 'floe peak RSS'];
  const lines = results.map((r) => [r.query, fmt(r.floe_1t_s), fmt(r.floe_2t_s), fmt(r.duckdb_1t_s),
    fmt(r.duckdb_2t_s), r.ratio_1t ? `${r.ratio_1t.toFixed(2)}x` : '-',
    r.ratio_2t ? `${r.ratio_2t.toFixed(2)}x` : '-',
    r.floe_peak_rss_mb ? `${r.floe_peak_rss_mb.toFixed(0)} MB` : '-']);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const show = (cells) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`query benchmark: ${rowCount} orders in ${orders.length} files, ${customers.length} customer file(s); median of ${options.repeat} after a warm-up`);
  console.log(show(header));
  for (const l of lines) console.log(show(l));
  for (const r of results) if (r.error) console.log(`${r.query}: ${r.error}`);
  const peak = Math.max(0, ...results.map((r) => r.floe_peak_rss_mb ?? 0));
  console.log(haveGnuTime ? `Floe peak RSS over all runs: ${peak.toFixed(0)} MB`
    : `Floe peak RSS: unavailable (${gnuTime} missing: install the Debian package "time")`);
  console.log(JSON.stringify({
    benchmark: 'query', orders: Number(rowCount), order_files: orders.length,
    customer_files: customers.length, repeat: options.repeat, ...options.extra,
    floe_peak_rss_mb: haveGnuTime ? peak : null, results,
  }));
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
