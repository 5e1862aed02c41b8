// Description: the differential harness for incremental maintenance (issue 7, "How it is
// checked"). Scenarios (long append streams, deletes and updates, rewrites without logical
// change, joins where either side changes, a chain of three dynamic tables, UNION ALL, empty
// deltas, deltas that empty a group or the whole table, a source that gains a column) and a
// seeded random generator of queries x mutation sequences. After EVERY refresh each dynamic table
// is checked by lib/incremental_cases.mjs: equal to DuckDB's evaluation of its SELECT over the
// sources' current rows (all read with icebird), exactly equal to its FULL twin (same SELECT,
// REFRESH_MODE = FULL), lineage column and summary consistent. The incremental refreshes it
// checks are counted and printed beside the full ones (a table that falls back to FULL is held
// to the same checks).
// Env: FLOE_ENGINE = the floe-engine binary. FLOE_IDIFF_SEED = the generator's seed (printed;
// random otherwise), FLOE_IDIFF_CASES = how many generated cases (default 504), FLOE_IDIFF_LAKE =
// run only that generated lake (from a failure report), FLOE_IDIFF_KEEP=1 keeps failing lakes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Lake, Oracle, checkDynamicTable, createStatements, generateLake, scratchDirectory,
} from './lib/incremental_cases.mjs';

const work = scratchDirectory('floe-idiff-');
const keep = process.env.FLOE_IDIFF_KEEP === '1';
let oracle;
let parquetWriter; // a second DuckDB, for the Parquet files `ingest` takes
const modes = { full: 0, incremental: 0 }; // what the checked refreshes of non-FULL tables did

