// refresh_bench.mjs — incremental refresh against full recompute (issue #7 "Speed", issue #8
// items 3 and 4): Floe's incremental refresh of a dynamic table after an append to its source,
// against Floe's own full refresh of the same table (`refresh --full`) and DuckDB's full
// recompute of the same query over the same Parquet files (1 and 2 threads), side by side in
// one run. bench/run-refresh.sh and bench/run-bench.sh prepare the lakes and run this script
// from tests/interop (where @duckdb/node-api is installed):
//
//   node ../../bench/refresh_bench.mjs --engine BIN --datagen BIN --timer BIN --warehouse DIR --rows N
//        [--deltas 0.1,1,10] [--repeat R] [--repeat-large R] [--full-repeat R]
//        [--tables region,customer,join,filter] [--chain]
//        [--growth-warehouse DIR --growth-rows N] [--exact-limit ROWS]
//        [--freshness-warehouse DIR --freshness-commits N --freshness-rows N]
//        [--json-out FILE] [--json-extra JSON]
//
// The warehouse is a working copy of a floe-datagen `orders` lake (bronze.orders of --rows
// rows, bronze.customers) holding no dynamic table yet; this script creates them and appends to
// bronze.orders with `floe-datagen orders --append`, so the copy is spent afterwards.
//
// Method. For each delta (a percentage of --rows, so a fixed row count per delta), R times:
// append the delta as one snapshot, then refresh each dynamic table alone, timing the whole
// floe-engine process (start, metadata, change detection, read, state, write, commit, exit)
// with bench/process_timer.c, from fork to reap, with its peak RSS; the median is reported with the mode the refresh line showed
// ("incremental" or "full (reason)") and what the snapshot summary says it read
// (floe.rows-read, floe.files-read, floe.bytes-read) and the engine's own floe.duration-ms.
// Every repeat appends again, so the history grows while the benchmark runs: each row reports
// the history it was measured on. Then, on that same history: the dynamic table's rows are
// checked against DuckDB's answer to its query over the current data files (exactly, as
// multisets, when the answer has at most --exact-limit rows; above that by a fingerprint —
// row count, sums of the numeric columns and of string lengths — taken by `floe-engine query`
// over the dynamic table); DuckDB's full recompute is timed as COPY (query) TO a Parquet file
// (a full recompute materializes the table, as Floe's full refresh does), median of
// --full-repeat after the check's run warmed the page cache; Floe's full refresh is timed
// (`refresh TABLE --full`, median of --full-repeat) and its result checked again.
//
// History growth (--growth-warehouse): after the sweep, the same fixed delta (1% of --rows)
// appended R times to a lake of --growth-rows history and to the main lake in turn, GROUP BY
// region and customer_id refreshed after each; the ratio of the median refresh times, large
// history over small, is reported (target <= 1.3). Interleaving keeps both sides under the same
// machine load.
//
// Freshness (--freshness-warehouse): `floe-engine run` (the scheduler) over a lake with one
// dynamic table (GROUP BY region, TARGET_LAG = '1 second'); --freshness-commits appends of --freshness-rows rows, one at
// a time, each waited for until the dynamic table commits a snapshot whose summary records
// floe.source.bronze.orders.snapshot-id = the appended snapshot. Freshness is that snapshot's
// timestamp-ms minus the source snapshot's timestamp-ms (both from metadata JSON); median and
// p99, with polling only (`run --interval 1 --no-watch`) and push (inotify: `run --interval 60`,
// so a commit is seen through the watch, never by the poll). When the
// binary has no `run` yet, the section says so and the rest of the benchmark still counts.
//
// Exit status: 1 when a refresh fails or any answer differs from DuckDB's (the check is the
// point of `make test-bench-refresh`); a refresh that runs full where incremental was hoped is
// reported, not failed. The last line of stdout is one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalRows, parseCsv } from './answers.mjs';

