// Description: incremental refreshes of aggregating dynamic tables over joins (engine/delta_plan.h:
// inner and left equi-joins of any number of tables, self-joins). Scenarios: orders JOIN
// customers grouped by segment (orders appended and deleted, customers added and moved); a LEFT
// join whose customers are deleted and added again (rows flip between a segment and the NULL
// group); three tables; a self-join (one table read at two versions in one refresh). After every
// refresh each table's line must say "incremental", and the table must equal DuckDB's query over
// the sources (read with icebird) and, exactly, its REFRESH_MODE = FULL twin
// (lib/incremental_cases.mjs's checks).
// Env: FLOE_ENGINE = the floe-engine binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Lake, Oracle, checkDynamicTable, scratchDirectory } from './lib/incremental_cases.mjs';

const work = scratchDirectory('floe-ijoin-');
let oracle;

before(async () => { oracle = await Oracle.create(); });
after(() => fs.rmSync(work, { recursive: true, force: true }));

// A dynamic table (AUTO) and its FULL twin `<name>_full`.
function pair(name, select, sources) {
  return { name, select, sources: sources.map((s) => `default.${s}`), twin: `${name}_full` };
}

function createPairs(lake, tables) {
  lake.sql(tables.flatMap((t) => [`CREATE DYNAMIC TABLE ${t.name} AS ${t.select}`,
    `CREATE DYNAMIC TABLE ${t.twin} REFRESH_MODE = FULL AS ${t.select}`]));
}

// Applies `statements`, refreshes every table, asserts each one of `tables` refreshed
// incrementally and checks it against DuckDB and its twin.
async function step(lake, label, statements, sources, tables) {
  lake.sql(statements);
  const out = lake.ok(['refresh', '--all']);
  for (const t of tables) {
    const line = out.split('\n').find((l) => l.startsWith(`default.${t.name}: `));
    assert.ok(line, `${label}: no refresh line for ${t.name}:\n${out}`);
    assert.match(line, /^default\.\w+: refresh \d+, incremental: /, `${label}: ${line}`);
  }
  for (const s of sources) await oracle.load(lake, s);
  const problems = [];
  for (const t of tables) {
    const result = await checkDynamicTable(lake, oracle, t);
    problems.push(...result.problems);
    assert.equal(result.mode, 'incremental', `${label}: ${t.name}`);
  }
  assert.deepEqual(problems, [], `${label}:\n${problems.join('\n')}`);
}

function orderRows(first, count) {
  const rows = [];
  for (let i = first; i < first + count; i++) {
    const customer = i % 13 === 0 ? 'NULL' : String(i % 11); // customer 10 never exists
    rows.push(`(${i}, ${customer}, ${(i * 37) % 500})`);
  }
  return rows.join(', ');
}

function createOrdersAndCustomers(lake) {
  lake.sql(['CREATE TABLE customers (id BIGINT, segment VARCHAR, region VARCHAR)',
    'CREATE TABLE orders (oid BIGINT, customer_id BIGINT, amount BIGINT)',
    "INSERT INTO customers VALUES (0, 'retail', 'east'), (1, 'retail', 'west'), (2, 'corp', 'east'), "
      + "(3, 'gov', 'north'), (4, 'corp', 'west'), (5, 'retail', NULL), (6, 'smb', 'east'), "
      + "(7, 'smb', 'south'), (8, 'corp', 'north'), (9, 'gov', 'east'), (NULL, 'ghost', 'east')",
    `INSERT INTO orders VALUES ${orderRows(0, 200)}`]);
}

test('orders JOIN customers grouped by segment: either side changes', async () => {
  const lake = new Lake(path.join(work, 'segments'));
  createOrdersAndCustomers(lake);
  const tables = [
    pair('by_segment', 'SELECT c.segment, COUNT(*) AS n, SUM(o.amount) AS total FROM orders o '
      + 'JOIN customers c ON o.customer_id = c.id GROUP BY c.segment', ['orders', 'customers']),
    pair('by_region', 'SELECT c.region, MAX(o.amount) AS hi, COUNT(DISTINCT o.customer_id) AS buyers '
      + 'FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.amount > 50 GROUP BY c.region',
    ['orders', 'customers']),
  ];
  createPairs(lake, tables);
  const sources = ['orders', 'customers'];
  await step(lake, 'orders appended', [`INSERT INTO orders VALUES ${orderRows(200, 40)}`], sources, tables);
  await step(lake, 'a customer added, one duplicated', ["INSERT INTO customers VALUES (10, 'new', 'west'), "
    + "(3, 'gov-bis', 'south')"], sources, tables);
  await step(lake, 'orders deleted', ['DELETE FROM orders WHERE amount < 100'], sources, tables);
  await step(lake, 'a customer moves (delete + insert) while orders arrive', ['DELETE FROM customers WHERE id = 2',
    "INSERT INTO customers VALUES (2, 'smb', 'north')", `INSERT INTO orders VALUES ${orderRows(300, 25)}`],
  sources, tables);
  await step(lake, 'a segment emptied', ["DELETE FROM customers WHERE segment = 'retail'"], sources, tables);
});

