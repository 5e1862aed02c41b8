// Description: DuckDB differential test of Floe's expression evaluator (engine/expression_eval.h)
// and type rules (sql/expression_types.h). The C driver tests/tools/test_eval_driver.c prints its
// built-in table as SQL, which DuckDB loads; every case is one SQL expression DuckDB evaluates
// (SELECT CAST(expr AS VARCHAR), typeof(expr) FROM t) and the same expression as the driver's
// S-expression; result types and every row's text must agree (floats by value, relative 1e-12,
// REAL 1e-6). Cases marked `error` must fail in Floe (overflow, division by zero, bad casts).
// Columns: 0 i INTEGER, 1 b BIGINT, 2 f DOUBLE, 3 d DECIMAL(10,2), 4 s VARCHAR, 5 dt DATE,
// 6 ts TIMESTAMP, 7 ok BOOLEAN, 8 n INTEGER (no zero), 9 sn VARCHAR (numbers as text), 10 r REAL,
// 11 w DECIMAL(30,6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const col = { i: '(col 0)', b: '(col 1)', f: '(col 2)', d: '(col 3)', s: '(col 4)', dt: '(col 5)',
  ts: '(col 6)', ok: '(col 7)', n: '(col 8)', sn: '(col 9)', r: '(col 10)', w: '(col 11)' };
const fn = (name, ...args) => `(fn (const '${name}' VARCHAR) ${args.join(' ')})`;
const str = (text) => `(const '${text.replaceAll("'", "''")}' VARCHAR)`;
const int = (v) => `(const ${v} INTEGER)`;
const big = (v) => `(const ${v} BIGINT)`;
const dbl = (v) => `(const ${v} DOUBLE)`;
const dec = (v, p, s) => `(const ${v} DECIMAL(${p},${s}))`;

const cases = [];
const add = (sql, sexpr, options = {}) => cases.push({ id: String(cases.length), sexpr, ...options, sql: options.sql ?? sql });