// Resolve the package from the working directory (tests/interop), not from this file's folder.
const require = createRequire(path.join(process.cwd(), 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

function parseArguments(argv) {
  const options = {
    deltas: [0.1, 1, 10], repeat: 3, repeatLarge: 1, fullRepeat: 1, exactLimit: 300000,
    tables: ['region', 'customer', 'join', 'filter'], chain: false, extra: {},
    freshnessCommits: 100, freshnessRows: 1000,
  };
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i];
    if (option === '--chain') { options.chain = true; continue; }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${option} needs a value`);
    const number = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${option}: '${value}' is not a number`);
      return n;
    };
    if (option === '--engine') options.engine = value;
    else if (option === '--datagen') options.datagen = value;
    else if (option === '--timer') options.timer = value;
    else if (option === '--warehouse') options.warehouse = value;
    else if (option === '--rows') options.rows = number();
    else if (option === '--deltas') options.deltas = value.split(',').filter((d) => d !== '').map(Number);
    else if (option === '--repeat') options.repeat = Math.max(1, number());
    else if (option === '--repeat-large') options.repeatLarge = Math.max(1, number());
    else if (option === '--full-repeat') options.fullRepeat = Math.max(1, number());
    else if (option === '--tables') options.tables = value.split(',').filter((t) => t !== '');
    else if (option === '--growth-warehouse') options.growthWarehouse = value;
    else if (option === '--growth-rows') options.growthRows = number();
    else if (option === '--exact-limit') options.exactLimit = number();
    else if (option === '--freshness-warehouse') options.freshnessWarehouse = value;
    else if (option === '--freshness-commits') options.freshnessCommits = Math.max(1, number());
    else if (option === '--freshness-rows') options.freshnessRows = Math.max(1, number());
    else if (option === '--json-out') options.jsonOut = value;
    else if (option === '--json-extra') options.extra = JSON.parse(value);
    else throw new Error(`unknown option ${option}`);
  }
  if (!options.engine || !options.datagen || !options.timer) throw new Error('needs --engine BIN, --datagen BIN and --timer BIN (floe-process-timer)');
  if (!options.warehouse && !options.freshnessWarehouse) throw new Error('needs --warehouse DIR (or --freshness-warehouse DIR)');
  if (options.warehouse && !options.rows) throw new Error('--warehouse needs --rows N (the history it holds)');
  if (options.deltas.some((d) => !(d > 0))) throw new Error('--deltas: percentages above 0, comma separated');
  for (const t of options.tables) if (!TABLES[t]) throw new Error(`--tables: unknown table ${t} (${Object.keys(TABLES).join(', ')})`);
  if (options.growthWarehouse && !options.growthRows) throw new Error('--growth-warehouse needs --growth-rows N');
  return options;
}

// The benchmark's dynamic tables. `sql` is the SELECT of the CREATE (Floe) and, over views of the
// same data files, DuckDB's full recompute; `duckSql` replaces it where the table reads another
// dynamic table (DuckDB evaluates the chain from the source). `targets`: issue #7's ratios at a
// delta percentage, incremental against Floe full / DuckDB with 2 threads.
const TABLES = {
  region: {
    name: 'default.bench_by_region', label: 'GROUP BY region',
    sql: 'SELECT region, COUNT(*) AS orders, SUM(amount_usd) AS total FROM bronze.orders GROUP BY region',
    targets: { 1: { floe: 50, duck: 20 } },
  },
  customer: {
    name: 'default.bench_by_customer', label: 'GROUP BY customer_id',
    sql: 'SELECT customer_id, COUNT(*) AS orders, SUM(amount_usd) AS total FROM bronze.orders GROUP BY customer_id',
    targets: { 1: { duck: 10 }, 0.1: { duck: 30 } },
  },
  join: {
    name: 'default.bench_by_segment', label: 'orders JOIN customers BY segment',
    sql: 'SELECT c.segment, COUNT(*) AS orders, SUM(o.amount_usd) AS total FROM bronze.orders o ' +
      'JOIN bronze.customers c ON o.customer_id = c.customer_id GROUP BY c.segment',
    targets: { 1: { floe: 50, duck: 20 } },
  },
  filter: {
    name: 'default.bench_large_orders', label: 'filter-project (amount > 1000)',
    sql: 'SELECT order_id, customer_id, amount_usd, region FROM bronze.orders WHERE amount_usd > 1000',
    targets: { 1: { floe: 50, duck: 20 } },
  },
};

// The three-table chain of issue #8: silver over orders, gold over silver, platinum over gold.
const SILVER_SQL = 'SELECT region, CAST(ts AS DATE) AS day, SUM(amount_usd) AS total, COUNT(*) AS orders ' +
  'FROM bronze.orders GROUP BY region, CAST(ts AS DATE)';
