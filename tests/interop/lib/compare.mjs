// compare.mjs — a query's result from Floe (`query --format json`, one JSON object per row) and
// from DuckDB, turned into canonical values and compared as multisets or as sequences.
//
// Columns are matched by position, never by name (Floe names `count(*)` what DuckDB names
// `count_star()`, and two unnamed expressions may share a name). DuckDB's column types decide
// how each column is compared; the value texts are those of DESIGN.md "CSV output", with DuckDB's
// values converted by lib/normalize.mjs independently of Floe's C code:
//   float  FLOAT, DOUBLE: numbers within a relative 1e-9 (order of summation, libm), FLOAT first
//          rounded to float32 on both sides (Floe prints the shortest float32 text, DuckDB hands
//          out the float widened); nan, inf, -inf equal only themselves.
//   exact  integer types, HUGEINT, DECIMAL(p,s): exact numbers, as digits without leading zeros
//          or trailing fraction zeros. This is where Floe's SUM of integers (DECIMAL(38,0)) meets
//          DuckDB's HUGEINT: the same number, different types (sql/binder.h).
//   text   everything else (BOOLEAN, DATE, TIMESTAMP[TZ], VARCHAR, BLOB): the exact text.
// A column DuckDB types as one class and Floe prints in another form fails (a float where an
// exact number is due does not become equal by tolerance).
import { duckdbCanonical } from './normalize.mjs';

const EXACT_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
  'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);
export const FLOAT_TOLERANCE = 1e-9;

export function columnClass(type) {
  if (type === 'FLOAT' || type === 'DOUBLE') return 'float';
  if (EXACT_TYPES.has(type) || type.startsWith('DECIMAL')) return 'exact';
  return 'text';
}

// "-0012.3400" → "-12.34", "-0.00" → "0"; text that is not a plain decimal stays as it is.
function exactNumber(text) {
  const match = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/.exec(text);
  if (match === null || !/\d/.test(text)) return text;
  const integer = match[2] === '' ? '0' : match[2];
  const fraction = match[3] ?? '';
  const zero = integer === '0' && fraction === '';
  return `${match[1] === '-' && !zero ? '-' : ''}${integer}${fraction ? '.' + fraction : ''}`;
}

function floatNumber(text, single) {
  let x;
  if (typeof text === 'number') x = text;
  else if (text === 'nan') x = NaN;
  else if (text === 'inf') x = Infinity;
  else if (text === '-inf') x = -Infinity;
  else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) x = Number(text);
  else return text; // not a number at all: kept as text, so it cannot equal a number
  return single ? Math.fround(x) : x;
}

// One value (DuckDB's canonical text, or Floe's JSON token text) in the column's comparison form.
function canonical(text, type) {
  if (text === null) return null;
  switch (columnClass(type)) {
  case 'float': return floatNumber(text, type === 'FLOAT');
  case 'exact': return exactNumber(text);
  default: return text;
  }
}

// DuckDB's result: { types, rows } with rows of canonical values.
export function duckdbResult(reader) {
  const types = reader.columnTypes().map(String);
  const rows = reader.getRows().map((row) => row.map((value, c) => {
    if (value === null || value === undefined) return null;
    if (columnClass(types[c]) === 'float') return floatNumber(Number(value), types[c] === 'FLOAT');
    return canonical(duckdbCanonical(value, types[c]), types[c]);
  }));
  return { types, rows };
}

// One JSON line → its values in order, each { text } (numbers keep their source digits) or null.
// Duplicate keys are kept: they are separate columns.
export function parseJsonRow(line) {
  let i = 0;
  const fail = (what) => { throw new Error(`bad JSON at offset ${i} (${what}): ${line.slice(0, 200)}`); };
  const skip = () => { while (i < line.length && ' \t\r'.includes(line[i])) i++; };
  const string = () => {
    if (line[i] !== '"') fail('expected a string');
    const start = i++;
    while (line[i] !== '"') {
      if (i >= line.length) fail('unterminated string');
      i += line[i] === '\\' ? 2 : 1;
    }
    i++;
    return JSON.parse(line.slice(start, i));
  };
  const values = [];
  skip();
  if (line[i++] !== '{') fail('expected an object');
  skip();
  if (line[i] === '}') { i++; return values; }
  for (;;) {
    skip(); string(); skip();
    if (line[i++] !== ':') fail('expected a colon');
    skip();
    if (line[i] === '"') values.push({ text: string() });
    else if (line.startsWith('null', i)) { i += 4; values.push(null); }
    else if (line.startsWith('true', i)) { i += 4; values.push({ text: 'true' }); }
    else if (line.startsWith('false', i)) { i += 5; values.push({ text: 'false' }); }
    else {
      const start = i;
      while (i < line.length && /[-+0-9.eE]/.test(line[i])) i++;
      if (i === start) fail('expected a value');
      values.push({ text: line.slice(start, i) });
    }
    skip();
    if (line[i] === ',') { i++; continue; }
    if (line[i] === '}') { i++; break; }
    fail('expected , or }');
  }
  skip();
  if (i !== line.length) fail('text after the object');
  return values;
}

