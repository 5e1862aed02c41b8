// incremental_cases.mjs — the differential harness for dynamic tables (issue 7, "How it is
// checked"): a lake driven through the floe-engine CLI, the oracle (DuckDB evaluating a dynamic
// table's SELECT over the sources' current rows, read with icebird), the checks made after every
// refresh, and the seeded generator of queries x mutation sequences.
//
// The checks, for a dynamic table T with SELECT q (checkDynamicTable):
//   1. T as icebird reads it, minus its `_floe_` columns, equals DuckDB's q over the sources'
//      current rows (icebird-read too) as multisets: integers and text exact, floats and
//      decimals within a relative 1e-9 (lib/compare.mjs). Upstream dynamic tables are DuckDB
//      views of their own definitions, so a chain is checked against the sources, not against
//      what Floe wrote upstream.
//   2. When T has a FULL twin (same SELECT, REFRESH_MODE = FULL), both are equal EXACTLY (every
//      value's text). The generated data make that fair for floats: every DOUBLE is a multiple
//      of 1/4 of small magnitude, so sums, AVG's sum/count and v*2 are exact in any order of
//      evaluation, and an incremental refresh that retracts and re-adds gets the very bits a
//      full one does.
//   3. Lineage: every row's `_floe_refresh` is between 1 and the current snapshot's
//      floe.refresh-number (an incremental refresh keeps untouched rows' older numbers), and
//      the summary names each source at its current snapshot.
// Failures come back as text (never thrown) so the generator can report every failing case
// with its seed; the scenario tests assert on them.
//
// Lakes live under /dev/shm when it is writable: the harness tests what a refresh computes and
// what a killed process leaves behind, not fsync, and on a disk every commit's fsyncs would cost
// ~50 ms (hundreds of refreshes per run). FLOE_IDIFF_TMP overrides the folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { icebergRead } from 'icebird';
import { DuckDBInstance } from '@duckdb/node-api';
import { installLocalFetch } from './local_fetch.mjs';
import { compareResults } from './compare.mjs';

export const ENGINE = process.env.FLOE_ENGINE;

export function scratchDirectory(prefix) {
  let base = process.env.FLOE_IDIFF_TMP;
  if (!base) {
    try {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      base = '/dev/shm';
    } catch {
      base = os.tmpdir();
    }
  }
  return fs.mkdtempSync(path.join(base, prefix));
}

const readCache = new Map(); // metadata file path -> rows icebird read at that version

// ---- the lake, through the CLI ----------------------------------------------------------------

export class Lake {
  constructor(directory) {
    if (!ENGINE) throw new Error('set FLOE_ENGINE to the floe-engine binary');
    this.directory = directory;
    this.warehouse = path.join(directory, 'lake');
  }