const GOLD_OVER = (from) => `SELECT region, SUM(total) AS total, SUM(orders) AS orders FROM ${from} GROUP BY region`;
const PLATINUM_OVER = (from) => `SELECT COUNT(*) AS regions, SUM(total) AS total, SUM(orders) AS orders FROM ${from}`;
const CHAIN = [
  { key: 'chain_silver', name: 'default.bench_chain_silver', label: 'chain: silver (orders by region, day)', sql: SILVER_SQL },
  {
    key: 'chain_gold', name: 'default.bench_chain_gold', label: 'chain: gold (silver by region)',
    sql: GOLD_OVER('default.bench_chain_silver'), duckSql: GOLD_OVER(`(${SILVER_SQL}) silver`),
  },
  {
    key: 'chain_platinum', name: 'default.bench_chain_platinum', label: 'chain: platinum (gold totals)',
    sql: PLATINUM_OVER('default.bench_chain_gold'),
    duckSql: PLATINUM_OVER(`(${GOLD_OVER(`(${SILVER_SQL}) silver`)}) gold`),
  },
];

// ---- processes --------------------------------------------------------------------------------

// Runs floe-engine (or floe-datagen) to completion under floe-process-timer
// (bench/process_timer.c): the process's wall time from fork to reap and its peak RSS, stdout,
// or an error. The timer's own figure leaves out what Node.js spends spawning it.
function runTool(timer, binary, args) {
  const result = spawnSync(timer, [binary, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  const stderr = result.stderr.split('\n');
  const timed = stderr.find((l) => l.startsWith('FLOE_BENCH_PROCESS '));
  const field = (name) => timed ? Number(timed.match(new RegExp(`${name}=(\\d+)`))[1]) : null;
  const message = stderr.filter((l) => l.length > 0 && !l.startsWith('FLOE_BENCH_PROCESS ')).join(' ');
  const run = { seconds: field('wall_ns') / 1e9, rssKb: field('maxrss_kb'), stdout: result.stdout, stderr: message };
  if (result.status !== 0 || !timed) run.error = `${path.basename(binary)} ${args.slice(2).join(' ')}: ${message || `exit status ${result.status}`}`;
  return run;
}

function engine(options, warehouse, ...args) {
  return runTool(options.timer, options.engine, ['--warehouse', warehouse, ...args]);
}

function mustEngine(options, warehouse, ...args) {
  const run = engine(options, warehouse, ...args);
  if (run.error) throw new Error(run.error);
  return run;
}

function append(options, warehouse, rows) {
  const run = runTool(options.timer, options.datagen, ['orders', '--warehouse', warehouse, '--append', String(rows)]);
  if (run.error) throw new Error(run.error);
  return run;
}

// ---- the lake's metadata ----------------------------------------------------------------------

function tableDirectory(warehouse, name) {
  const [namespace, table] = name.split('.');
  return path.join(warehouse, namespace, table);
}

// Snapshot ids are 64-bit: read as text (a JavaScript number would round them, and a rounded
// id would never equal the one a summary records as a string).
function currentMetadata(tableDir) {
  const hint = fs.readFileSync(path.join(tableDir, 'metadata', 'version-hint.text'), 'utf8').trim();
  const text = fs.readFileSync(path.join(tableDir, 'metadata', `v${hint}.metadata.json`), 'utf8');
  return JSON.parse(text.replace(/("(?:current-snapshot-id|snapshot-id|parent-snapshot-id)"\s*:\s*)(-?\d+)/g, '$1"$2"'));
}

function currentSnapshot(tableDir) {
  const metadata = currentMetadata(tableDir);
  return metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']) ?? null;
}

// The orders table is append-only here: every file in data/ is live (checked against the summary).
function liveDataFiles(tableDir) {
  const dir = path.join(tableDir, 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => path.join(dir, f));
  const summary = currentSnapshot(tableDir).summary;
  if (Number(summary['total-data-files']) !== files.length) {
    throw new Error(`${tableDir}: data/ holds ${files.length} files, the table ${summary['total-data-files']}`);
  }
  return { files, rows: Number(summary['total-records']), bytes: Number(summary['total-files-size']) };
}

// "ns.t: refresh 4, incremental: ..." / "ns.t: refresh 4, full (reason): ..." (engine/refresh.c).
function refreshLines(stdout) {
  const lines = new Map();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+): refresh (\d+), (incremental|full)(?: \((.*)\))?: /.exec(line);
    if (match) lines.set(match[1], { mode: match[3] === 'incremental' ? 'incremental' : `full (${match[4]})`, line });
    else if (/^(\S+): up to date/.test(line)) lines.set(line.split(':')[0], { mode: 'up to date', line });
  }
  return lines;
}