// Floe's stdout → rows of canonical values, typed by DuckDB's column types.
export function floeRows(stdout, types) {
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  return lines.map((line) => {
    const values = parseJsonRow(line);
    if (values.length !== types.length) {
      throw new Error(`Floe returned ${values.length} columns, DuckDB ${types.length}: ${line.slice(0, 300)}`);
    }
    return values.map((value, c) => (value === null ? null : canonical(value.text, types[c])));
  });
}

function sameValue(a, b, type) {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number' && columnClass(type) === 'float') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    return Math.abs(a - b) <= FLOAT_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

const sameRow = (x, y, types, columns) => columns.every((c) => sameValue(x[c], y[c], types[c]));

export const rowText = (row) => JSON.stringify(row.map((v) => (typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : v)));

// Orders values for pairing float rows inside one exact key: NULL first, NaN last.
function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return String(a) < String(b) ? -1 : 1;
}

// Multiset difference: rows are grouped by their non-float columns (exact), and inside a group
// the float columns are paired after sorting both sides, each pair within the tolerance.
function multisetDifference(floe, duck, types) {
  const floatColumns = types.map((t, c) => (columnClass(t) === 'float' ? c : -1)).filter((c) => c >= 0);
  const keyOf = (row) => JSON.stringify(row.map((v, c) => (floatColumns.includes(c) ? 0 : v)));
  const groups = new Map();
  for (const [side, rows] of [['floe', floe], ['duck', duck]]) {
    for (const row of rows) {
      const key = keyOf(row);
      if (!groups.has(key)) groups.set(key, { floe: [], duck: [] });
      groups.get(key)[side].push(row);
    }
  }
  const onlyFloe = [];
  const onlyDuck = [];
  const byFloats = (x, y) => {
    for (const c of floatColumns) {
      const order = compareValues(x[c], y[c]);
      if (order !== 0) return order;
    }
    return 0;
  };
  for (const group of groups.values()) {
    group.floe.sort(byFloats);
    group.duck.sort(byFloats);
    let f = 0;
    let d = 0;
    while (f < group.floe.length && d < group.duck.length) {
      if (sameRow(group.floe[f], group.duck[d], types, floatColumns)) { f++; d++; continue; }
      if (byFloats(group.floe[f], group.duck[d]) < 0) onlyFloe.push(group.floe[f++]);
      else onlyDuck.push(group.duck[d++]);
    }
    while (f < group.floe.length) onlyFloe.push(group.floe[f++]);
    while (d < group.duck.length) onlyDuck.push(group.duck[d++]);
  }
  return { onlyFloe, onlyDuck };
}

const SHOWN = 8;

function describeRows(title, rows) {
  if (rows.length === 0) return [];
  return [`${title} (${rows.length}):`, ...rows.slice(0, SHOWN).map((row) => '  ' + rowText(row)),
    ...(rows.length > SHOWN ? [`  ... ${rows.length - SHOWN} more`] : [])];
}

// Compares Floe's rows with DuckDB's. `order`: 'none' (multiset), 'total' (row by row: the
// ORDER BY keys determine the order), or an array of column positions (the ORDER BY keys, which
// may tie: the multisets must be equal and the key columns must follow the same sequence).
// Returns null when equal, else a multi-line description of the difference.
export function compareResults(floe, duck, types, order = 'none') {
  const lines = [];
  const allColumns = types.map((_, c) => c);
  if (order === 'total') {
    const length = Math.max(floe.length, duck.length);
    const differences = [];
    for (let r = 0; r < length; r++) {
      if (r >= floe.length || r >= duck.length || !sameRow(floe[r], duck[r], types, allColumns)) {
        differences.push(`  row ${r}: Floe ${r < floe.length ? rowText(floe[r]) : '(none)'}` +
          `\n  ${' '.repeat(String(r).length + 5)}DuckDB ${r < duck.length ? rowText(duck[r]) : '(none)'}`);
      }
    }
    if (differences.length === 0) return null;
    lines.push(`ordered results differ in ${differences.length} of ${length} rows (Floe ${floe.length} rows, DuckDB ${duck.length}):`);
    lines.push(...differences.slice(0, SHOWN));
    if (differences.length > SHOWN) lines.push(`  ... ${differences.length - SHOWN} more`);
    return lines.join('\n');
  }
  const { onlyFloe, onlyDuck } = multisetDifference(floe, duck, types);
  if (onlyFloe.length || onlyDuck.length) {
    lines.push(`results differ as multisets (Floe ${floe.length} rows, DuckDB ${duck.length}):`);
    lines.push(...describeRows('only in Floe', onlyFloe), ...describeRows('only in DuckDB', onlyDuck));
    return lines.join('\n');
  }
  if (Array.isArray(order)) {
    for (let r = 0; r < floe.length; r++) {
      if (!sameRow(floe[r], duck[r], types, order)) {
        return `same rows but not in ORDER BY order (key columns ${order.join(', ')}): first difference at row ${r}:\n` +
          `  Floe   ${rowText(floe[r])}\n  DuckDB ${rowText(duck[r])}`;
      }
    }
  }
  return null;
}