  run(args, options = {}) {
    return spawnSync(ENGINE, ['--warehouse', this.warehouse, ...args],
      { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  }

  ok(args) {
    const r = this.run(args);
    assert.equal(r.status, 0, `floe-engine ${args.join(' ').slice(0, 2000)}\nexit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
    return r.stdout;
  }

  sql(statements) {
    const list = Array.isArray(statements) ? statements : [statements];
    return list.length === 0 ? '' : this.ok(['sql', list.join(';\n')]);
  }

  tableDir(name) {
    const [ns, table] = name.includes('.') ? name.split('.') : ['default', name];
    return path.join(this.warehouse, ns, table);
  }

  // The current metadata: file name, parsed JSON, the current snapshot id as exact text
  // (JSON.parse rounds 64-bit ids) and that snapshot's summary (null before the first one).
  metadata(name) {
    const dir = path.join(this.tableDir(name), 'metadata');
    const version = fs.readFileSync(path.join(dir, 'version-hint.text'), 'utf8').trim();
    const file = `v${version}.metadata.json`;
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const json = JSON.parse(text);
    const currentId = /"current-snapshot-id"\s*:\s*(-?\d+)/.exec(text)?.[1] ?? '-1';
    const snapshot = (json.snapshots ?? []).find((s) => s['snapshot-id'] === json['current-snapshot-id']);
    const fields = json.schemas.find((s) => s['schema-id'] === json['current-schema-id']).fields;
    return { file, json, currentId, summary: snapshot?.summary ?? null, fields };
  }

  // Rows as icebird reads them (deletes applied), with the current schema's fields.
  // fresh: read the files again even when this version was read before (after a vacuum).
  async read(name, { fresh = false } = {}) {
    installLocalFetch();
    const meta = this.metadata(name);
    const current = meta.json['current-snapshot-id'];
    if (current === -1 || current === null || current === undefined) return { rows: [], ...meta };
    // A published metadata file never changes (the commit protocol creates each version once),
    // so rows read at one version serve every later look at it: most tables of a step did not
    // change, and icebird costs ~20 ms a table.
    const key = path.join(this.tableDir(name), 'metadata', meta.file);
    const cached = fresh ? undefined : readCache.get(key);
    if (cached) return { rows: cached, ...meta };
    try {
      const rows = await icebergRead({ tableUrl: this.tableDir(name), metadataFileName: meta.file });
      if (readCache.size > 4000) readCache.clear();
      readCache.set(key, rows);
      return { rows, ...meta };
    } catch (error) {
      // icebird refuses a snapshot without data manifests; that is an empty table only when
      // the summary says so.
      if (/No data manifest files/.test(error.message) && meta.summary?.['total-records'] === '0') return { rows: [], ...meta };
      throw new Error(`icebird cannot read ${name} (${meta.file}): ${error.message}`);
    }
  }
}

// ---- the oracle -------------------------------------------------------------------------------

const DUCK_TYPES = { long: 'BIGINT', int: 'INTEGER', double: 'DOUBLE', float: 'FLOAT', string: 'VARCHAR',
  date: 'DATE', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN' };

function duckType(type) {
  if (type.startsWith('decimal')) return type.replace(/\s/g, '').toUpperCase();
  const mapped = DUCK_TYPES[type];
  if (!mapped) throw new Error(`no DuckDB type for Iceberg type ${type}`);
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

export class Oracle {
  static async create() {
    const instance = await DuckDBInstance.create(':memory:');
    const oracle = new Oracle();
    oracle.duck = await instance.connect();
    return oracle;
  }

  // DuckDB's table `name` (without namespace) := the source's rows as icebird reads them.
  async load(lake, name) {
    const { rows, fields } = await lake.read(name);
    const duckName = name.includes('.') ? name.split('.')[1] : name;
    await this.drop(duckName);
    await this.duck.run(`CREATE TABLE ${duckName} (${fields.map((f) => `"${f.name}" ${duckType(f.type)}`).join(', ')})`);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500)
        .map((r) => `(${fields.map((f) => literal(f.type, r[f.name])).join(', ')})`).join(',\n');
      await this.duck.run(`INSERT INTO ${duckName} VALUES ${values}`);
    }
    return rows.length;
  }

  async drop(name) {
    const reader = await this.duck.runAndReadAll(`SELECT table_type FROM information_schema.tables WHERE table_name = '${name}'`);
    for (const [type] of reader.getRowsJS()) await this.duck.run(`DROP ${type === 'VIEW' ? 'VIEW' : 'TABLE'} ${name}`);
  }

  // An upstream dynamic table as the view of its definition.
  async view(name, select) {
    await this.drop(name);
    await this.duck.run(`CREATE VIEW ${name} AS ${select}`);
  }

  async evaluate(select) {
    const reader = await this.duck.runAndReadAll(select);
    return reader.getRowsJS();
  }
}

// ---- comparison -------------------------------------------------------------------------------

const FLOAT_TYPES = new Set(['double', 'float']);

// One value in the form lib/compare.mjs compares, by the Floe column's Iceberg type: floats and
// decimals as numbers ('DOUBLE', within tolerance), integers as exact digits ('BIGINT'), the
// rest as text ('VARCHAR').
function oracleClass(type) {
  if (FLOAT_TYPES.has(type) || type.startsWith('decimal')) return 'DOUBLE';
  if (type === 'long' || type === 'int') return 'BIGINT';
  return 'VARCHAR';
}

function oracleValue(type, value) {
  if (value === null || value === undefined) return null;
  switch (oracleClass(type)) {
  case 'DOUBLE': return Number(value);
  case 'BIGINT': return BigInt(value).toString();
  default:
    if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : String(value.getTime());
    return String(value);
  }
}

// Exact text of a value, for twin comparisons (-0 and 0 are one value in SQL).
function exactText(value) {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && Object.is(value, -0)) return '0';
  return String(value);
}

const queryFields = (fields) => fields.filter((f) => !f.name.startsWith('_floe_'));

// Checks one dynamic table after a refresh (the header's checks 1-3). `select` is its SELECT,
// `twin` the name of its FULL twin (or null), `sources` the tables the summary must name
// ("ns.name"). The oracle must hold the sources' current rows (and views of upstream dynamic
// tables). Returns a list of problems (empty when all is well) and what was seen.
export async function checkDynamicTable(lake, oracle, { name, select, twin = null, sources = null }) {
  const problems = [];
  const table = await lake.read(name);
  const fields = queryFields(table.fields);
  if (!table.fields.some((f) => f.name === '_floe_refresh')) problems.push(`${name}: no _floe_refresh column`);

  // 1. the oracle
  const mine = table.rows.map((r) => fields.map((f) => oracleValue(f.type, r[f.name])));
  let theirs;
  try {
    theirs = (await oracle.evaluate(select)).map((r) => {
      if (r.length !== fields.length) throw new Error(`DuckDB gives ${r.length} columns, the table has ${fields.length}`);
      return r.map((v, c) => oracleValue(fields[c].type, v));
    });
  } catch (error) {
    problems.push(`${name}: the oracle failed: ${error.message}`);
    theirs = null;
  }
  if (theirs !== null) {
    const diff = compareResults(mine, theirs, fields.map((f) => oracleClass(f.type)));
    if (diff !== null) problems.push(`${name} vs DuckDB: ${diff.replace(/Floe/g, 'table')}`);
  }

  // 2. the twin
  if (twin !== null) {
    const other = await lake.read(twin);
    const twinFields = queryFields(other.fields);
    if (JSON.stringify(twinFields.map((f) => [f.name, f.type])) !== JSON.stringify(fields.map((f) => [f.name, f.type]))) {
      problems.push(`${name} vs ${twin}: schemas differ: ${JSON.stringify(fields)} / ${JSON.stringify(twinFields)}`);
    } else {
      const a = table.rows.map((r) => fields.map((f) => exactText(r[f.name])));
      const b = other.rows.map((r) => fields.map((f) => exactText(r[f.name])));
      const diff = compareResults(a, b, fields.map(() => 'VARCHAR'));
      if (diff !== null) {
        problems.push(`${name} (${table.summary?.['floe.refresh-mode']}) vs its FULL twin ${twin}: `
          + diff.replace(/Floe/g, name).replace(/DuckDB/g, twin));
      }
    }
  }

  // 3. lineage
  const summary = table.summary;
  if (summary === null) {
    problems.push(`${name}: no current snapshot after a refresh`);
  } else {
    const number = BigInt(summary['floe.refresh-number'] ?? '0');
    const bad = table.rows.find((r) => r._floe_refresh === undefined || r._floe_refresh === null
      || BigInt(r._floe_refresh) < 1n || BigInt(r._floe_refresh) > number);
    if (bad) problems.push(`${name}: a row with _floe_refresh ${bad._floe_refresh}, the refresh number is ${number}`);
    for (const source of sources ?? []) {
      const recorded = summary[`floe.source.${source}.snapshot-id`];
      const current = lake.metadata(source).currentId;
      if (recorded !== current) problems.push(`${name}: summary has ${source} at snapshot ${recorded}, its current is ${current}`);
    }
  }
  return { problems, rows: table.rows.length, mode: summary?.['floe.refresh-mode'] ?? null };
}

// ---- the seeded generator ---------------------------------------------------------------------

// mulberry32: small, fast, and the same sequence on every platform.
export function randomSource(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)), // inclusive
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    some: (list, count) => {
      const copy = [...list];
      const out = [];
      while (out.length < count && copy.length > 0) out.push(copy.splice(Math.floor(next() * copy.length), 1)[0]);
      return out;
    },
  };
  return random;
}

// Sources of every generated lake: two facts of the same shape and a dimension whose join key
// repeats (joins multiply). Values are tiny so groups collide, NULLs appear in every column but
// the id, and doubles are multiples of 1/4 (see the header).
export const FACT_COLUMNS = 'id BIGINT, k1 VARCHAR, k2 INTEGER, v DOUBLE, n BIGINT';
export const DIM_COLUMNS = 'k2 INTEGER, label VARCHAR, w BIGINT';
const K1_VALUES = ["'a'", "'b'", "'c'", "'d'"];

class RowMaker {
  constructor(random) {
    this.random = random;
    this.nextId = 1;
  }

  fact() {
    const r = this.random;
    const id = this.nextId++;
    const k1 = r.chance(0.1) ? 'NULL' : r.pick(K1_VALUES);
    const k2 = r.chance(0.15) ? 'NULL' : String(r.int(0, 3));
    const v = r.chance(0.15) ? 'NULL' : String(r.int(-40, 40) / 4);
    const n = r.chance(0.15) ? 'NULL' : String(r.int(-3, 9));
    return `(${id}, ${k1}, ${k2}, ${v}, ${n})`;
  }

  dim() {
    const r = this.random;
    const k2 = r.chance(0.1) ? 'NULL' : String(r.int(0, 4));
    return `(${k2}, ${r.chance(0.1) ? 'NULL' : `'L${r.int(0, 2)}'`}, ${r.chance(0.1) ? 'NULL' : r.int(0, 6)})`;
  }

  rows(table, count) {
    return Array.from({ length: count }, () => (table === 'd' ? this.dim() : this.fact())).join(', ');
  }
}

// A predicate over a fact's columns, each prefixed with `p` ('t.' or '').
function factPredicate(r, p) {
  const atoms = [
    () => `${p}v > ${r.int(-20, 20) / 4}`,
    () => `${p}v <= ${r.int(-20, 20) / 4}`,
    () => `${p}n IS NOT NULL`,
    () => `${p}v IS NULL`,
    () => `${p}k1 <> ${r.pick(K1_VALUES)}`,
    () => `${p}k1 IN (${r.some(K1_VALUES, 2).join(', ')})`,
    () => `${p}k2 IN (${r.int(0, 1)}, ${r.int(2, 3)})`,
    () => `${p}n BETWEEN ${r.int(-2, 3)} AND ${r.int(3, 8)}`,
    () => `${p}id % ${r.int(2, 4)} = 0`,
  ];
  const atom = () => r.pick(atoms)();
  const shape = r.int(0, 9);
  if (shape < 6) return atom();
  if (shape < 8) return `(${atom()} OR ${atom()})`;
  if (shape < 9) return `${atom()} AND ${atom()}`;
  return `NOT (${atom()})`;
}

function dimPredicate(r) {
  return r.pick([() => `k2 = ${r.int(0, 4)}`, () => `w > ${r.int(0, 5)}`, () => `label = 'L${r.int(0, 2)}'`,
    () => 'w IS NULL'])();
}

// One aggregate over a source whose columns are t.* (and d.* for a join).
function aggregateCall(r, joined) {
  const numeric = ['t.v', 't.n', 't.k2', 't.v * 2', 't.n + 1', ...(joined ? ['d.w'] : [])];
  const any = [...numeric.slice(0, 3), 't.k1', ...(joined ? ['d.label', 'd.w'] : [])];
  return r.pick([
    () => 'COUNT(*)',
    () => `COUNT(${r.pick(any)})`,
    () => `SUM(${r.pick(numeric)})`,
    () => `AVG(${r.pick(numeric)})`,
    () => `MIN(${r.pick(any)})`,
    () => `MAX(${r.pick(any)})`,
    () => `COUNT(DISTINCT ${r.pick(any)})`,
  ])();
}

// The FROM clause of an aggregate: a fact, the UNION ALL of both, or a fact joined to the
// dimension; every form names its fact columns t.*.
function aggregateSource(r) {
  const single = () => ({ from: `${r.pick(['s1', 's2'])} t`, joined: false, sources: null });
  return r.pick([
    single,
    single,
    () => ({ from: '(SELECT id, k1, k2, v, n FROM s1 UNION ALL SELECT id, k1, k2, v, n FROM s2) t', joined: false, sources: ['s1', 's2'] }),
    () => ({ from: `s1 t ${r.pick(['JOIN', 'LEFT JOIN'])} d ON t.k2 = d.k2`, joined: true, sources: ['s1', 'd'] }),
  ])();
}

function aggregateQuery(r) {
  const source = aggregateSource(r);
  const keyChoices = ['t.k1', 't.k2', 't.k2 % 2', ...(source.joined ? ['d.label'] : [])];
  const keyCount = r.chance(0.1) ? 0 : r.int(1, 2);
  const keys = r.some(keyChoices, keyCount);
  const outer = r.chance(0.15);
  const aggregates = Array.from({ length: r.int(1, 4) }, () => aggregateCall(r, source.joined));
  if (outer) aggregates[0] = 'COUNT(*)';
  const select = [...keys.map((k, i) => `${k} AS g${i}`), ...aggregates.map((a, i) => `${a} AS a${i}`)];
  let sql = `SELECT ${select.join(', ')} FROM ${source.from}`;
  if (r.chance(0.4)) sql += ` WHERE ${factPredicate(r, 't.')}`;
  if (keys.length > 0) sql += ` GROUP BY ${keys.join(', ')}`;
  if (keys.length > 0 && r.chance(0.25)) {
    sql += ` HAVING ${r.pick(['COUNT(*) > 1', `SUM(t.n) > ${r.int(0, 6)}`, 'MIN(t.v) < 0', 'COUNT(t.v) >= 1'])}`;
  }
  if (outer) {
    const columns = [...keys.map((_, i) => `q.g${i}`), 'q.a0 * 10 AS a0x', ...aggregates.slice(1).map((_, i) => `q.a${i + 1}`)];
    sql = `SELECT ${columns.join(', ')} FROM (${sql}) q WHERE q.a0 >= 2`;
  }
  return { kind: 'aggregate', select: sql, sources: source.sources ?? [source.from.split(' ')[0]] };
}

function filterProjectQuery(r) {
  const table = r.pick(['s1', 's2']);
  const columns = r.some(['t.id', 't.k1', 't.v * 2 AS v2', 't.n + 1 AS n1', 'COALESCE(t.k2, -1) AS k2c',
    'CASE WHEN t.v > 0 THEN t.k1 ELSE \'neg\' END AS sign'], r.int(2, 4));
  return { kind: 'filter-project', select: `SELECT ${columns.join(', ')} FROM ${table} t WHERE ${factPredicate(r, 't.')}`, sources: [table] };
}

function unionQuery(r) {
  const branch = (table) => `SELECT t.id, t.k1, t.v FROM ${table} t${r.chance(0.7) ? ` WHERE ${factPredicate(r, 't.')}` : ''}`;
  return { kind: 'union all', select: `${branch('s1')} UNION ALL ${branch('s2')}`, sources: ['s1', 's2'] };
}

function joinQuery(r) {
  if (r.chance(0.6)) {
    const join = r.pick(['JOIN', 'LEFT JOIN']);
    const where = r.chance(0.5) ? ` WHERE ${factPredicate(r, 't.')}` : '';
    return { kind: 'join', select: `SELECT t.id, t.v, d.label, d.w FROM s1 t ${join} d ON t.k2 = d.k2${where}`, sources: ['s1', 'd'] };
  }
  return { kind: 'join', select: 'SELECT t.id, u.id AS uid, t.n + u.n AS nn FROM s1 t JOIN s2 u ON t.k1 = u.k1'
    + (r.chance(0.5) ? ` AND t.k2 = u.k2` : '') + (r.chance(0.5) ? ` WHERE ${factPredicate(r, 'u.')}` : ''),
  sources: ['s1', 's2'] };
}

export function generateQuery(r) {
  const x = r.next();
  if (x < 0.55) return aggregateQuery(r);
  if (x < 0.7) return filterProjectQuery(r);
  if (x < 0.85) return unionQuery(r);
  return joinQuery(r);
}

// One mutation of one source: { what, statements }.
function mutation(r, rows) {
  const table = r.pick(['s1', 's1', 's2', 'd']);
  const predicate = () => (table === 'd' ? dimPredicate(r) : factPredicate(r, ''));
  const kind = r.pick(['insert', 'insert', 'insert', 'delete', 'delete', 'duplicate', 'update', 'move back',
    'delete none', 'delete all']);
  switch (kind) {
  case 'insert': return { what: `insert into ${table}`, statements: [`INSERT INTO ${table} VALUES ${rows.rows(table, r.int(1, 6))}`] };
  case 'delete': return { what: `delete from ${table}`, statements: [`DELETE FROM ${table} WHERE ${predicate()}`] };
  case 'duplicate': return { what: `duplicate rows of ${table}`, statements: [`INSERT INTO ${table} SELECT * FROM ${table} WHERE ${predicate()}`] };
  case 'update': {
    const p = predicate();
    return { what: `update ${table}`, statements: [`DELETE FROM ${table} WHERE ${p}`, `INSERT INTO ${table} VALUES ${rows.rows(table, r.int(1, 4))}`] };
  }
  case 'move back': { // rows leave and come back: a rewrite with no logical change
    const p = predicate();
    return { what: `rewrite ${table} (rows out and back)`, statements: [`INSERT INTO ${table}_parked SELECT * FROM ${table} WHERE ${p}`,
      `DELETE FROM ${table} WHERE ${p}`, `INSERT INTO ${table} SELECT * FROM ${table}_parked`, `DELETE FROM ${table}_parked`] };
  }
  case 'delete none': return { what: `delete nothing from ${table}`, statements: [`DELETE FROM ${table} WHERE ${table === 'd' ? 'k2 > 100' : 'id < 0'}`] };
  default: return { what: `delete all of ${table}`, statements: [`DELETE FROM ${table}`] };
  }
}

// A generated lake: sources with initial rows, `queryCount` queries (each created twice: name_a
// AUTO, name_f FULL), and `stepCount` steps, each 0-3 mutations followed by `refresh --all`.
// One case = one query with the lake's mutation sequence, checked after creation and every step.
export function generateLake(seed, queryCount, stepCount) {
  const r = randomSource(seed);
  const rows = new RowMaker(r);
  const setup = [];
  for (const table of ['s1', 's2']) {
    setup.push(`CREATE TABLE ${table} (${FACT_COLUMNS})`, `CREATE TABLE ${table}_parked (${FACT_COLUMNS})`);
    setup.push(`INSERT INTO ${table} VALUES ${rows.rows(table, r.int(6, 14))}`);
  }
  setup.push(`CREATE TABLE d (${DIM_COLUMNS})`, `CREATE TABLE d_parked (${DIM_COLUMNS})`, `INSERT INTO d VALUES ${rows.rows('d', r.int(3, 6))}`);
  const queries = Array.from({ length: queryCount }, (_, i) => ({ name: `q${i}`, ...generateQuery(r) }));
  const steps = Array.from({ length: stepCount }, () => {
    const count = r.chance(0.1) ? 0 : r.int(1, 3);
    return Array.from({ length: count }, () => mutation(r, rows));
  });
  return { seed, setup, queries, steps };
}

export function createStatements(queries) {
  return queries.flatMap((q) => [`CREATE DYNAMIC TABLE ${q.name}_a REFRESH_MODE = AUTO AS ${q.select}`,
    `CREATE DYNAMIC TABLE ${q.name}_f REFRESH_MODE = FULL AS ${q.select}`]);
}