test('LEFT JOIN: customers deleted and added again', async () => {
  const lake = new Lake(path.join(work, 'left'));
  createOrdersAndCustomers(lake);
  const tables = [
    pair('left_segment', 'SELECT c.segment, COUNT(*) AS n, COUNT(c.id) AS matched, SUM(o.amount) AS total '
      + 'FROM orders o LEFT JOIN customers c ON o.customer_id = c.id GROUP BY c.segment', ['orders', 'customers']),
    pair('left_east', "SELECT o.customer_id, COUNT(*) AS n, MIN(c.segment) AS seg FROM orders o LEFT JOIN customers c "
      + "ON o.customer_id = c.id AND c.region = 'east' GROUP BY o.customer_id", ['orders', 'customers']),
  ];
  createPairs(lake, tables);
  const sources = ['orders', 'customers'];
  await step(lake, 'customers deleted', ['DELETE FROM customers WHERE id IN (1, 2, 6)'], sources, tables);
  await step(lake, 'customers added again', ["INSERT INTO customers VALUES (1, 'retail', 'east'), "
    + "(2, 'gov', 'west'), (10, 'late', 'east')"], sources, tables);
  await step(lake, 'orders and customers together', [`INSERT INTO orders VALUES ${orderRows(500, 30)}`,
    'DELETE FROM customers WHERE id > 7'], sources, tables);
  await step(lake, 'every customer gone', ['DELETE FROM customers WHERE id >= 0'], sources, tables);
  await step(lake, 'customers back', ["INSERT INTO customers VALUES (0, 'retail', 'east'), (3, 'gov', 'east')"],
    sources, tables);
});

test('three tables: orders, customers, regions', async () => {
  const lake = new Lake(path.join(work, 'three'));
  createOrdersAndCustomers(lake);
  lake.sql(["CREATE TABLE regions (name VARCHAR, manager VARCHAR)",
    "INSERT INTO regions VALUES ('east', 'ann'), ('west', 'bob'), ('north', 'cid'), ('east', 'dee')"]);
  const tables = [
    pair('by_manager', 'SELECT r.manager, COUNT(*) AS n, SUM(o.amount) AS total FROM orders o '
      + 'JOIN customers c ON o.customer_id = c.id JOIN regions r ON c.region = r.name GROUP BY r.manager',
    ['orders', 'customers', 'regions']),
    pair('by_manager_left', 'SELECT r.manager, c.segment, COUNT(*) AS n FROM orders o '
      + 'LEFT JOIN customers c ON o.customer_id = c.id LEFT JOIN regions r ON c.region = r.name '
      + 'GROUP BY r.manager, c.segment', ['orders', 'customers', 'regions']),
  ];
  createPairs(lake, tables);
  const sources = ['orders', 'customers', 'regions'];
  await step(lake, 'a region gains a manager', ["INSERT INTO regions VALUES ('south', 'eve'), ('west', 'fay')"],
    sources, tables);
  await step(lake, 'a manager leaves, orders arrive', ["DELETE FROM regions WHERE manager = 'ann'",
    `INSERT INTO orders VALUES ${orderRows(700, 20)}`], sources, tables);
  await step(lake, 'every table changes', ["DELETE FROM customers WHERE region = 'north'",
    "INSERT INTO customers VALUES (11, 'smb', 'west')", `INSERT INTO orders VALUES ${orderRows(800, 15)}`,
    "DELETE FROM regions WHERE name = 'south'"], sources, tables);
});

test('self-join: employees and their bosses', async () => {
  const lake = new Lake(path.join(work, 'self'));
  lake.sql(['CREATE TABLE staff (id BIGINT, boss BIGINT, name VARCHAR, pay BIGINT)',
    "INSERT INTO staff VALUES (1, NULL, 'ceo', 500), (2, 1, 'cto', 300), (3, 1, 'cfo', 300), "
      + "(4, 2, 'dev1', 100), (5, 2, 'dev2', 110), (6, 3, 'acc', 90), (7, 9, 'lost', 10)"]);
  const tables = [
    pair('team_pay', 'SELECT b.name AS boss, COUNT(*) AS reports, SUM(e.pay) AS pay FROM staff e '
      + 'JOIN staff b ON e.boss = b.id GROUP BY b.name', ['staff']),
    pair('team_pay_left', 'SELECT b.name AS boss, COUNT(*) AS people, MAX(e.pay) AS top FROM staff e '
      + 'LEFT JOIN staff b ON e.boss = b.id GROUP BY b.name', ['staff']),
  ];
  createPairs(lake, tables);
  await step(lake, 'hires', ["INSERT INTO staff VALUES (8, 4, 'intern', 20), (9, 1, 'coo', 280)"], ['staff'], tables);
  await step(lake, 'a boss leaves', ['DELETE FROM staff WHERE id = 2'], ['staff'], tables);
  await step(lake, 'a new boss for the team', ["INSERT INTO staff VALUES (2, 9, 'cto2', 310)",
    'DELETE FROM staff WHERE pay < 25'], ['staff'], tables);
});