function refreshCounts(warehouse, name) {
  const summary = currentSnapshot(tableDirectory(warehouse, name)).summary;
  const number = (key) => (summary[key] === undefined ? null : Number(summary[key]));
  return {
    rows_read: number('floe.rows-read'), files_read: number('floe.files-read'),
    bytes_read: number('floe.bytes-read'), rows_written: number('floe.rows-written'),
    engine_ms: number('floe.duration-ms'), buckets_touched: number('floe.buckets-touched'),
    bucket_count: number('floe.bucket-count'),
  };
}

// ---- answers ----------------------------------------------------------------------------------


// The fingerprint of a large answer: its row count, the sum of each numeric column and the
// total length of each string column, evaluated by both engines over their own copy.
function fingerprintSql(columns, from) {
  const parts = ['COUNT(*) AS row_count'];
  for (const { name, numeric } of columns) parts.push(numeric ? `SUM(${name}) AS sum_${name}` : `SUM(length(${name})) AS length_${name}`);
  return `SELECT ${parts.join(', ')} FROM ${from}`;
}

async function columnsOf(duck, sql) {
  const reader = await duck.runAndReadAll(`DESCRIBE ${sql}`);
  return reader.getRows().map(([name, type]) => ({
    name: String(name), numeric: /INT|DECIMAL|DOUBLE|FLOAT|NUMERIC/i.test(String(type)),
  }));
}

// Compares the dynamic table's rows with DuckDB's answer on the same history; returns null when
// they agree, else what differs.
function checkTable(options, warehouse, table, reference) {
  if (reference.rowCount <= options.exactLimit) {
    const dump = mustEngine(options, warehouse, 'table', 'dump', table.name, '--format', 'csv');
    const { header, rows } = parseCsv(dump.stdout);
    const lineage = header.indexOf('_floe_refresh');
    const mine = canonicalRows(rows.map((r) => r.filter((_, c) => c !== lineage)));
    if (mine.length !== reference.rows.length) return `${mine.length} rows, DuckDB ${reference.rows.length}`;
    for (let i = 0; i < mine.length; i++) {
      if (mine[i] !== reference.rows[i]) return `row "${mine[i]}" where DuckDB has "${reference.rows[i]}"`;
    }
    return null;
  }
  const query = mustEngine(options, warehouse, 'query', fingerprintSql(reference.columns, table.name), '--format', 'csv');
  const mine = canonicalRows(parseCsv(query.stdout).rows)[0];
  return mine === reference.fingerprint ? null : `fingerprint ${mine}, DuckDB ${reference.fingerprint}`;
}

// DuckDB's answer to a table's query over the current files: exact rows when small enough,
// else its fingerprint (the large answer is counted, never carried into JavaScript).
async function duckReference(options, duck, table) {
  const sql = table.duckSql ?? table.sql;
  const [[count]] = (await duck.runAndReadAll(`SELECT COUNT(*) FROM (${sql}) answer`)).getRows();
  const rowCount = Number(count);
  if (rowCount <= options.exactLimit) return { rowCount, rows: canonicalRows((await duck.runAndReadAll(sql)).getRows()) };
  const columns = await columnsOf(duck, sql);
  const [fingerprint] = canonicalRows((await duck.runAndReadAll(fingerprintSql(columns, `(${sql}) answer`))).getRows());
  return { rowCount, columns, fingerprint };
}

// ---- timing -----------------------------------------------------------------------------------

