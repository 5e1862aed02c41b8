// Description: incremental maintenance of a non-aggregating dynamic table (engine/refresh_rows.c):
// a filter-project table over an append stream with copy-on-write DELETEs and updates (delete +
// insert) in between. After every refresh: the table (read by icebird, position deletes applied)
// equals DuckDB's evaluation of its SELECT and its FULL twin (lib/incremental_cases.mjs), the
// refresh was incremental, and DuckDB reading the table's live data files minus the rows its
// position-delete files name (read_parquet of both, as listed by the Iceberg metadata) gives the
// same rows: what any engine that applies position deletes sees.
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Lake, Oracle, checkDynamicTable, scratchDirectory } from './lib/incremental_cases.mjs';

const work = scratchDirectory('floe-irows-');
let oracle;

before(async () => { oracle = await Oracle.create(); });
after(() => fs.rmSync(work, { recursive: true, force: true }));

const SELECT = 'SELECT id, customer_id, amount * 2 AS a2, region FROM orders WHERE amount > 10';
const COLUMNS = 'id, customer_id, a2, region';

// The live data and position-delete files of the table's current snapshot, from `table show`.
function liveFiles(lake, name) {
  const text = lake.ok(['table', 'show', `default.${name}`]);
  const files = { data: [], deletes: [] };
  for (const line of text.split('\n')) {
    const match = /^\s+(data|position-deletes)\s+.*\s(\/\S+\.parquet)/.exec(line);
    if (match) (match[1] === 'data' ? files.data : files.deletes).push(match[2]);
  }
  return files;
}

const list = (paths) => `[${paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`;

// Rows of the data files minus the deleted positions, compared with the SELECT in DuckDB (the
// oracle holds the sources' current rows): the multiset difference both ways must be empty.
async function checkFilesMinusDeletes(lake, name) {
  const { data, deletes } = liveFiles(lake, name);
  const summary = lake.metadata(name).summary;
  assert.equal(String(data.length), summary['total-data-files'], 'table show lists every data file');
  assert.equal(String(deletes.length), summary['total-delete-files'], 'and every delete file');
  let live;
  if (data.length === 0) {
    live = `SELECT ${COLUMNS} FROM (${SELECT}) WHERE false`;
  } else {
    const rows = `read_parquet(${list(data)}, filename = true, file_row_number = true)`;
    live = deletes.length === 0 ? `SELECT ${COLUMNS} FROM ${rows}`
      : `SELECT ${COLUMNS} FROM ${rows} d WHERE NOT EXISTS (SELECT 1 FROM read_parquet(${list(deletes)}) x `
        + 'WHERE x.file_path = d.filename AND x.pos = d.file_row_number)';
  }
  const [[extra, missing]] = await oracle.evaluate(`SELECT
      (SELECT count(*) FROM (${live} EXCEPT ALL SELECT ${COLUMNS} FROM (${SELECT}))),
      (SELECT count(*) FROM (SELECT ${COLUMNS} FROM (${SELECT}) EXCEPT ALL ${live}))`);
  assert.equal(Number(extra) + Number(missing), 0,
    `${name}: data files minus position deletes have ${extra} rows too many, ${missing} missing`);
  return { data: data.length, deletes: deletes.length };
}

test('a filter-project table through appends, deletes and updates', async () => {
  const lake = new Lake(path.join(work, 'orders'));
  const regions = ['north', 'south', 'east', 'west', null];
  const row = (id, amount) => `(${id}, ${id % 13}, ${amount === null ? 'NULL' : amount}, `
    + `${regions[id % 5] === null ? 'NULL' : `'${regions[id % 5]}'`})`;
  const batch = (first, count) => Array.from({ length: count },
    (_, i) => row(first + i, ((first + i) * 37) % 41 - 5 + ((first + i) % 4) / 4)).join(', ');
  lake.sql(['CREATE TABLE orders (id BIGINT, customer_id BIGINT, amount DOUBLE, region VARCHAR)',
    `INSERT INTO orders VALUES ${batch(0, 40)}`,
    `INSERT INTO orders VALUES ${batch(0, 5)}`, // equal rows in two source files
    `CREATE DYNAMIC TABLE big REFRESH_MODE = INCREMENTAL AS ${SELECT}`,
    `CREATE DYNAMIC TABLE big_full REFRESH_MODE = FULL AS ${SELECT}`]);
  const table = { name: 'big', select: SELECT, twin: 'big_full', sources: ['default.orders'] };
  let next = 100;
  let mostDeletes = 0;
  let compactions = 0;
  for (let round = 0; round < 24; round++) {
    const statements = [`INSERT INTO orders VALUES ${batch(next, 3 + (round % 5))}`];
    next += 20;
    if (round % 3 === 1) statements.push(`DELETE FROM orders WHERE id % 11 = ${round % 11}`);
    if (round % 4 === 2) { // an update: the same ids with other values
      statements.push(`DELETE FROM orders WHERE id % 17 = ${round % 17}`,
        `INSERT INTO orders VALUES ${Array.from({ length: 3 }, (_, i) => row(round % 17 + 17 * i, 50 + round)).join(', ')}`);
    }
    if (round === 20) statements.push('DELETE FROM orders WHERE amount > 30');
    lake.sql(statements);
    const before = lake.metadata('big').summary['total-delete-files'];
    lake.ok(['refresh', 'big', 'big_full']);
    const summary = lake.metadata('big').summary;
    assert.equal(summary['floe.refresh-mode'], 'incremental',
      `round ${round}: ${summary['floe.refresh-reason']}`);
    await oracle.load(lake, 'orders');
    const result = await checkDynamicTable(lake, oracle, table);
    assert.deepEqual(result.problems, [], `round ${round}:\n${result.problems.join('\n')}`);
    const files = await checkFilesMinusDeletes(lake, 'big');
    mostDeletes = Math.max(mostDeletes, files.deletes);
    if (Number(summary['total-delete-files']) < Number(before)) compactions++;
  }
  assert.ok(mostDeletes > 0, 'some refresh retracted rows through position deletes');
  assert.ok(compactions > 0, 'some refresh compacted deleted rows away');
});