before(async () => {
  oracle = await Oracle.create();
  parquetWriter = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => { if (!keep) fs.rmSync(work, { recursive: true, force: true }); });

// ---- scenario machinery -----------------------------------------------------------------------

// One dynamic table and its FULL twin `<name>_full`.
function pair(name, select, mode, sources) {
  return { name, select, mode, sources: sources.map((s) => `default.${s}`), twin: `${name}_full` };
}

function createPairs(lake, tables) {
  lake.sql(tables.flatMap((t) => [`CREATE DYNAMIC TABLE ${t.name} REFRESH_MODE = ${t.mode} AS ${t.select}`,
    `CREATE DYNAMIC TABLE ${t.twin} REFRESH_MODE = FULL AS ${t.select}`]));
}

// Refreshes everything and checks every line; returns the lines.
function refreshAll(lake, args = ['--all']) {
  const out = lake.ok(['refresh', ...args]);
  const lines = out.trim().split('\n').filter((l) => l.length > 0);
  for (const line of lines) assert.match(line, /^default\.\w+: (refresh \d+, (full|incremental)\b.*|up to date \(refresh \d+\))$/, line);
  return lines;
}

// Every table against the oracle and its twin. `upstream` are dynamic tables others read: DuckDB
// gets them as views of their definitions, in the order given.
async function checkScenario(lake, label, sources, tables, upstream = []) {
  for (const s of sources) await oracle.load(lake, s);
  for (const t of upstream) await oracle.view(t.name, t.select);
  const problems = [];
  for (const t of tables) {
    const result = await checkDynamicTable(lake, oracle, t);
    problems.push(...result.problems);
    if (result.mode !== null) modes[result.mode] = (modes[result.mode] ?? 0) + 1;
  }
  assert.deepEqual(problems, [], `${label}:\n${problems.join('\n')}`);
}

let parquetCount = 0;
async function writeParquet(select) {
  const file = path.join(work, `input-${parquetCount++}.parquet`);
  await parquetWriter.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return file;
}

// ---- scenarios --------------------------------------------------------------------------------

test('a long append stream: small ingests and INSERTs, refreshed and checked after each', async () => {
  const lake = new Lake(path.join(work, 'append'));
  const rows = (first, count) => `SELECT (${first} + r)::BIGINT AS id, chr(97 + ((r * 7 + ${first}) % 5)::INTEGER) AS k,
    CASE WHEN (r + ${first}) % 6 = 0 THEN NULL ELSE (((r * 13 + ${first}) % 61) - 30) / 4 END::DOUBLE AS v,
    CASE WHEN (r + ${first}) % 9 = 0 THEN NULL ELSE ((r + ${first}) % 11)::INTEGER END AS n FROM range(${count}) t(r)`;
  lake.ok(['ingest', 'default.events', await writeParquet(rows(0, 6))]);
  const tables = [
    pair('by_k', 'SELECT k, COUNT(*) AS c, SUM(v) AS sv, AVG(n) AS an, MIN(v) AS lo, MAX(n) AS hi, '
      + 'COUNT(DISTINCT n) AS dn, COUNT(v) AS cv FROM events GROUP BY k', 'INCREMENTAL', ['events']),
    pair('totals', 'SELECT COUNT(*) AS c, SUM(n) AS sn, MAX(v) AS mv FROM events', 'AUTO', ['events']),
    pair('positive', 'SELECT id, k, v * 2 AS v2 FROM events WHERE n > 2', 'AUTO', ['events']),
  ];
  createPairs(lake, tables);
  await checkScenario(lake, 'after create', ['events'], tables);
  let next = 100;
  for (let round = 0; round < 30; round++) {
    if (round === 17) {
      lake.ok(['ingest', 'default.events', await writeParquet(rows(next, 0))]); // an empty file: an empty append
    } else if (round % 2 === 0) {
      const files = [await writeParquet(rows(next, 1 + (round % 4)))];
      if (round % 6 === 0) files.push(await writeParquet(rows(next + 50, 2)));
      lake.ok(['ingest', 'default.events', ...files]);
    } else {
      lake.sql(`INSERT INTO events VALUES (${next}, 'a', ${(round % 9) - 4}.25, ${round % 7}), (${next + 1}, 'f', NULL, NULL)`);
    }
    next += 100;
    const lines = refreshAll(lake);
    assert.equal(lines.filter((l) => /up to date/.test(l)).length, 0, lines.join('\n'));
    await checkScenario(lake, `round ${round}`, ['events'], tables);
  }
});

test('deletes and updates: extremes retracted, groups and the whole table emptied, rows out and back', async () => {
  const lake = new Lake(path.join(work, 'deletes'));
  const values = [];
  for (let i = 1; i <= 40; i++) {
    values.push(`(${i}, '${['north', 'south', 'east', 'west'][i % 4]}', ${i % 7 === 0 ? 'NULL' : ((i * 37) % 81 - 40) / 4}, ${i % 5 === 0 ? 'NULL' : i % 9})`);
  }
  lake.sql(['CREATE TABLE sales (id BIGINT, region VARCHAR, amount DOUBLE, qty BIGINT)',
    'CREATE TABLE parked (id BIGINT, region VARCHAR, amount DOUBLE, qty BIGINT)',
    `INSERT INTO sales VALUES ${values.join(', ')}`]);
  const tables = [
    pair('by_region', 'SELECT region, COUNT(*) AS n, COUNT(amount) AS na, SUM(amount) AS total, AVG(amount) AS mean, '
      + 'MIN(amount) AS lo, MAX(amount) AS hi, SUM(qty) AS sq, MIN(qty) AS lq, MAX(qty) AS hq, COUNT(DISTINCT qty) AS dq '
      + 'FROM sales GROUP BY region', 'INCREMENTAL', ['sales']),
    pair('big_regions', 'SELECT region, qty % 3 AS bucket, COUNT(*) AS n, MAX(amount) AS hi FROM sales '
      + 'WHERE amount > -5 GROUP BY region, qty % 3 HAVING COUNT(*) > 1', 'INCREMENTAL', ['sales']),
    pair('doubled', 'SELECT region, total * 2 AS t2, n FROM (SELECT region, SUM(amount) AS total, COUNT(*) AS n '
      + 'FROM sales GROUP BY region) x WHERE n > 2', 'INCREMENTAL', ['sales']),
    pair('overall', 'SELECT COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo, MAX(qty) AS hq FROM sales', 'AUTO', ['sales']),
    pair('kept', 'SELECT id, region, amount FROM sales WHERE qty IS NOT NULL AND amount < 3', 'AUTO', ['sales']),
  ];
  createPairs(lake, tables);
  await checkScenario(lake, 'after create', ['sales'], tables);
  const rounds = [
    ['new extremes', ["INSERT INTO sales VALUES (100, 'north', 1000, 50), (101, 'south', -1000, -50), (102, 'north', 1000, 50)"]],
    ['one copy of a tied maximum retracted', ['DELETE FROM sales WHERE id = 102']],
    ['extremes retracted', ['DELETE FROM sales WHERE id IN (100, 101)']],
    ['every fifth row deleted', ['DELETE FROM sales WHERE id % 5 = 0']],
    ['an update (delete + insert)', ['DELETE FROM sales WHERE id = 3', "INSERT INTO sales VALUES (3, 'east', 9.75, 7)"]],
    ['a delete that matches nothing', ['DELETE FROM sales WHERE id < 0']],
    ['a group emptied', ["DELETE FROM sales WHERE region = 'north'"]],
    ['the group comes back', ["INSERT INTO sales VALUES (200, 'north', 1.5, 2)"]],
    ['rows out and back (a rewrite, no logical change)', ["INSERT INTO parked SELECT * FROM sales WHERE region IN ('east', 'west')",
      "DELETE FROM sales WHERE region IN ('east', 'west')", 'INSERT INTO sales SELECT * FROM parked', 'DELETE FROM parked']],
    ['every row duplicated', ['INSERT INTO sales SELECT * FROM sales']],
    ['one of two duplicates cannot be deleted alone: both go', ['DELETE FROM sales WHERE id = 200']],
    ['the whole table emptied', ['DELETE FROM sales']],
    ['an empty table stays empty', ['DELETE FROM sales WHERE id > 0']],
    ['rows again', ["INSERT INTO sales VALUES (300, 'west', 0.25, 1), (301, 'west', NULL, NULL), (302, 'east', -0.5, 4)"]],
  ];
  for (const [label, statements] of rounds) {
    lake.sql(statements);
    refreshAll(lake);
    await checkScenario(lake, label, ['sales'], tables);
  }
  // No change at all: nothing is committed.
  const versions = tables.map((t) => lake.metadata(t.name).file);
  const lines = refreshAll(lake);
  assert.ok(lines.every((l) => /up to date/.test(l)), lines.join('\n'));
  assert.deepEqual(tables.map((t) => lake.metadata(t.name).file), versions);
  await checkScenario(lake, 'no change', ['sales'], tables);
});

// Overlays (engine/state_store.h): a table of a few hundred groups changed a few groups at a
// time keeps its output file and gets an overlay (its changed groups' rows, and position
// deletes of their old rows); a group emptied is hidden by the overlay and comes back; a change
// past a quarter of the groups rewrites the output whole. String and NULL keys, NULL values,
// DECIMAL and DOUBLE sums, AVG; a PROJECT above the groups; a downstream table reading the
// changelog. Each round asserts whether the overlay was taken, so the scenario cannot drift
// off it unnoticed.
test('overlays: a few groups of many changed at a time, then most of them', async () => {
  const lake = new Lake(path.join(work, 'overlays'));
  const kinds = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'ibis', 'jay'];
  const row = (id, k, j) => `(${id}, ${k === null ? 'NULL' : `'${k}'`}, ${j}, ${((id * 37) % 1000) / 100}, `
    + `${id % 7 === 0 ? 'NULL' : ((id * 13) % 41) / 8}, ${id % 5 === 0 ? 'NULL' : id % 23})`;
  const rows = [];
  for (let id = 0; id < 440; id++) rows.push(row(id, id % 22 === 21 ? null : kinds[id % 10], id % 20));
  lake.sql(['CREATE TABLE wide (id BIGINT, k VARCHAR, j INTEGER, amount DECIMAL(12,2), x DOUBLE, q BIGINT)',
    `INSERT INTO wide VALUES ${rows.join(', ')}`]);
  const groups = pair('wide_groups', 'SELECT k, j, COUNT(*) AS n, COUNT(x) AS nx, SUM(amount) AS total, '
    + 'SUM(x) AS sx, AVG(q) AS aq FROM wide GROUP BY k, j', 'INCREMENTAL', ['wide']);
  const projected = pair('wide_projected', 'SELECT k, j, total * 2 AS t2, n FROM (SELECT k, j, '
    + 'SUM(amount) AS total, COUNT(*) AS n FROM wide GROUP BY k, j) g', 'INCREMENTAL', ['wide']);
  const counts = pair('wide_counts', 'SELECT n, COUNT(*) AS groups, SUM(total) AS t FROM wide_groups '
    + 'GROUP BY n', 'INCREMENTAL', ['wide_groups']);
  const tables = [groups, projected, counts];
  createPairs(lake, tables);
  const check = (label) => checkScenario(lake, label, ['wide'], tables, [groups]);
  await check('after create');
  const rounds = [
    ['two groups changed, one new', ["INSERT INTO wide VALUES (1000, 'ant', 0, 1.25, 2, 3), (1001, 'zebra', 3, 0.5, NULL, NULL)"], true],
    ['the same and two more', ["INSERT INTO wide VALUES (1002, 'ant', 0, 4, 1, 1), (1003, NULL, 1, 2, 2, 2), (1004, 'bee', 1, 1, 1, 1)"], true],
    ['a group emptied', ["DELETE FROM wide WHERE k = 'cat' AND j = 2"], true],
    ['a new group emptied again', ["DELETE FROM wide WHERE k = 'zebra'"], true],
    ['the emptied group comes back', ["INSERT INTO wide VALUES (1005, 'cat', 2, 9.99, NULL, 7)"], true],
    ['an update', ['DELETE FROM wide WHERE id = 1002', "INSERT INTO wide VALUES (1002, 'ant', 0, 5, NULL, 1)"], true],
    ['most groups changed', ['DELETE FROM wide WHERE id % 3 = 0'], false],
    ['a few again', ["INSERT INTO wide VALUES (1006, 'dog', 3, 0.01, 0.5, 5), (1007, NULL, 21, 1, 1, 1)"], true],
  ];
  for (const [label, statements, overlay] of rounds) {
    lake.sql(statements);
    refreshAll(lake);
    await check(label);
    for (const t of [groups, projected]) {
      const summary = lake.metadata(t.name).summary;
      assert.equal('added-delete-files' in summary, overlay, `${label}: ${t.name} ${JSON.stringify(summary)}`);
    }
  }
});