function median(values) {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return null;
  const sorted = [...present].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function pointDuckAtFiles(duck, warehouse) {
  const orders = liveDataFiles(path.join(warehouse, 'bronze', 'orders'));
  const customers = liveDataFiles(path.join(warehouse, 'bronze', 'customers'));
  const list = (files) => files.map((f) => `'${f}'`).join(', ');
  await duck.run(`CREATE OR REPLACE VIEW bronze.orders AS SELECT * FROM read_parquet([${list(orders.files)}])`);
  await duck.run(`CREATE OR REPLACE VIEW bronze.customers AS SELECT * FROM read_parquet([${list(customers.files)}])`);
  return orders;
}

async function timeDuckFull(duck, sql, threads, repeat, scratch) {
  await duck.run(`SET threads = ${threads}`);
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    await duck.run(`COPY (${sql}) TO '${scratch}' (FORMAT parquet)`);
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  fs.rmSync(scratch, { force: true });
  return median(times);
}

// ---- the sweep over deltas --------------------------------------------------------------------

// `clauses`: what goes between the name and AS (the freshness table's TARGET_LAG).
function createTables(options, warehouse, tables, clauses = '') {
  const created = [];
  for (const table of tables) {
    const run = mustEngine(options, warehouse, 'sql', `CREATE DYNAMIC TABLE ${table.name} ${clauses}AS ${table.sql}`);
    created.push({ table: table.key, seconds: run.seconds, rss_mb: run.rssKb ? run.rssKb / 1024 : null });
  }
  return created;
}

// One refresh of `names` (the last one named; upstreams come first in its output): wall time and
// RSS of the process, and per table its mode and the summary's counts.
function refreshOnce(options, warehouse, tables, full) {
  const last = tables[tables.length - 1];
  const run = engine(options, warehouse, 'refresh', last.name, ...(full ? ['--full'] : []));
  if (run.error) return { error: run.error };
  const lines = refreshLines(run.stdout);
  const perTable = {};
  for (const table of tables) {
    const seen = lines.get(table.name);
    if (!seen) return { error: `${table.name}: no refresh line in "${run.stdout.trim()}"` };
    perTable[table.key] = { mode: seen.mode, ...refreshCounts(warehouse, table.name) };
  }
  return { seconds: run.seconds, rss_mb: run.rssKb ? run.rssKb / 1024 : null, perTable };
}

// The groups of tables refreshed by one floe-engine process each: every benchmark table alone,
// and the chain as one `refresh platinum` (upstreams first).
function refreshGroups(options) {
  const groups = options.tables.map((key) => [{ key, ...TABLES[key] }]);
  if (options.chain) groups.push(CHAIN);
  return groups;
}

async function sweep(options, duck, failures) {
  const warehouse = options.warehouse;
  const groups = refreshGroups(options);
  const created = createTables(options, warehouse, groups.flat());
  const scratch = path.join(os.tmpdir(), `floe-refresh-bench-${process.pid}.parquet`);
  const rows = [];
  for (const percent of options.deltas) {
    const deltaRows = Math.max(1, Math.round((options.rows * percent) / 100));
    const repeats = percent >= 10 ? options.repeatLarge : options.repeat;
    const samples = new Map(groups.flat().map((t) => [t.key, []]));
    const groupWall = new Map(groups.map((g) => [g[g.length - 1].key, []]));
    for (let r = 0; r < repeats; r++) {
      append(options, warehouse, deltaRows);
      for (const group of groups) {
        const refreshed = refreshOnce(options, warehouse, group, false);
        if (refreshed.error) { failures.push(refreshed.error); continue; }
        groupWall.get(group[group.length - 1].key).push({ seconds: refreshed.seconds, rss_mb: refreshed.rss_mb });
        for (const table of group) samples.get(table.key).push(refreshed.perTable[table.key]);
      }
    }
    const history = await pointDuckAtFiles(duck, warehouse);
    for (const group of groups) {
      const wall = groupWall.get(group[group.length - 1].key);
      const fullRuns = [];
      const references = new Map();
      for (const table of group) {
        const reference = await duckReference(options, duck, table);
        references.set(table.key, reference);
        const wrong = checkTable(options, warehouse, table, reference);
        if (wrong) failures.push(`${table.name} after the ${percent}% incremental refreshes: ${wrong}`);
      }
      for (let r = 0; r < options.fullRepeat; r++) {
        const refreshed = refreshOnce(options, warehouse, group, true);
        if (refreshed.error) { failures.push(refreshed.error); break; }
        fullRuns.push(refreshed);
      }
      for (const table of group) {
        if (fullRuns.length > 0) {
          const wrong = checkTable(options, warehouse, table, references.get(table.key));
          if (wrong) failures.push(`${table.name} after a full refresh at ${percent}%: ${wrong}`);
        }
      }
      for (const table of group) {
        const incremental = samples.get(table.key);
        const sql = table.duckSql ?? table.sql;
        const duck1 = await timeDuckFull(duck, sql, 1, options.fullRepeat, scratch);
        const duck2 = await timeDuckFull(duck, sql, 2, options.fullRepeat, scratch);
        const alone = group.length === 1;
        const modes = [...new Set(incremental.map((s) => s.mode))];
        const pick = (key) => median(incremental.map((s) => s[key]));
        const fullEngine = median(fullRuns.map((f) => f.perTable[table.key].engine_ms));
        const row = {
          table: table.key, label: table.label, delta_percent: percent, delta_rows: deltaRows,
          history_rows: history.rows, history_files: history.files.length, repeats: incremental.length,
          mode: modes.join(' / '),
          // A table refreshed alone is timed by its process; a chain member by its engine time.
          incremental_s: alone ? median(wall.map((w) => w.seconds)) : (pick('engine_ms') ?? 0) / 1000,
          incremental_engine_ms: pick('engine_ms'),
          incremental_rss_mb: alone ? median(wall.map((w) => w.rss_mb)) : null,
          rows_read: pick('rows_read'), files_read: pick('files_read'), bytes_read: pick('bytes_read'),
          rows_written: pick('rows_written'), buckets_touched: pick('buckets_touched'),
          bucket_count: pick('bucket_count'),
          floe_full_s: alone ? median(fullRuns.map((f) => f.seconds)) : (fullEngine ?? 0) / 1000,
          floe_full_engine_ms: fullEngine,
          floe_full_rss_mb: alone ? median(fullRuns.map((f) => f.rss_mb)) : null,
          floe_full_rows_read: median(fullRuns.map((f) => f.perTable[table.key].rows_read)),
          duckdb_1t_s: duck1, duckdb_2t_s: duck2, answer_rows: references.get(table.key).rowCount,
          check: references.get(table.key).rows ? 'exact' : 'fingerprint',
        };
        if (!alone) row.chain_wall_s = median(wall.map((w) => w.seconds));
        row.vs_floe_full = row.incremental_s && row.floe_full_s ? row.floe_full_s / row.incremental_s : null;
        row.vs_duckdb_1t = row.incremental_s ? duck1 / row.incremental_s : null;
        row.vs_duckdb_2t = row.incremental_s ? duck2 / row.incremental_s : null;
        const target = table.targets?.[percent];
        if (target) {
          row.target = target;
          row.meets_target = (!target.floe || row.vs_floe_full >= target.floe) && (!target.duck || row.vs_duckdb_2t >= target.duck);
        }
        rows.push(row);
      }
    }
  }
  return { created, rows };
}

// ---- history growth ---------------------------------------------------------------------------

// The same delta appended to the small and the large lake in turn, each refreshed at once, so
// both sides of the ratio are timed under the same machine load (the sweep's rows are not).
function growth(options, failures) {
  const deltaRows = Math.max(1, Math.round(options.rows / 100));
  const tables = ['region', 'customer'].filter((key) => options.tables.includes(key)).map((key) => ({ key, ...TABLES[key] }));
  createTables(options, options.growthWarehouse, tables);
  const lakes = [['small', options.growthWarehouse], ['large', options.warehouse]];
  const samples = new Map(tables.flatMap((t) => lakes.map(([size]) => [`${t.key} ${size}`, { times: [], modes: new Set() }])));
  for (let r = 0; r < options.repeat; r++) {
    for (const [size, warehouse] of lakes) {
      append(options, warehouse, deltaRows);
      for (const table of tables) {
        const refreshed = refreshOnce(options, warehouse, [table], false);
        if (refreshed.error) { failures.push(refreshed.error); continue; }
        const sample = samples.get(`${table.key} ${size}`);
        sample.times.push(refreshed.seconds);
        sample.modes.add(refreshed.perTable[table.key].mode);
      }
    }
  }
  const history = Object.fromEntries(lakes.map(([size, warehouse]) => [size, liveDataFiles(path.join(warehouse, 'bronze', 'orders')).rows]));
  return tables.map((table) => {
    const small = samples.get(`${table.key} small`), large = samples.get(`${table.key} large`);
    const smallSeconds = median(small.times), largeSeconds = median(large.times);
    return {
      table: table.key, delta_rows: deltaRows, repeats: options.repeat,
      small_history_rows: history.small, small_s: smallSeconds, small_mode: [...small.modes].join(' / '),
      large_history_rows: history.large, large_s: largeSeconds, large_mode: [...large.modes].join(' / '),
      ratio: smallSeconds && largeSeconds ? largeSeconds / smallSeconds : null, target: 1.3,
    };
  });
}

// ---- freshness under `floe-engine run` ---------------------------------------------------------

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function waitFor(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) return null;
    await sleep(5);
  }
}

