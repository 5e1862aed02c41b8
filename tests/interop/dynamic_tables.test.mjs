// Description: dynamic tables end to end through the CLI, checked by independent readers.
// Source tables are built with `ingest` (DuckDB-written Parquet) and `sql` (CREATE TABLE,
// INSERT). Dynamic tables over them: a filter/projection, a GROUP BY with SUM/COUNT/AVG/MIN/MAX,
// a join, a UNION ALL and a chain (a dynamic table over the GROUP BY one). After creation and
// after each round of source changes (appends by ingest and INSERT, copy-on-write DELETEs) and
// `refresh`, every dynamic table as icebird reads it (minus `_floe_refresh`) must equal DuckDB's
// result of the very same SELECT over the sources' current rows — read with icebird too and
// loaded into DuckDB, with the upstream dynamic table a DuckDB view of its own definition — as
// multisets, floats and decimals within a relative 1e-9. Also checked: every row's
// `_floe_refresh` is the refresh number of the table's current snapshot, whose summary names
// the sources' current snapshot ids; `refresh` output lines and order; up-to-date skips;
// `status --json`; a failing refresh (exit 1, one line, table unchanged) and usage errors.
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { icebergRead } from 'icebird';
import { DuckDBInstance } from '@duckdb/node-api';
import { installLocalFetch } from './lib/local_fetch.mjs';

const engine = process.env.FLOE_ENGINE;
if (!engine) throw new Error('set FLOE_ENGINE to the floe-engine binary');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-dynamic-tables-'));
const warehouse = path.join(work, 'lake');
let duck;

function floe(args) {
  return spawnSync(engine, ['--warehouse', warehouse, ...args], { encoding: 'utf8',
    maxBuffer: 1 << 28 });
}

function floeOk(args) {
  const r = floe(args);
  assert.equal(r.status, 0, `${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

// Timestamps are whole milliseconds: icebird hands out JS Dates, so finer parts would be lost
// on the reference side.
async function writeSales(file, first, count) {
  await duck.run(`COPY (SELECT (r + ${first})::BIGINT AS id,
      CASE r % 4 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' ELSE 'west' END AS region,
      (r % 40)::INTEGER AS cust,
      CASE WHEN r % 13 = 0 THEN NULL ELSE (r % 997) * 0.37 END::DOUBLE AS amount,
      ((r * 7) % 1000 * 0.25)::DECIMAL(10,2) AS price,
      CASE WHEN r % 17 = 0 THEN NULL ELSE (r % 23)::INTEGER END AS qty,
      DATE '2024-01-01' + (r % 200)::INTEGER AS day,
      TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (r * 3607 + r % 1000) MILLISECOND AS ts
    FROM range(${count}) t(r)) TO '${file}' (FORMAT parquet)`);
}

before(async () => {
  const db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

// ---- reading tables -------------------------------------------------------------------------

function tableDir(name) {
  const [ns, table] = name.includes('.') ? name.split('.') : ['default', name];
  return path.join(warehouse, ns, table);
}

// The current metadata; `currentId` is the current snapshot id as exact text (JSON.parse
// rounds 64-bit ids to doubles).
function metadata(name) {
  const dir = tableDir(name);
  const version = fs.readFileSync(path.join(dir, 'metadata', 'version-hint.text'), 'utf8').trim();
  const file = `v${version}.metadata.json`;
  const text = fs.readFileSync(path.join(dir, 'metadata', file), 'utf8');
  const currentId = /"current-snapshot-id"\s*:\s*(-?\d+)/.exec(text)?.[1] ?? '-1';
  return { file, json: JSON.parse(text), currentId };
}

function schemaOf(json) {
  return json.schemas.find((s) => s['schema-id'] === json['current-schema-id']).fields;
}

function currentSnapshot(json) {
  return json.snapshots.find((s) => s['snapshot-id'] === json['current-snapshot-id']);
}

async function iceRows(name) {
  installLocalFetch();
  const { file, json } = metadata(name);
  if (json['current-snapshot-id'] === -1 || json['current-snapshot-id'] == null) return { rows: [], fields: schemaOf(json) };
  const rows = await icebergRead({ tableUrl: tableDir(name), metadataFileName: file });
  return { rows, fields: schemaOf(json) };
}

// ---- the reference: icebird's source rows in DuckDB -----------------------------------------

const DUCK_TYPES = { long: 'BIGINT', int: 'INTEGER', double: 'DOUBLE', float: 'FLOAT', string: 'VARCHAR',
  date: 'DATE', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN' };

function duckType(type) {
  if (type.startsWith('decimal')) return type.replace(/\s/g, '').toUpperCase();
  const mapped = DUCK_TYPES[type];
  if (!mapped) throw new Error(`no DuckDB type for ${type}`);
  return mapped;
}

function literal(type, value) {
  if (value === null || value === undefined) return 'NULL';
  if (type === 'string') return `'${String(value).replace(/'/g, "''")}'`;
  if (type === 'date') return `DATE '${value.toISOString().slice(0, 10)}'`;
  if (type === 'timestamp') return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (type.startsWith('decimal')) return `CAST('${value}' AS ${duckType(type)})`;
  if (type === 'double' || type === 'float') return `CAST('${value}' AS DOUBLE)`;
  return String(value);
}