test('joins where either side changes, or both', async () => {
  const lake = new Lake(path.join(work, 'joins'));
  const orders = Array.from({ length: 30 }, (_, i) => `(${i}, ${i % 8}, ${((i * 11) % 40) / 4})`);
  const customers = Array.from({ length: 6 }, (_, i) => `(${i}, '${['gold', 'silver', 'bronze'][i % 3]}')`);
  lake.sql(['CREATE TABLE orders (id BIGINT, cust INTEGER, amount DOUBLE)', 'CREATE TABLE customers (id INTEGER, tier VARCHAR)',
    `INSERT INTO orders VALUES ${orders.join(', ')}`, `INSERT INTO customers VALUES ${customers.join(', ')}`]);
  const both = ['orders', 'customers'];
  const tables = [
    pair('joined', 'SELECT o.id, o.amount, c.tier FROM orders o JOIN customers c ON o.cust = c.id', 'AUTO', both),
    pair('left_joined', 'SELECT o.id, c.id AS cid, c.tier FROM orders o LEFT JOIN customers c ON o.cust = c.id WHERE o.amount > 1', 'AUTO', both),
    pair('by_tier', 'SELECT c.tier, COUNT(*) AS n, SUM(o.amount) AS total, MAX(o.amount) AS hi FROM orders o '
      + 'JOIN customers c ON o.cust = c.id GROUP BY c.tier', 'AUTO', both),
  ];
  createPairs(lake, tables);
  await checkScenario(lake, 'after create', both, tables);
  const rounds = [
    ['orders only: appended', ['INSERT INTO orders VALUES (100, 1, 2.5), (101, 7, 3.25), (102, 9, 1.0)']],
    ['customers only: a new key that existing orders match', ["INSERT INTO customers VALUES (7, 'gold')"]],
    ['customers only: a duplicate key multiplies matches', ["INSERT INTO customers VALUES (1, 'platinum')"]],
    ['customers only: a key deleted', ['DELETE FROM customers WHERE id = 2']],
    ['customers only: a tier updated', ["DELETE FROM customers WHERE id = 0", "INSERT INTO customers VALUES (0, 'silver')"]],
    ['both sides in one step', ['INSERT INTO orders VALUES (103, 2, 4.0), (104, 9, 0.5)', "INSERT INTO customers VALUES (2, 'bronze'), (9, 'gold')", 'DELETE FROM orders WHERE id % 4 = 1']],
    ['orders only: deleted', ['DELETE FROM orders WHERE cust = 1']],
    ['one side emptied', ['DELETE FROM customers']],
    ['it comes back', ["INSERT INTO customers VALUES (1, 'gold'), (3, 'silver'), (7, 'bronze')"]],
  ];
  for (const [label, statements] of rounds) {
    lake.sql(statements);
    refreshAll(lake);
    await checkScenario(lake, label, both, tables);
  }
});