// The snapshot of `dynamicDir` that consumed source snapshot `sourceId`, read from metadata JSON
// (a version being published may be half-read: then try again).
function consumedBy(dynamicDir, sourceKey, sourceId) {
  try {
    const metadata = currentMetadata(dynamicDir);
    return metadata.snapshots.find((s) => s.summary?.[sourceKey] === sourceId) ?? null;
  } catch { return null; }
}

async function freshness(options, failures) {
  const warehouse = options.freshnessWarehouse;
  const help = engine(options, warehouse, 'run', '--help');
  if (help.error && /not yet available/.test(help.error)) {
    return { available: false, note: '`floe-engine run` is not in this build yet: freshness not measured' };
  }
  // The tightest target lag, so that the scheduler refreshes at every poll (or push) and the
  // figure is its reaction time, not its batching of commits within a longer lag.
  const table = { key: 'region', ...TABLES.region };
  createTables(options, warehouse, [table], "TARGET_LAG = '1 second' ");
  const sourceDir = path.join(warehouse, 'bronze', 'orders');
  const dynamicDir = tableDirectory(warehouse, table.name);
  const sourceKey = 'floe.source.bronze.orders.snapshot-id';
  const result = {
    available: true, commits: options.freshnessCommits, append_rows: options.freshnessRows, modes: {},
    note: 'polling is run --interval 1 --no-watch; push is run --interval 60 with inotify',
  };
  for (const [mode, interval, extra] of [['polling', 1, ['--no-watch']], ['push', 60, []]]) {
    const child = spawn(options.engine, ['--warehouse', warehouse, 'run', '--interval', String(interval), ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk) => { log += chunk; });
    child.stderr.on('data', (chunk) => { log += chunk; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let ended = false;
    exited.then(() => { ended = true; });
    const latencies = [];
    let missed = 0;
    for (let i = 0; i < options.freshnessCommits && !ended; i++) {
      append(options, warehouse, options.freshnessRows);
      const source = currentSnapshot(sourceDir);
      const consumed = await waitFor(() => ended || consumedBy(dynamicDir, sourceKey, source['snapshot-id']), (interval + 30) * 1000);
      if (ended) { failures.push(`run --interval ${interval} exited by itself: ${log.trim().split('\n').slice(-2).join(' ')}`); break; }
      if (!consumed) { missed++; if (missed >= 3) break; continue; }
      latencies.push(consumed['timestamp-ms'] - source['timestamp-ms']);
    }
    const endedBeforeSignal = ended;
    child.kill('SIGTERM');
    const stopping = Date.now();
    let timer;
    const exit = await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(() => resolve(null), 30000); })]);
    clearTimeout(timer);
    const stopMs = Date.now() - stopping;
    if (exit === null) { child.kill('SIGKILL'); failures.push(`run --interval ${interval}: still running 30 s after SIGTERM`); }
    else if (exit.code !== 0 && !endedBeforeSignal) failures.push(`run --interval ${interval}: exit ${exit.code ?? exit.signal} after SIGTERM: ${log.trim().split('\n').slice(-2).join(' ')}`);
    if (missed > 0) failures.push(`run --interval ${interval}: ${missed} append(s) not consumed within ${interval + 30} s`);
    result.modes[mode] = {
      interval_s: interval, measured: latencies.length,
      median_ms: latencies.length ? median(latencies) : null,
      p99_ms: latencies.length ? percentile(latencies, 99) : null,
      exit_after_sigterm_ms: exit === null ? null : stopMs,
    };
  }
  result.history_rows = liveDataFiles(sourceDir).rows;
  return result;
}

