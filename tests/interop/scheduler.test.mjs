// Description: the scheduler, `floe-engine run` (issue 8, "How it is checked"), as a user runs
// it: a warehouse with a source `src`, a keyed aggregate `agg` (TARGET_LAG = '2 seconds'), a
// DOWNSTREAM filter `evens` and `evens_total` over it (TARGET_LAG = '2 seconds').
//   - `run --interval 0.5`: after each INSERT every table catches up within its target lag (a
//     grace second for a loaded machine), and equals DuckDB over the source (icebird reads);
//     one logfmt line per refresh with the documented keys; SIGTERM exits 0 with a stop line;
//   - kill -9 and restart mid-stream, many times: at the end nothing lost or doubled (DuckDB
//     again) and the refresh numbers of every table strictly consecutive (`status --history`);
//   - SIGTERM while a slow refresh runs (a FULL table over a big source): exit 0, the table
//     consistent with the source snapshot it records, a manual refresh completes it;
//   - two `run` processes at once: every refresh committed once (consecutive numbers, as many
//     refresh lines over both logs as refreshes in the history), no error lines;
//   - a failing table (its source dropped) is retried with backoff (1 s, 2 s, ...) while the
//     others keep refreshing; `status --json` counts the failures;
//   - push: with --interval 60, an INSERT is reflected within 2 s;
//   - usage errors exit 2.
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ENGINE, Lake, Oracle, checkDynamicTable, scratchDirectory } from './lib/incremental_cases.mjs';