test('a chain of three dynamic tables, refreshed in dependency order', async () => {
  const lake = new Lake(path.join(work, 'chain'));
  lake.sql(['CREATE TABLE readings (id BIGINT, site VARCHAR, val DOUBLE)',
    `INSERT INTO readings VALUES ${Array.from({ length: 24 }, (_, i) => `(${i}, 's${i % 5}', ${((i * 7) % 23) / 4})`).join(', ')}`]);
  // Each FULL twin reads the same upstream as its incremental table: same query, so any
  // difference is the downstream refresh's own.
  const c1 = pair('c1', 'SELECT site, COUNT(*) AS n, SUM(val) AS total, MAX(val) AS hi FROM readings GROUP BY site', 'INCREMENTAL', ['readings']);
  const c2 = pair('c2', 'SELECT site, n, total * 2 AS t2 FROM c1 WHERE n > 4', 'AUTO', ['c1']);
  const c3 = pair('c3', 'SELECT n, COUNT(*) AS sites, SUM(t2) AS t2 FROM c2 GROUP BY n', 'INCREMENTAL', ['c2']);
  const tables = [c1, c2, c3];
  createPairs(lake, tables);
  const check = (label) => checkScenario(lake, label, ['readings'], tables, [c1, c2]);
  await check('after create');
  const rounds = [
    ['appended', "INSERT INTO readings VALUES (100, 's1', 2.5), (101, 's1', 0.75), (102, 's7', 1)"],
    ['a site drops below the threshold', "DELETE FROM readings WHERE site = 's2' AND id > 4"],
    ['a site above it again', "INSERT INTO readings VALUES (103, 's2', 1), (104, 's2', 2), (105, 's2', 3), (106, 's2', 4)"],
    ['the source emptied', 'DELETE FROM readings'],
    ['refilled', "INSERT INTO readings VALUES (1, 's0', 0.5), (2, 's0', 0.5), (3, 's0', 0.5), (4, 's0', 0.5), (5, 's0', 0.5)"],
  ];
  for (const [label, statement] of rounds) {
    lake.sql(statement);
    const lines = refreshAll(lake);
    const order = ['c1', 'c2', 'c3'].map((n) => lines.findIndex((l) => l.startsWith(`default.${n}:`)));
    assert.ok(order.every((i) => i >= 0) && order[0] < order[1] && order[1] < order[2], lines.join('\n'));
    await check(label);
  }
  // Naming the end of the chain refreshes its upstreams first.
  lake.sql("INSERT INTO readings VALUES (400, 's0', 8), (401, 's9', 1)");
  const lines = refreshAll(lake, ['c3']);
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['default.c1', 'default.c2', 'default.c3']);
  lake.ok(['refresh', 'c1_full', 'c2_full', 'c3_full']);
  await check('refresh of the chain end');
});