// ---- report -----------------------------------------------------------------------------------

const seconds = (s) => (s === null || s === undefined ? '-' : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const times = (x) => (x === null || x === undefined ? '-' : `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}x`);
const megabytes = (m) => (m === null || m === undefined ? '-' : `${m.toFixed(0)} MB`);
const bytes = (b) => (b === null || b === undefined ? '-' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`);

function targetText(row) {
  if (!row.target) return '';
  const parts = [];
  if (row.target.floe) parts.push(`>=${row.target.floe}x floe`);
  if (row.target.duck) parts.push(`>=${row.target.duck}x duck2t`);
  return `${parts.join(', ')}: ${row.meets_target ? 'met' : 'MISSED'}`;
}

function printTable(header, lines) {
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => String(l[c]).length)));
  const show = (cells) => cells.map((cell, c) => (c <= 1 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ').trimEnd();
  console.log(show(header));
  for (const l of lines) console.log(show(l));
}

function printSweep(result) {
  printTable(
    ['table', 'mode', 'delta', 'history', 'incr', 'of it engine', 'floe full', 'duck 1t', 'duck 2t', 'full/incr',
      'duck2t/incr', 'incr RSS', 'full RSS', 'read (rows, files, bytes)', 'state buckets', 'check',
      'target at this delta'],
    result.rows.map((r) => [r.table, r.mode.length > 60 ? `${r.mode.slice(0, 57)}...` : r.mode,
      `${r.delta_percent}% ${r.delta_rows}`, `${r.history_rows}`, seconds(r.incremental_s),
      r.incremental_engine_ms === null ? '-' : `${r.incremental_engine_ms} ms`,
      seconds(r.floe_full_s), seconds(r.duckdb_1t_s), seconds(r.duckdb_2t_s), times(r.vs_floe_full),
      times(r.vs_duckdb_2t), megabytes(r.incremental_rss_mb), megabytes(r.floe_full_rss_mb),
      `${r.rows_read ?? '-'}, ${r.files_read ?? '-'}, ${bytes(r.bytes_read)}`,
      r.bucket_count === null ? '-' : `${r.buckets_touched} of ${r.bucket_count}`, r.check, targetText(r)]),
  );
  const reasons = [...new Set(result.rows.filter((r) => r.mode.startsWith('full')).map((r) => `${r.table}: ${r.mode}`))];
  for (const reason of reasons) console.log(`mode ${reason}`);
}

async function main() {
  const options = parseArguments(process.argv);
  const failures = [];
  const report = { benchmark: 'refresh', ...options.extra };
  const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));
  report.load_average_start = load();
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  await duck.run('CREATE SCHEMA bronze');
  if (options.warehouse) {
    const base = liveDataFiles(path.join(options.warehouse, 'bronze', 'orders'));
    report.rows = options.rows;
    report.order_files = base.files.length;
    report.repeat = options.repeat;
    report.repeat_large = options.repeatLarge;
    report.full_repeat = options.fullRepeat;
    const result = await sweep(options, duck, failures);
    console.log(`refresh benchmark: ${options.rows} orders in ${base.files.length} files at the start; ` +
      `incremental: median of ${options.repeat} appends (${options.repeatLarge} at 10% and above), ` +
      `each a fresh delta, so the history grows; full recompute: median of ${options.fullRepeat}; ` +
      `times are whole processes (Floe; "of it engine": the refresh's own floe.duration-ms) or ` +
      'COPY (query) TO Parquet (DuckDB)');
    printSweep(result);
    report.created = result.created;
    report.results = result.rows;
    if (options.growthWarehouse) {
      report.growth = growth(options, failures);
      console.log('history growth, the same delta on a small and a large history (target: ratio <= 1.3)');
      printTable(['table', 'mode (small / large)', 'delta', 'small history', 'refresh', 'large history', 'refresh', 'ratio'],
        report.growth.map((g) => [g.table, `${g.small_mode} / ${g.large_mode ?? '-'}`, g.delta_rows, g.small_history_rows,
          seconds(g.small_s), g.large_history_rows ?? '-', seconds(g.large_s), g.ratio ? `${g.ratio.toFixed(2)}x` : '-']));
    }
  }
  if (options.freshnessWarehouse) {
    report.freshness = await freshness(options, failures);
    console.log(`freshness: ${report.freshness.note}`);
    if (report.freshness.available) {
      for (const [mode, f] of Object.entries(report.freshness.modes)) {
        console.log(`freshness (${mode}, run --interval ${f.interval_s}): ${f.measured} of ${report.freshness.commits} ` +
          `appends of ${report.freshness.append_rows} rows to ${report.freshness.history_rows} orders: ` +
          `median ${f.median_ms ?? '-'} ms, p99 ${f.p99_ms ?? '-'} ms; exit ${f.exit_after_sigterm_ms ?? '-'} ms after SIGTERM`);
      }
    }
  }
  report.load_average_end = load();
  console.log(`load average: ${report.load_average_start.join(' ')} at the start, ${report.load_average_end.join(' ')} at the end (2 cores)`);
  for (const failure of failures) console.log(`FAILED: ${failure}`);
  report.failures = failures;
  if (options.jsonOut) fs.writeFileSync(options.jsonOut, `${JSON.stringify(report, null, 1)}\n`);
  console.log(JSON.stringify(report));
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