const work = scratchDirectory('floe-scheduler-');
let oracle;
let duck;
before(async () => {
  oracle = await Oracle.create();
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const AGG = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k';
const EVENS = 'SELECT id, k, v FROM src WHERE v % 2 = 0';
const EVENS_TOTAL = 'SELECT COUNT(*) AS n, SUM(v) AS total FROM evens';
const GRACE_MS = 1000; // a loaded 2-core machine runs other tests beside this one

let lakeCount = 0;
function newLake() {
  const lake = new Lake(path.join(work, `lake${lakeCount++}`));
  fs.mkdirSync(lake.directory, { recursive: true });
  lake.sql(['CREATE TABLE src (id BIGINT, k VARCHAR, v BIGINT)',
    'INSERT INTO src VALUES (1, \'a\', 1), (2, \'b\', 2), (3, \'a\', 4)',
    `CREATE DYNAMIC TABLE agg TARGET_LAG = '2 seconds' AS ${AGG}`,
    `CREATE DYNAMIC TABLE evens TARGET_LAG = DOWNSTREAM AS ${EVENS}`,
    `CREATE DYNAMIC TABLE evens_total TARGET_LAG = '2 seconds' AS ${EVENS_TOTAL}`]);
  return lake;
}

let nextId = 100;
function insertRows(lake, count) {
  const rows = Array.from({ length: count }, () => {
    const id = nextId++;
    return `(${id}, '${'abcde'[id % 5]}', ${id % 7})`;
  });
  lake.sql(`INSERT INTO src VALUES ${rows.join(', ')}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, timeoutMs, label) {
  const start = Date.now();
  for (;;) {
    if (predicate()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) assert.fail(`${label}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function recorded(lake, table, source) {
  try {
    return lake.metadata(table).summary?.[`floe.source.default.${source}.snapshot-id`] ?? null;
  } catch {
    return null; // a version being published: look again
  }
}

// Every table has consumed the source's current snapshot (evens_total through evens).
function caughtUp(lake) {
  const src = lake.metadata('src').currentId;
  return recorded(lake, 'agg', 'src') === src && recorded(lake, 'evens', 'src') === src
    && recorded(lake, 'evens_total', 'evens') === lake.metadata('evens').currentId;
}

async function checkAgainstDuckDB(lake, label) {
  await oracle.load(lake, 'src');
  await oracle.view('evens', EVENS);
  const problems = [];
  for (const [name, select, sources] of [['agg', AGG, ['default.src']], ['evens', EVENS, ['default.src']],
    ['evens_total', EVENS_TOTAL, ['default.evens']]]) {
    problems.push(...(await checkDynamicTable(lake, oracle, { name, select, sources })).problems);
  }
  assert.deepEqual(problems, [], `${label}:\n${problems.join('\n')}`);
}

// A running `floe-engine run`; lines() parses what it printed so far.
function startRun(lake, args) {
  const child = spawn(ENGINE, ['--warehouse', lake.warehouse, 'run', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '', exited: null };
  child.stdout.on('data', (chunk) => { run.stdout += chunk; });
  child.stderr.on('data', (chunk) => { run.stderr += chunk; });
  run.done = new Promise((resolve) => child.on('exit', (code, signal) => {
    run.exited = { code, signal };
    resolve(run.exited);
  }));
  run.lines = () => run.stdout.split('\n').filter((l) => l !== '');
  run.json = () => run.lines().map((l) => JSON.parse(l));
  return run;
}

// SIGTERM is caught once the start line is out (before it the default action would kill).
async function stopRun(run, signal = 'SIGTERM') {
  if (signal !== 'SIGKILL') await waitFor(() => run.lines().length > 0 || run.exited, 10000, 'start line');
  run.child.kill(signal);
  return run.done;
}

// Refresh numbers of a table's history, newest first.
function history(lake, table) {
  return JSON.parse(lake.ok(['status', table, '--history', '--limit', '0', '--json']))
    .map((r) => r.refresh);
}

function assertConsecutive(lake, table) {
  const numbers = history(lake, table);
  assert.ok(numbers.length > 0, `${table}: no history`);
  numbers.forEach((n, i) => assert.equal(n, numbers.length - i, `${table}: history ${numbers.join(',')}`));
  return numbers.length;
}

// logfmt: key=value or key="quoted \"value\"".
function parseLogfmt(line) {
  const fields = {};
  const pattern = /(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const [, key, raw] of line.matchAll(pattern)) {
    fields[key] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return fields;
}

test('run keeps tables within their target lag; logfmt lines; SIGTERM exits 0', async () => {
  const lake = newLake();
  const run = startRun(lake, ['--interval', '0.5']);
  await waitFor(() => run.lines().length > 0, 5000, 'start line');
  for (let round = 0; round < 4; round++) {
    insertRows(lake, 5);
    const took = await waitFor(() => caughtUp(lake), 2000 + GRACE_MS + 2000, `round ${round}`);
    assert.ok(took <= 2000 + GRACE_MS, `round ${round}: caught up after ${took} ms, target lag 2 s`);
    await checkAgainstDuckDB(lake, `round ${round}`);
  }
  assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  const lines = run.lines().map(parseLogfmt);
  assert.equal(lines[0].event, 'start');
  assert.equal(lines.at(-1).event, 'stop');
  const refreshes = lines.filter((l) => l.table !== undefined);
  assert.ok(refreshes.length >= 12, run.stdout);
  for (const l of refreshes) {
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const key of ['rows_read', 'files_read', 'rows_written', 'duration_ms', 'lag_ms', 'refresh']) {
      assert.match(l[key], /^\d+$/, `${key} in ${JSON.stringify(l)}`);
    }
    assert.equal(l.status, 'ok', JSON.stringify(l));
    assert.match(l.mode, /^(incremental|full|none)$/);
    assert.ok('reason' in l);
  }
  // DOWNSTREAM evens is refreshed right before the table that reads it.
  const order = refreshes.filter((l) => l.mode !== 'none').map((l) => l.table);
  for (let i = 0; i < order.length; i++) {
    if (order[i] === 'default.evens_total') assert.equal(order[i - 1], 'default.evens', order.join(' '));
  }
  for (const table of ['agg', 'evens', 'evens_total']) assertConsecutive(lake, table);
});

test('kill -9 and restart mid-stream: nothing lost or doubled', async () => {
  const lake = newLake();
  let run = startRun(lake, ['--interval', '0.2', '--json']);
  for (let round = 0; round < 12; round++) {
    insertRows(lake, 3);
    await sleep(50 + ((round * 37) % 200));
    if (round % 3 === 2) {
      await stopRun(run, 'SIGKILL');
      run = startRun(lake, ['--interval', '0.2', '--json']);
    }
  }
  await waitFor(() => caughtUp(lake), 10000, 'catching up after the kills');
  assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  await checkAgainstDuckDB(lake, 'after kills');
  for (const table of ['agg', 'evens', 'evens_total']) assertConsecutive(lake, table);
});

test('SIGTERM during a slow refresh: exit 0 and a consistent table', async () => {
  const lake = newLake();
  const file = path.join(lake.directory, 'big.parquet');
  await duck.run(`COPY (SELECT r::BIGINT AS id, (r % 1000)::BIGINT AS g FROM range(3000000) t(r))
    TO '${file}' (FORMAT parquet)`);
  lake.ok(['ingest', 'default.big', file]);
  // Three million groups: the refresh takes long enough to be caught writing its files.
  lake.sql(`CREATE DYNAMIC TABLE big_count TARGET_LAG = '2 seconds' REFRESH_MODE = FULL AS
    SELECT id, COUNT(*) AS n FROM big GROUP BY id`);
  const data = path.join(lake.tableDir('big_count'), 'data');
  const filesBefore = fs.readdirSync(data).length;
  const run = startRun(lake, ['--interval', '0.2', '--json']);
  await waitFor(() => run.lines().length > 0, 5000, 'start line');
  lake.sql('INSERT INTO big VALUES (-1, 5000)');
  // The refresh is in flight once it writes its first data file (before its commit).
  await waitFor(() => fs.readdirSync(data).length > filesBefore, 20000, 'the refresh writing');
  const stoppedAt = Date.now();
  assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  const events = run.json();
  assert.equal(events.at(-1).event, 'stop');
  assert.ok(!events.some((e) => e.status === 'error'), run.stdout);
  // It ran to its end: committed after the signal.
  const refresh = events.find((e) => e.table === 'default.big_count');
  assert.ok(refresh && refresh.status === 'ok' && Date.parse(refresh.time) >= stoppedAt - 5, run.stdout);
  // Whatever the stop interrupted, the table is one whole refresh: its rows match the source
  // snapshot its summary records.
  const meta = lake.metadata('big_count');
  const consumed = meta.summary['floe.source.default.big.snapshot-id'];
  const rows = JSON.parse(lake.ok(['query', 'SELECT SUM(n) AS total FROM big_count', '--format', 'json'])
    .trim().split('\n')[0]);
  const expected = consumed === lake.metadata('big').currentId ? 3000001 : 3000000;
  assert.equal(Number(rows.total), expected, `consumed ${consumed}`);
  lake.ok(['refresh', 'big_count']);
  const after = lake.metadata('big_count');
  assert.equal(after.summary['floe.source.default.big.snapshot-id'], lake.metadata('big').currentId);
  assertConsecutive(lake, 'big_count');
});

test('two schedulers on one warehouse commit each refresh once', async () => {
  const lake = newLake();
  const before = Object.fromEntries(['agg', 'evens', 'evens_total'].map((t) => [t, history(lake, t).length]));
  const runs = [startRun(lake, ['--interval', '0.3', '--json']), startRun(lake, ['--interval', '0.3', '--json'])];
  for (let round = 0; round < 8; round++) {
    insertRows(lake, 4);
    await sleep(150 + ((round * 53) % 250));
  }
  await waitFor(() => caughtUp(lake), 8000, 'catching up');
  await sleep(700); // both have looked again and found nothing to do
  for (const run of runs) assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  const events = runs.flatMap((r) => r.json()).filter((e) => e.table !== undefined);
  assert.deepEqual(events.filter((e) => e.status === 'error'), []);
  for (const table of ['agg', 'evens', 'evens_total']) {
    const total = assertConsecutive(lake, table);
    const committed = events.filter((e) => e.table === `default.${table}` && e.status === 'ok' && e.mode !== 'none');
    assert.equal(committed.length, total - before[table], `${table}: ${JSON.stringify(committed)}`);
    assert.equal(new Set(committed.map((e) => e.refresh)).size, committed.length, `${table}: a number twice`);
  }
  await checkAgainstDuckDB(lake, 'two schedulers');
});

test('a failing table is retried with backoff; the others still refresh', async () => {
  const lake = newLake();
  lake.sql(['CREATE TABLE side (x BIGINT)', 'INSERT INTO side VALUES (1)',
    'CREATE DYNAMIC TABLE side_count TARGET_LAG = \'2 seconds\' AS SELECT COUNT(*) AS n FROM side',
    'DROP TABLE side']);
  const run = startRun(lake, ['--interval', '0.2', '--json']);
  const start = Date.now();
  while (Date.now() - start < 5500) {
    insertRows(lake, 2);
    await sleep(400);
  }
  await waitFor(() => caughtUp(lake), 5000, 'the healthy tables');
  assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  const events = run.json().filter((e) => e.table !== undefined);
  const failures = events.filter((e) => e.table === 'default.side_count');
  assert.ok(failures.length >= 2 && failures.length <= 4, JSON.stringify(failures));
  failures.forEach((e, i) => {
    assert.equal(e.status, 'error');
    assert.match(e.error, /side/);
    assert.equal(e.retry_in_ms, 1000 * 2 ** i);
  });
  for (let i = 1; i < failures.length; i++) {
    const gap = Date.parse(failures[i].time) - Date.parse(failures[i - 1].time);
    assert.ok(gap >= failures[i - 1].retry_in_ms - 50, `retried after ${gap} ms`);
  }
  assert.ok(events.filter((e) => e.table === 'default.agg' && e.status === 'ok').length >= 5);
  await checkAgainstDuckDB(lake, 'beside a failing table');
  const status = JSON.parse(lake.ok(['status', 'side_count', '--json']))[0];
  assert.equal(status.failures, failures.length);
  assert.match(status.last_error, /side/);
  assert.ok(status.last_error_time !== null);
  assert.match(lake.ok(['status', 'side_count']), /failed attempts in a row/);
});

test('push: with --interval 60 an INSERT is reflected within 2 s', async () => {
  const lake = newLake();
  const run = startRun(lake, ['--interval', '60', '--json']);
  await waitFor(() => run.lines().length > 0, 5000, 'start line');
  await sleep(300); // the first pass has armed the watches
  for (let round = 0; round < 3; round++) {
    insertRows(lake, 2);
    const took = await waitFor(() => caughtUp(lake), 2000 + GRACE_MS, `push round ${round}`);
    assert.ok(took <= 2000, `push round ${round}: ${took} ms`);
  }
  assert.deepEqual(await stopRun(run), { code: 0, signal: null }, run.stderr);
  await checkAgainstDuckDB(lake, 'push');
});

test('run --once and usage errors', () => {
  const lake = newLake();
  insertRows(lake, 3);
  const once = lake.run(['run', '--once']);
  assert.equal(once.status, 0, once.stderr);
  assert.equal(once.stdout.trim().split('\n').map(parseLogfmt).filter((l) => l.table).length, 3);
  lake.sql('CREATE TABLE gone (x BIGINT); CREATE DYNAMIC TABLE gone_count AS SELECT COUNT(*) AS n FROM gone; DROP TABLE gone');
  assert.equal(lake.run(['run', '--once']).status, 1);
  for (const args of [['run', '--interval', '0'], ['run', '--interval', 'soon'], ['run', '--interval'],
    ['run', '--bogus'], ['run', 'extra'], ['status', '--history'], ['status', 'agg', '--limit', '2']]) {
    const r = lake.run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^floe-engine: /);
  }
});