test('GROUP BY over UNION ALL of two sources, each side changing', async () => {
  const lake = new Lake(path.join(work, 'union'));
  lake.sql(['CREATE TABLE east (id BIGINT, item VARCHAR, qty BIGINT)', 'CREATE TABLE west (id BIGINT, item VARCHAR, qty BIGINT)',
    "INSERT INTO east VALUES (1, 'x', 3), (2, 'y', 1), (3, 'x', NULL)", "INSERT INTO west VALUES (1, 'x', 2), (2, 'z', 5)"]);
  const select = 'SELECT item, COUNT(*) AS n, SUM(qty) AS q, MIN(qty) AS lo, COUNT(DISTINCT id) AS ids FROM '
    + '(SELECT id, item, qty FROM east WHERE qty IS NULL OR qty > 0 UNION ALL SELECT id, item, qty FROM west) u GROUP BY item';
  const tables = [pair('items', select, 'INCREMENTAL', ['east', 'west']),
    pair('all_rows', 'SELECT item, qty FROM east UNION ALL SELECT item, qty FROM west WHERE qty > 2', 'AUTO', ['east', 'west'])];
  createPairs(lake, tables);
  await checkScenario(lake, 'after create', ['east', 'west'], tables);
  const rounds = [
    "INSERT INTO east VALUES (4, 'z', 7)", "INSERT INTO west VALUES (3, 'y', 0), (4, 'y', -1)",
    "DELETE FROM east WHERE item = 'x'", "DELETE FROM west WHERE item = 'x'", 'DELETE FROM east; DELETE FROM west',
    "INSERT INTO west VALUES (9, 'q', 1)",
  ];
  for (const statements of rounds) {
    lake.sql(statements);
    refreshAll(lake);
    await checkScenario(lake, statements, ['east', 'west'], tables);
  }
});