// Replaces DuckDB's table `name` with what icebird reads from Floe's table.
async function loadIntoDuck(name) {
  const { rows, fields } = await iceRows(name);
  const duckName = name.includes('.') ? name.split('.')[1] : name;
  await duck.run(`DROP TABLE IF EXISTS ${duckName}`);
  await duck.run(`CREATE TABLE ${duckName} (${fields.map((f) => `${f.name} ${duckType(f.type)}`).join(', ')})`);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500)
      .map((r) => `(${fields.map((f) => literal(f.type, r[f.name])).join(', ')})`).join(',\n');
    await duck.run(`INSERT INTO ${duckName} VALUES ${values}`);
  }
  return rows.length;
}

// ---- comparison -----------------------------------------------------------------------------

const TOLERANCE = 1e-9;
const isNumeric = (type) => type === 'double' || type === 'float' || type.startsWith('decimal');

// One value in comparable form: numbers for float/decimal columns, text otherwise.
function comparable(type, value) {
  if (value === null || value === undefined) return null;
  if (isNumeric(type)) return Number(value);
  if (type === 'long' || type === 'int') return BigInt(value).toString();
  if (type === 'date') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (type === 'timestamp') return String(value instanceof Date ? value.getTime() : Date.parse(String(value)));
  return String(value);
}

// Sort key: numbers rounded well above the tolerance, so near-equal rows sort alike.
const keyPart = (v) => (v === null ? '\u0000NULL' : typeof v === 'number' ? v.toPrecision(8) : v);