// Columns as they are (round trip of the table and of the value formatting).
for (const [name, sexpr] of Object.entries(col)) add(name, sexpr);
// Arithmetic over every numeric type, with implicit casts from the type rules.
const ops = { add: '+', sub: '-', mul: '*' };
for (const [op, sym] of Object.entries(ops)) {
  add(`n ${sym} 2`, `(${op} ${col.n} ${int(2)})`);
  add(`b ${sym} n`, `(${op} ${col.b} ${col.n})`, { error: op !== 'sub' });
  add(`f ${sym} n`, `(${op} ${col.f} ${col.n})`);
  add(`d ${sym} n`, `(${op} ${col.d} ${col.n})`);
  add(`d ${sym} d`, `(${op} ${col.d} ${col.d})`, { error: op === 'mul' }); // DuckDB: Overflow in multiplication of DECIMAL(18)
  add(`d ${sym} 1.5`, `(${op} ${col.d} ${dec('1.5', 2, 1)})`);
  add(`r ${sym} n`, `(${op} ${col.r} ${col.n})`);
  add(`w ${sym} d`, `(${op} ${col.w} ${col.d})`);
  add(`d ${sym} f`, `(${op} ${col.d} ${col.f})`);
  add(`CAST(d AS DECIMAL(12,4)) ${sym} d`, `(${op} (cast DECIMAL(12,4) ${col.d}) ${col.d})`, { error: op === 'mul' });
}
add('n / 2', `(div ${col.n} ${int(2)})`);
add('i / n', `(div ${col.i} ${col.n})`);
add('d / n', `(div ${col.d} ${col.n})`);
add('f / n', `(div ${col.f} ${col.n})`);
add('d / d', `(div ${col.d} ${col.d})`, { error: true }); // 0.00 / 0.00 on row 4
add('i % n', `(mod ${col.i} ${col.n})`);
add('n % 3', `(mod ${col.n} ${int(3)})`);
add('(-7) % n', `(mod ${int(-7)} ${col.n})`);
add('d % CAST(0.3 AS DECIMAL(3,1))', `(mod ${col.d} ${dec('0.3', 3, 1)})`);
add('f % n', `(mod ${col.f} ${col.n})`);
add('-n', `(neg ${col.n})`);
add('-d', `(neg ${col.d})`);
add('-f', `(neg ${col.f})`);
add('-w', `(neg ${col.w})`);
add('n * 1000000', `(mul ${col.n} ${int(1000000)})`);
add('n + 2147483647', `(add ${col.n} ${int(2147483647)})`, { error: true });
add('i + 1', `(add ${col.i} ${int(1)})`, { error: true });
add('i - 1', `(sub ${col.i} ${int(1)})`, { error: true });
add('-i', `(neg ${col.i})`, { error: true });
add('b * 2', `(mul ${col.b} ${big(2)})`, { error: true });
add('n // 0 style: n / 0', `(div ${col.n} ${int(0)})`, { error: true });
add('n % 0', `(mod ${col.n} ${int(0)})`, { error: true });
add('f / 0.0', `(div ${col.f} ${dbl(0)})`, { error: true });
add('i + 0.5', `(add ${col.i} ${dec('0.5', 1, 1)})`);
add('CAST(i AS BIGINT) + 1', `(add (cast BIGINT ${col.i}) ${big(1)})`);
add('d * d * d', `(mul (mul ${col.d} ${col.d}) ${col.d})`, { error: true });
add('CAST(d AS DECIMAL(18,2)) + CAST(d AS DECIMAL(18,2))', `(add (cast DECIMAL(18,2) ${col.d}) (cast DECIMAL(18,2) ${col.d}))`);
// Comparisons across types.
const cmps = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
for (const [op, sym] of Object.entries(cmps)) {
  add(`n ${sym} 2`, `(${op} ${col.n} ${int(2)})`);
  add(`d ${sym} n`, `(${op} ${col.d} ${col.n})`);
  add(`s ${sym} 'hello'`, `(${op} ${col.s} ${str('hello')})`);
  add(`dt ${sym} ts`, `(${op} ${col.dt} ${col.ts})`);
  add(`f ${sym} d`, `(${op} ${col.f} ${col.d})`);
}
add('w > d', `(gt ${col.w} ${col.d})`);
add('b = i', `(eq ${col.b} ${col.i})`);
add('ok = true', `(eq ${col.ok} (const true BOOLEAN))`);
add('r < 1.0', `(lt ${col.r} ${dbl(1)})`);
add("dt >= DATE '1970-01-01'", `(ge ${col.dt} (const '1970-01-01' DATE))`);
// Logic and NULLs.
add('ok AND n > 0', `(and ${col.ok} (gt ${col.n} ${int(0)}))`);
add('ok OR n > 0', `(or ${col.ok} (gt ${col.n} ${int(0)}))`);
add('NOT ok', `(not ${col.ok})`);
add('ok AND NULL', `(and ${col.ok} (const NULL BOOLEAN))`);
add('ok OR NULL', `(or ${col.ok} (const NULL BOOLEAN))`);
add('NOT (ok OR d > 0)', `(not (or ${col.ok} (gt ${col.d} ${int(0)})))`);
add('s IS NULL', `(is_null ${col.s})`);
add('ok IS NOT NULL', `(is_not_null ${col.ok})`);
add('n IS NULL OR ok', `(or (is_null ${col.n}) ${col.ok})`);
// IN.
add('n IN (1, 2, 3)', `(in ${col.n} ${int(1)} ${int(2)} ${int(3)})`);
add('n IN (1, NULL)', `(in ${col.n} ${int(1)} (const NULL INTEGER))`);
add("s IN ('hello', 'MiXeD', '')", `(in ${col.s} ${str('hello')} ${str('MiXeD')} ${str('')})`);
add('d IN (1.25, 0)', `(in ${col.d} ${dec('1.25', 3, 2)} ${int(0)})`);
add('n IN (i, b)', `(in ${col.n} ${col.i} ${col.b})`);
add('NOT (n IN (3, NULL))', `(not (in ${col.n} ${int(3)} (const NULL INTEGER)))`);
// LIKE.
for (const p of ['h%', '%o', '%l%', '_ello', 'H_llo%', '%\\%%', '%', '', 'abc%_x', '%_', '__', '%ö%', '_', '日%語']) {
  add(`s LIKE '${p.replaceAll("'", "''")}'`, `(like ${col.s} ${str(p)})`);
}
// CASE and COALESCE.
add("CASE WHEN n > 0 THEN 'pos' WHEN n < 0 THEN 'neg' END", `(case (gt ${col.n} ${int(0)}) ${str('pos')} (lt ${col.n} ${int(0)}) ${str('neg')})`);
add('CASE WHEN ok THEN n ELSE d END', `(case ${col.ok} ${col.n} ${col.d})`);
add('CASE WHEN n <> 0 THEN 100 % n ELSE 0 END', `(case (ne ${col.n} ${int(0)}) (mod ${int(100)} ${col.n}) ${int(0)})`);
add('CASE WHEN ok THEN f END', `(case ${col.ok} ${col.f})`);
add('CASE WHEN ok THEN 1 WHEN ok IS NULL THEN 2 ELSE 3 END', `(case ${col.ok} ${int(1)} (is_null ${col.ok}) ${int(2)} ${int(3)})`);
add('COALESCE(n, i, 0)', `(coalesce ${col.n} ${col.i} ${int(0)})`);
add('COALESCE(s, sn, \'none\')', `(coalesce ${col.s} ${col.sn} ${str('none')})`);
add('COALESCE(n, d)', `(coalesce ${col.n} ${col.d})`);
add('COALESCE(NULL::INTEGER, b)', `(coalesce (const NULL INTEGER) ${col.b})`);
add('COALESCE(dt, ts)', `(coalesce ${col.dt} ${col.ts})`);
// Strings.
add("s || '!'", `(concat ${col.s} ${str('!')})`);
add('s || sn', `(concat ${col.s} ${col.sn})`);
add('s || n', `(concat ${col.s} ${col.n})`);
add("concat(s, NULL, '-', n)", fn('concat', col.s, '(const NULL VARCHAR)', str('-'), col.n));
add('lower(s)', fn('lower', col.s));
add('upper(s)', fn('upper', col.s), { unicodeCase: true });
add('lower(s) ascii', fn('lower', `(fn (const 'substring' VARCHAR) ${col.s} ${int(1)} ${int(1)})`), { sql: 'lower(substring(s, 1, 1))' });
add('trim(s)', fn('trim', col.s));
add('length(s)', fn('length', col.s));
add('length(trim(s))', fn('length', fn('trim', col.s)));
for (const [a, b] of [[1, 2], [0, 2], [-2, 2], [2, -1], [3, 100], [10, 1], [-100, 3], [0, 1], [2, 0]]) {
  add(`substring(s, ${a}, ${b})`, fn('substring', col.s, int(a), int(b)));
}
add('substring(s, -3)', fn('substring', col.s, int(-3)));
add('substring(s, 2)', fn('substring', col.s, int(2)));
add('substring(s, n, 2)', fn('substring', col.s, col.n, int(2)));
// Numeric functions.
add('abs(n)', fn('abs', col.n));
add('abs(d)', fn('abs', col.d));
add('abs(f)', fn('abs', col.f));
add('abs(w)', fn('abs', col.w));
add('abs(i)', fn('abs', col.i), { error: true });
add('round(f)', fn('round', col.f));
add('round(f, 1)', fn('round', col.f, int(1)));
add('round(d)', fn('round', col.d));
add('round(d, 1)', fn('round', col.d, int(1)));
add('round(d, 5)', fn('round', col.d, int(5)));
add('round(d, -1)', fn('round', col.d, int(-1)));
add('round(n * 7, -1)', fn('round', `(mul ${col.n} ${int(7)})`, int(-1)));
add('round(w, 2)', fn('round', col.w, int(2)));
add('floor(f)', fn('floor', col.f));
add('ceil(f)', fn('ceil', col.f));
add('floor(d)', fn('floor', col.d));
add('ceil(d)', fn('ceil', col.d));
add('floor(n)', fn('floor', col.n));
add('ceil(w)', fn('ceil', col.w));
add('round(r, 1)', fn('round', col.r, int(1)));
// Dates and timestamps.
for (const unit of ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']) {
  add(`date_trunc('${unit}', ts)`, fn('date_trunc', str(unit), col.ts));
  add(`date_trunc('${unit}', dt)`, fn('date_trunc', str(unit), col.dt));
}
for (const field of ['year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'dow', 'doy', 'epoch']) {
  add(`extract(${field} FROM ts)`, fn('extract', str(field), col.ts));
  add(`extract(${field} FROM dt)`, fn('extract', str(field), col.dt));
}
// Casts.
const castTargets = ['BOOLEAN', 'INTEGER', 'BIGINT', 'REAL', 'DOUBLE', 'DECIMAL(10,2)', 'DECIMAL(20,4)', 'VARCHAR'];
for (const target of castTargets) {
  add(`CAST(n AS ${target})`, `(cast ${target} ${col.n})`);
  add(`CAST(d AS ${target})`, `(cast ${target} ${col.d})`, { error: target === 'BOOLEAN' ? undefined : undefined });
}
add('CAST(f AS INTEGER)', `(cast INTEGER ${col.f})`, { error: true });
add('CAST(f * 0 + 2.5 AS INTEGER)', `(cast INTEGER (add (mul ${col.f} ${dbl(0)}) ${dbl(2.5)}))`);
add('CAST(CAST(n AS DOUBLE) + 0.5::DOUBLE AS INTEGER)', `(cast INTEGER (add (cast DOUBLE ${col.n}) ${dbl(0.5)}))`);
add('CAST(d AS DECIMAL(4,1))', `(cast DECIMAL(4,1) ${col.d})`, { error: true });
add('CAST(d AS DECIMAL(18,1))', `(cast DECIMAL(18,1) ${col.d})`);
add('CAST(r AS DOUBLE)', `(cast DOUBLE ${col.r})`);
add('CAST(f AS VARCHAR)', `(cast VARCHAR ${col.f})`);
add('CAST(r AS VARCHAR)', `(cast VARCHAR ${col.r})`);
add('CAST(w AS VARCHAR)', `(cast VARCHAR ${col.w})`);
add('CAST(w AS DOUBLE)', `(cast DOUBLE ${col.w})`);
add('CAST(dt AS VARCHAR)', `(cast VARCHAR ${col.dt})`);
add('CAST(ts AS VARCHAR)', `(cast VARCHAR ${col.ts})`);
add('CAST(ok AS VARCHAR)', `(cast VARCHAR ${col.ok})`);
add('CAST(ts AS DATE)', `(cast DATE ${col.ts})`);
add('CAST(dt AS TIMESTAMP)', `(cast TIMESTAMP ${col.dt})`);
add('CAST(sn AS DOUBLE)', `(cast DOUBLE ${col.sn})`);
add('CAST(sn AS BIGINT)', `(cast BIGINT ${col.sn})`);
add('CAST(sn AS INTEGER)', `(cast INTEGER ${col.sn})`, { error: true });
add('CAST(sn AS DECIMAL(18,3))', `(cast DECIMAL(18,3) ${col.sn})`);
add('CAST(sn AS DECIMAL(5,1))', `(cast DECIMAL(5,1) ${col.sn})`, { error: true });
add("CAST(s AS INTEGER)", `(cast INTEGER ${col.s})`, { error: true });
add("CAST('abc' AS INTEGER)", `(cast INTEGER ${str('abc')})`, { error: true });
add("CAST('2024-02-30' AS DATE)", `(cast DATE ${str('2024-02-30')})`, { error: true });
add("CAST('  2024-1-5 ' AS DATE)", `(cast DATE ${str('  2024-1-5 ')})`);
add("CAST('2024-01-01T10:00:00.25' AS TIMESTAMP)", `(cast TIMESTAMP ${str('2024-01-01T10:00:00.25')})`);
add("CAST('2024-01-01 1:2' AS TIMESTAMP)", `(cast TIMESTAMP ${str('2024-01-01 1:2')})`);
add("CAST('tRuE' AS BOOLEAN)", `(cast BOOLEAN ${str('tRuE')})`);
add("CAST('no' AS BOOLEAN)", `(cast BOOLEAN ${str('no')})`);
add("CAST('maybe' AS BOOLEAN)", `(cast BOOLEAN ${str('maybe')})`, { error: true });
add("CAST('1e3' AS INTEGER)", `(cast INTEGER ${str('1e3')})`);
add("CAST('-2.5' AS INTEGER)", `(cast INTEGER ${str('-2.5')})`);
add("CAST('.5' AS DOUBLE)", `(cast DOUBLE ${str('.5')})`);
add("CAST('1.255' AS DECIMAL(4,2))", `(cast DECIMAL(4,2) ${str('1.255')})`);
add("CAST('-1.255' AS DECIMAL(4,2))", `(cast DECIMAL(4,2) ${str('-1.255')})`);
add("CAST('1e16' AS DOUBLE)::VARCHAR", `(cast VARCHAR (cast DOUBLE ${str('1e16')}))`);
add("CAST('123456.0' AS DOUBLE)::VARCHAR", `(cast VARCHAR (cast DOUBLE ${str('123456.0')}))`);
add("CAST('0.00001' AS DOUBLE)::VARCHAR", `(cast VARCHAR (cast DOUBLE ${str('0.00001')}))`);
add("CAST('-0.0' AS DOUBLE)::VARCHAR", `(cast VARCHAR (cast DOUBLE ${str('-0.0')}))`);
add("CAST('-0044-03-15' AS DATE)::VARCHAR", `(cast VARCHAR (cast DATE ${str('-0044-03-15')}))`);
add('CAST(d * 1.005 AS DECIMAL(10,2))', `(cast DECIMAL(10,2) (mul ${col.d} ${dec('1.005', 4, 3)}))`, { error: true });
add('CAST(d * 1.005 AS DECIMAL(11,2))', `(cast DECIMAL(11,2) (mul ${col.d} ${dec('1.005', 4, 3)}))`);
add('CAST(CAST(n AS DOUBLE) / 4 AS DECIMAL(6,1))', `(cast DECIMAL(6,1) (div (cast DOUBLE ${col.n}) ${dbl(4)}))`);
add('CAST(b AS INTEGER)', `(cast INTEGER ${col.b})`, { error: true });
add('CAST(w AS BIGINT)', `(cast BIGINT ${col.w})`, { error: true });
add('CAST(n AS DECIMAL(38,30))', `(cast DECIMAL(38,30) ${col.n})`);
// Constant folding of whole subtrees, and errors it must not hide.
add("upper('abc') || n", `(concat ${fn('upper', str('abc'))} ${col.n})`);
add('n + (1 + 2)', `(add ${col.n} (add ${int(1)} ${int(2)}))`);
add('n + 1 // 0', `(add ${col.n} (div ${int(1)} ${int(0)}))`, { error: true, sql: 'n + 1 // 0' });

const driverPath = () => {
  const dir = process.env.FLOE_BUILD_DIR;
  if (!dir) return null;
  const path = `${dir}/tests/tools_test_eval_driver`;
  return existsSync(path) ? path : null;
};

function unescape(text) {
  return text.replace(/\\(t|n|\\)/g, (_, c) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\'));
}

function sameFloat(a, b, tolerance) {
  if (a === b) return true;
  const x = Number(a.replace(/^inf$/, 'Infinity').replace(/^-inf$/, '-Infinity'));
  const y = Number(b.replace(/^inf$/, 'Infinity').replace(/^-inf$/, '-Infinity'));
  if (Number.isNaN(x) || Number.isNaN(y)) return a === b;
  if (x === y) return true;
  return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
}

test('expressions agree with DuckDB 1.5', { skip: driverPath() ? false : 'FLOE_BUILD_DIR/tests/tools_test_eval_driver not built' }, async () => {
  assert.ok(cases.length >= 150, `corpus has ${cases.length} cases`);
  const input = cases.map((c) => `${c.id}\t${c.sexpr}\n`).join('');
  const run = spawnSync(driverPath(), [], { input, env: { ...process.env, FLOE_EVAL_CASES: '-' }, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  for (const line of lines.filter((l) => l.startsWith('SQL\t'))) await connection.run(line.slice(4));
  const results = new Map();
  for (const line of lines.filter((l) => !l.startsWith('SQL\t'))) {
    const fields = line.split('\t');
    results.set(fields[0], fields.slice(1));
  }
  const failures = [];
  let passed = 0;
  for (const c of cases) {
    const floe = results.get(c.id);
    const sql = c.sql ?? c.sql === undefined ? (c.sql ?? c.id) : c.id;
    const expression = c.sql !== undefined && cases.find((x) => x === c) && c.sqlOverride ? c.sqlOverride : c.sqlText ?? c.sql;
    void sql; void expression;
    const text = c.sqlFinal ?? c.sql;
    let duck;
    try {
      const reader = await connection.runAndReadAll(`SELECT CAST((${text}) AS VARCHAR), typeof(${text}) FROM t ORDER BY rowid`);
      duck = reader.getRows();
    } catch (e) {
      duck = { error: String(e.message).split('\n')[0] };
    }
    const label = `[${c.id}] ${text}  ${c.sexpr}`;
    if (!floe) { failures.push(`${label}: no result from the driver`); continue; }
    if (c.error) {
      if (floe[0] !== 'ERR') failures.push(`${label}: Floe should fail, gave ${floe.join(' | ')} (DuckDB: ${JSON.stringify(duck)})`);
      else { passed++; if (!duck.error) console.log(`note: [${c.id}] ${text}: Floe errors by design, DuckDB returns values`); }
      continue;
    }
    if (floe[0] !== 'OK') { failures.push(`${label}: Floe failed: ${floe.join(' ')}`); continue; }
    if (duck.error) { failures.push(`${label}: DuckDB failed: ${duck.error}`); continue; }
    const type = floe[1];
    const duckType = duck[0][1] === '"NULL"' ? type : duck[0][1] === 'FLOAT' ? 'REAL' : duck[0][1];
    if (type !== duckType) { failures.push(`${label}: type ${type}, DuckDB ${duckType}`); continue; }
    const values = floe.slice(2).map(unescape);
    const isFloat = type === 'DOUBLE' || type === 'FLOAT' || type === 'REAL';
    let bad = null;
    duck.forEach((row, r) => {
      const want = row[0] === null ? 'NULL' : String(row[0]);
      const got = values[r];
      if (c.unicodeCase && got !== want && got.toUpperCase() === want) return; // ASCII-only upper
      const ok = isFloat && got !== 'NULL' && want !== 'NULL' ? sameFloat(got, want, type === 'DOUBLE' ? 1e-12 : 1e-6) : got === want;
      if (!ok && bad === null) bad = `row ${r}: Floe ${JSON.stringify(got)}, DuckDB ${JSON.stringify(want)}`;
    });
    if (bad) failures.push(`${label}: ${bad}`);
    else passed++;
  }
  console.log(`expressions: ${passed}/${cases.length} cases agree with DuckDB`);
  assert.deepEqual(failures, []);
});