test('a source that gains a column', async () => {
  const lake = new Lake(path.join(work, 'evolve'));
  lake.sql(['CREATE TABLE items (id BIGINT, kind VARCHAR)', "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'a')"]);
  const tables = [
    pair('kinds', 'SELECT kind, COUNT(*) AS n, MAX(id) AS top FROM items GROUP BY kind', 'INCREMENTAL', ['items']),
    pair('heavy', 'SELECT id, kind FROM items WHERE id > 1', 'INCREMENTAL', ['items']),
  ];
  createPairs(lake, tables);
  assert.equal(lake.sql('ALTER TABLE items ADD COLUMN weight DOUBLE'), 'ALTER TABLE\n');
  lake.sql(["INSERT INTO items VALUES (4, 'a', 2.5), (5, 'c', NULL)", 'DELETE FROM items WHERE id = 2']);
  // A column no query reads changes nothing they compute: the refreshes stay incremental.
  const lines = refreshAll(lake);
  for (const name of ['kinds', 'heavy']) {
    assert.ok(lines.some((l) => l.startsWith(`default.${name}: refresh 2, incremental`)), lines.join('\n'));
  }
  await checkScenario(lake, 'after the new column', ['items'], tables);
  // A table created after the change reads the new column, NULL in the rows written before it.
  const late = [pair('weights', 'SELECT kind, COUNT(weight) AS weighed, SUM(weight) AS total FROM items GROUP BY kind', 'INCREMENTAL', ['items'])];
  createPairs(lake, late);
  lake.sql("INSERT INTO items VALUES (6, 'a', 1.25)");
  refreshAll(lake);
  await checkScenario(lake, 'reading the new column', ['items'], late);
});