function sortRows(rows) {
  return rows.map((r) => ({ r, key: r.map(keyPart).join('\u0001') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.r);
}

function assertSameRows(name, mine, theirs) {
  assert.equal(mine.length, theirs.length, `${name}: ${mine.length} rows, DuckDB ${theirs.length}`);
  const a = sortRows(mine), b = sortRows(theirs);
  for (let i = 0; i < a.length; i++) {
    for (let c = 0; c < a[i].length; c++) {
      const x = a[i][c], y = b[i][c];
      if (typeof x === 'number' && typeof y === 'number') {
        const scale = Math.max(1, Math.abs(x), Math.abs(y));
        assert.ok(Math.abs(x - y) <= TOLERANCE * scale,
          `${name}: row ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])} column ${c}`);
      } else {
        assert.equal(x, y, `${name}: row ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])} column ${c}`);
      }
    }
  }
}

// ---- the tables -------------------------------------------------------------------------------

const SOURCES = ['sales', 'customers', 'returns'];

// name → [select, the tables it reads]
const DYNAMIC = {
  filtered: ["SELECT id, region, amount * 2 AS doubled, qty + 1 AS q1, day FROM sales WHERE qty > 10 AND region <> 'north'", ['sales']],
  by_region: ['SELECT region, SUM(amount) AS total, COUNT(*) AS n, COUNT(qty) AS nq, AVG(price) AS mean_price, '
    + 'MIN(day) AS first_day, MAX(ts) AS last_ts, SUM(qty) AS sq, MIN(amount) AS low, MAX(price) AS high '
    + 'FROM sales GROUP BY region', ['sales']],
  joined: ['SELECT s.id, s.amount, c.name, c.tier FROM sales s JOIN customers c ON s.cust = c.id WHERE s.amount > 100', ['sales', 'customers']],
  unioned: ["SELECT id, amount, 'sale' AS kind FROM sales WHERE region = 'east' UNION ALL SELECT id, amount, 'return' AS kind FROM returns", ['sales', 'returns']],
  top_regions: ['SELECT region, total, n FROM by_region WHERE n > 60', ['by_region']],
};

// Checks every dynamic table against DuckDB over the sources' current rows.
async function checkAll() {
  for (const source of SOURCES) await loadIntoDuck(source);
  for (const [name, [select]] of Object.entries(DYNAMIC)) {
    if (name === 'by_region') await duck.run(`CREATE OR REPLACE VIEW by_region AS ${select}`);
  }
  for (const [name, [select]] of Object.entries(DYNAMIC)) {
    const { rows, fields } = await iceRows(name);
    const queryFields = fields.filter((f) => f.name !== '_floe_refresh');
    assert.equal(fields.at(-1).name, '_floe_refresh');
    assert.equal(fields.at(-1).required, true);
    const mine = rows.map((r) => queryFields.map((f) => comparable(f.type, r[f.name])));
    const reader = await duck.runAndReadAll(select);
    const theirs = reader.getRowObjectsJS().map((r) => {
      const values = Object.values(r);
      return queryFields.map((f, c) => comparable(f.type, values[c]));
    });
    assert.ok(theirs.length > 0, `${name}: DuckDB's result is empty: the check would be vacuous`);
    assertSameRows(name, mine, theirs);

    // Lineage: every row carries the number of the refresh that wrote it (a full refresh
    // writes every row; an incremental one keeps what it did not touch); the summary names
    // what it read.
    const { json } = metadata(name);
    const summary = currentSnapshot(json).summary;
    const current = Number(summary['floe.refresh-number']);
    for (const r of rows) assert.ok(Number(r._floe_refresh) >= 1 && Number(r._floe_refresh) <= current, name);
    const writtenNow = rows.filter((r) => Number(r._floe_refresh) === current).length;
    const read = Object.keys(summary).filter((k) => k.startsWith('floe.source.')).sort();
    assert.deepEqual(read, DYNAMIC[name][1].map((t) => `floe.source.default.${t}.snapshot-id`).sort());
    for (const key of read) {
      const source = key.slice('floe.source.'.length, -'.snapshot-id'.length);
      assert.equal(summary[key], metadata(source).currentId, `${name} ${key}`);
    }
    assert.ok(['overwrite', 'append'].includes(summary.operation), name);
    assert.ok(['full', 'incremental'].includes(summary['floe.refresh-mode']), name);
    if (summary['floe.refresh-mode'] === 'full') {
      assert.equal(summary['floe.rows-written'], String(rows.length), name);
      assert.equal(writtenNow, rows.length, name);
    } else {
      assert.ok(writtenNow <= Number(summary['floe.rows-written']), name);
    }
  }
}

test('dynamic tables equal DuckDB over their sources, through changes and refreshes', async () => {
  // Sources: sales ingested from DuckDB's Parquet, the others by SQL.
  const first = path.join(work, 'sales1.parquet');
  await writeSales(first, 0, 1500);
  floeOk(['ingest', 'default.sales', first]);
  const customers = Array.from({ length: 35 }, (_, i) =>
    `(${i}, 'customer ${i}', '${['gold', 'silver', 'bronze'][i % 3]}')`).join(', ');
  floeOk(['sql', `CREATE TABLE customers (id INTEGER NOT NULL, name VARCHAR, tier VARCHAR);
    INSERT INTO customers VALUES ${customers}`]);
  floeOk(['sql', `CREATE TABLE returns (id BIGINT, amount DOUBLE);
    INSERT INTO returns VALUES (1, 10.5), (2, 99.25), (3, NULL), (4, 120.0)`]);

  // Creating refreshes at once (ON_CREATE), the chain after its upstream.
  for (const [name, [select]] of Object.entries(DYNAMIC)) {
    const r = floe(['sql', `CREATE DYNAMIC TABLE ${name} TARGET_LAG = '5 minutes' AS ${select}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^default\\.${name}: refresh 1, full \\(initial refresh\\): \\d+ rows read from \\d+ files, \\d+ rows written, \\d+ ms\\nCREATE DYNAMIC TABLE\\n$`));
    assert.equal(r.stderr, ''); // every shape here is maintained incrementally
  }
  await checkAll();

  // Nothing changed: every table is up to date, nothing is committed.
  const versions = Object.keys(DYNAMIC).map((n) => metadata(n).file);
  let out = floeOk(['refresh', '--all']);
  assert.deepEqual(out.trim().split('\n').sort(),
    Object.keys(DYNAMIC).map((n) => `default.${n}: up to date (refresh 1)`).sort());
  assert.deepEqual(Object.keys(DYNAMIC).map((n) => metadata(n).file), versions);

  // Round 1: appends (ingest, INSERT), copy-on-write deletes.
  const second = path.join(work, 'sales2.parquet');
  await writeSales(second, 10000, 700);
  floeOk(['ingest', 'default.sales', second]);
  floeOk(['sql', `INSERT INTO customers VALUES (35, 'late one', 'gold'), (36, 'later', 'silver');
    DELETE FROM sales WHERE qty = 5 OR amount < 3;
    DELETE FROM returns WHERE amount > 100;
    INSERT INTO returns VALUES (5, 1.25), (6, 77.5)`]);
  out = floeOk(['refresh', '--all']);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 5);
  for (const line of lines) assert.match(line, /^default\.\w+: refresh 2, incremental: /);
  assert.ok(lines.findIndex((l) => l.startsWith('default.by_region:'))
    < lines.findIndex((l) => l.startsWith('default.top_regions:')));
  await checkAll();

  // Round 2: only the chain's end is named: its upstream refreshes first, the rest stay.
  floeOk(['sql', `DELETE FROM sales WHERE region = 'south' AND id < 700;
    DELETE FROM customers WHERE tier = 'gold'`]);
  out = floeOk(['refresh', 'top_regions']);
  assert.match(out, /^default\.by_region: refresh 3, .*\ndefault\.top_regions: refresh 3, .*\n$/);
  out = floeOk(['refresh', '--all', '--full']);
  assert.equal(out.trim().split('\n').filter((l) => /refresh \d+, full \(full refresh requested\)/.test(l)).length, 5);
  await checkAll();

  // Status: everything refreshed, nothing lagging.
  const status = JSON.parse(floeOk(['--json', 'status']));
  assert.deepEqual(status.map((s) => s.name).sort(), Object.keys(DYNAMIC).map((n) => `default.${n}`).sort());
  for (const s of status) {
    assert.equal(s.target_lag, '5 minutes');
    assert.equal(s.refresh_mode, 'AUTO');
    assert.equal(s.suspended, false);
    assert.equal(s.lag_seconds, 0);
    assert.equal(s.last_mode, 'full');
    assert.equal(s.last_reason, 'full refresh requested');
    assert.equal(s.last_error, null);
    assert.ok(s.refreshes >= 3);
  }
  const one = JSON.parse(floeOk(['status', 'joined', '--json']));
  assert.equal(one.length, 1);
  assert.equal(one[0].rows_written, (await iceRows('joined')).rows.length);
});

test('a failing refresh changes nothing and says why; usage errors', async () => {
  floeOk(['sql', `CREATE TABLE nums (k BIGINT, d BIGINT); INSERT INTO nums VALUES (1, 1), (2, 2);
    CREATE DYNAMIC TABLE ratios AS SELECT k, 10 / d AS r FROM nums;
    CREATE DYNAMIC TABLE plain AS SELECT k FROM nums`]);
  floeOk(['sql', 'INSERT INTO nums VALUES (3, 0)']);
  const before = fs.readdirSync(path.join(tableDir('ratios'), 'metadata')).sort();
  const data = fs.readdirSync(path.join(tableDir('ratios'), 'data')).sort();
  const r = floe(['refresh', '--all']);
  assert.equal(r.status, 1);
  // One error line, and no other: both tables are maintained incrementally.
  const errors = r.stderr.trim().split('\n');
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0], /^floe-engine: refresh: default\.ratios: .*division by zero/);
  assert.match(r.stdout, /default\.plain: refresh 2/);
  assert.deepEqual(fs.readdirSync(path.join(tableDir('ratios'), 'metadata')).sort(), before);
  assert.deepEqual(fs.readdirSync(path.join(tableDir('ratios'), 'data')).sort(), data);
  const status = JSON.parse(floeOk(['--json', 'status', 'ratios']));
  assert.match(status[0].last_error, /division by zero/);
  assert.equal(status[0].refreshes, 1);

  for (const args of [['refresh'], ['refresh', '--all', 'plain'], ['refresh', '--bogus'],
    ['status', 'a', 'b']]) {
    const bad = floe(args);
    assert.equal(bad.status, 2, args.join(' '));
  }
  const missing = floe(['refresh', 'nope']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /dynamic table default\.nope does not exist/);
});