test('the checks catch a wrong table, a wrong twin and a wrong lineage claim', async () => {
  const lake = new Lake(path.join(work, 'self-check'));
  lake.sql(['CREATE TABLE t (id BIGINT, k VARCHAR, v DOUBLE)', "INSERT INTO t VALUES (1, 'a', 0.5), (2, 'a', 1.5), (3, 'b', NULL)",
    'CREATE DYNAMIC TABLE right_one AS SELECT k, SUM(v) AS s FROM t GROUP BY k',
    "CREATE DYNAMIC TABLE off_by_one AS SELECT k, SUM(v) AS s FROM t WHERE id > 1 GROUP BY k"]);
  await oracle.load(lake, 't');
  const select = 'SELECT k, SUM(v) AS s FROM t GROUP BY k';
  const good = await checkDynamicTable(lake, oracle, { name: 'right_one', select, sources: ['default.t'] });
  assert.deepEqual(good.problems, []);
  const wrong = await checkDynamicTable(lake, oracle, { name: 'off_by_one', select, twin: 'right_one', sources: ['default.t'] });
  assert.equal(wrong.problems.length, 2, wrong.problems.join('\n'));
  assert.match(wrong.problems[0], /off_by_one vs DuckDB: results differ/);
  assert.match(wrong.problems[1], /vs its FULL twin right_one/);
  lake.sql("INSERT INTO t VALUES (4, 'c', 2)"); // the tables did not consume this snapshot
  await oracle.load(lake, 't');
  const stale = await checkDynamicTable(lake, oracle, { name: 'right_one', select, sources: ['default.t'] });
  assert.equal(stale.problems.length, 2, stale.problems.join('\n'));
  assert.match(stale.problems[1], /summary has default\.t at snapshot/);
});

test('a state file holding one key twice: the refresh rebuilds, says why, and the table is right', async () => {
  const lake = new Lake(path.join(work, 'repeated-key'));
  lake.sql(['CREATE TABLE s (k BIGINT, v BIGINT)', 'INSERT INTO s VALUES (1, 10), (2, 20), (3, 30)',
    'CREATE DYNAMIC TABLE t REFRESH_MODE = INCREMENTAL AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k']);
  // Key 1 again as a fourth group, well numbered: only the key repeats. COUNT and SUM stream
  // the bucket, so this is the path that patches the file's rows in place.
  const stateDir = path.join(lake.tableDir('t'), 'floe', 'state');
  const file = path.join(stateDir, fs.readdirSync(stateDir).find((n) => n.startsWith('bucket-')));
  await parquetWriter.run(`COPY (SELECT * FROM read_parquet('${file}') UNION ALL
      (SELECT * REPLACE (3::BIGINT AS _floe_group) FROM read_parquet('${file}') WHERE key_0 = 1))
      TO '${file}.repeated' (FORMAT parquet)`);
  fs.renameSync(`${file}.repeated`, file);
  lake.sql('INSERT INTO s VALUES (1, 5)');
  const refreshed = lake.run(['refresh', 't']);
  assert.equal(refreshed.status, 0, refreshed.stderr);
  assert.match(refreshed.stdout, /refresh 2, full \(state of bucket 0 unusable: .*bucket-.*: rows 0 and 3 hold the same key\)/);
  assert.match(refreshed.stderr, /ran FULL: state of bucket 0 unusable/);
  assert.equal(lake.ok(['query', '--format', 'csv', 'SELECT k, n, total FROM t ORDER BY k']),
    'k,n,total\n1,2,15\n2,1,20\n3,1,30\n');
});

// ---- the generator ----------------------------------------------------------------------------

const QUERIES_PER_LAKE = 12;
const STEPS = 5;

test('generated queries x mutation sequences', async (t) => {
  const seed = process.env.FLOE_IDIFF_SEED !== undefined ? Number(process.env.FLOE_IDIFF_SEED) >>> 0
    : (Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const cases = Number(process.env.FLOE_IDIFF_CASES ?? 504);
  const lakeCount = Math.ceil(cases / QUERIES_PER_LAKE);
  const only = process.env.FLOE_IDIFF_LAKE !== undefined ? Number(process.env.FLOE_IDIFF_LAKE) : null;
  const banner = `incremental differential: FLOE_IDIFF_SEED=${seed} FLOE_IDIFF_CASES=${cases} `
    + `(${lakeCount} lakes x ${QUERIES_PER_LAKE} queries x ${STEPS} steps)`;
  console.log(banner);
  t.diagnostic(banner);
  const failures = [];
  let checked = 0;
  let caseCount = 0;
  const started = Date.now();
  for (let index = 0; index < lakeCount; index++) {
    if (only !== null && index !== only) continue;
    const lakeSeed = (seed + Math.imul(index, 0x9E3779B9)) >>> 0;
    const plan = generateLake(lakeSeed, QUERIES_PER_LAKE, STEPS);
    const where = `FLOE_IDIFF_SEED=${seed} FLOE_IDIFF_LAKE=${index}`;
    const lake = new Lake(path.join(work, `generated-${index}`));
    caseCount += plan.queries.length;
    const failed = new Set();
    const history = [];
    const fail = (what) => failures.push(`${where}: ${what}\n  mutations so far:\n${history.map((h) => `    ${h}`).join('\n') || '    (none)'}`);
    const create = lake.run(['sql', [...plan.setup, ...createStatements(plan.queries)].join(';\n')]);
    if (create.status !== 0) {
      fail(`creating the lake failed: ${create.stderr.trim()}\n  queries:\n${plan.queries.map((q) => `    ${q.name}: ${q.select}`).join('\n')}`);
      continue;
    }
    for (let step = 0; step <= STEPS; step++) {
      if (step > 0) {
        const mutations = plan.steps[step - 1];
        history.push(`step ${step}: ${mutations.length === 0 ? '(no change)' : mutations.map((m) => m.statements.join('; ')).join('; ')}`);
        const statements = mutations.flatMap((m) => m.statements);
        if (statements.length > 0) {
          const r = lake.run(['sql', statements.join(';\n')]);
          if (r.status !== 0) { fail(`a mutation failed: ${r.stderr.trim()}`); break; }
        }
        const r = lake.run(['refresh', '--all']);
        if (r.status !== 0) { fail(`refresh --all failed (exit ${r.status} ${r.signal ?? ''}): ${r.stderr.trim()}`); break; }
      }
      for (const source of ['s1', 's2', 'd']) await oracle.load(lake, source);
      for (const query of plan.queries) {
        if (failed.has(query.name)) continue;
        const result = await checkDynamicTable(lake, oracle, {
          name: `${query.name}_a`, select: query.select, twin: `${query.name}_f`, sources: query.sources.map((s) => `default.${s}`),
        });
        checked++;
        if (result.mode !== null && step > 0) modes[result.mode] = (modes[result.mode] ?? 0) + 1;
        if (result.problems.length > 0) {
          failed.add(query.name);
          fail(`${query.name} [${query.kind}] after step ${step}: ${query.select}\n  ${result.problems.join('\n  ')}`);
        }
      }
    }
    if (failed.size === 0 || !keep) fs.rmSync(lake.directory, { recursive: true, force: true });
  }
  const summary = `${caseCount} cases, ${checked} table checks, ${failures.length} failures, `
    + `refreshes checked: ${modes.full} full, ${modes.incremental} incremental, ${((Date.now() - started) / 1000).toFixed(1)} s`;
  console.log(`incremental differential: ${summary}`);
  t.diagnostic(summary);
  assert.equal(failures.length, 0, `${banner}\n${failures.slice(0, 5).join('\n\n')}${failures.length > 5 ? `\n... ${failures.length - 5} more` : ''}`);
});
