// corpus_data.mjs — the deterministic tables of the SQL corpus (sql_corpus.test.mjs), written as
// Parquet by DuckDB and ingested into a Floe warehouse, so both engines read the same files.
//
// Every value comes from one seeded generator (mulberry32), so a run is reproducible and a
// failure seen once is seen again. Tables (namespace `ns`):
//   types      300 rows, one column per Floe type (BOOLEAN, INTEGER, BIGINT, REAL, DOUBLE,
//              DECIMAL(9,2), DECIMAL(18,4), DECIMAL(38,10), DATE, TIMESTAMP, TIMESTAMPTZ, VARCHAR,
//              BLOB), NULLs in every column but the key `id` (the tie-breaker of ORDER BY
//              queries), empty strings and blobs, non-ASCII
//              text, dates before 1970, -0.0 and 0.0, BIGINTs beyond 2^53; 2 files.
//   sales      the fact table: 20,000 rows in 3 files (snappy, zstd, uncompressed), 1% NULLs in
//              every column, ~1% exact duplicate rows, customer_id 7 on half the rows (skew),
//              keys missing from the dimensions; channel '' (empty string) as a value.
//   customers  dimension keyed by customer_id (one key twice, one NULL key, keys 1..400 while
//              sales uses 1..420).
//   products   dimension keyed by (product_id, store): a multi-key join target.
//   regions    a 5-row dimension of customers.region, for 3-way joins.
//   floats     IEEE special values: NaN, ±inf, -0.0 and 0.0, subnormals, the extremes (DOUBLE and
//              REAL), so ordering, grouping and equality of floats meet them.
//   empty      no rows (a Parquet file with a schema and no row groups).
// Value ranges keep every query of the corpus free of overflow: |INTEGER| <= 1000, so i * i fits;
// DECIMAL(9,2) below 1e5 so its square fits DECIMAL(18,4); DECIMAL(18,4) below 1e10 so an INTEGER
// times it stays within 18 digits (DuckDB keeps DECIMAL(18) products in int64). Floats that are summed (sales.amount,
// sales.weight, types.r, customers.score) are multiples of 1/8 or 1/4 well inside 2^53, so any
// summation order gives the exact same double; types.d holds arbitrary doubles for projections.
import fs from 'node:fs';
import path from 'node:path';

export const NAMESPACE = 'ns';

function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// SQL literal text of a value for a typed INSERT: NULL, or a quoted string DuckDB casts to the
// column's type (exact for decimals, dates and blobs written with \x escapes).
const literal = (value) => (value === null ? 'NULL' : `'${String(value).replace(/'/g, "''")}'`);

const pad = (n, width = 2) => String(n).padStart(width, '0');

function dateText(days) {
  const d = new Date(days * 86400000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function timestampText(micros) {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return fraction ? `${base}.${pad(fraction, 6)}` : base;
}

const daysOf = (text) => Math.round(Date.parse(`${text}T00:00:00Z`) / 86400000);

// A decimal with `digits` integer digits at most and `scale` fraction digits, as exact text.
function decimalText(random, integerDigits, scale) {
  let text = '';
  const intLength = 1 + Math.floor(random() * integerDigits);
  for (let i = 0; i < intLength; i++) text += Math.floor(random() * 10);
  text = text.replace(/^0+(?=\d)/, '');
  let fraction = '';
  for (let i = 0; i < scale; i++) fraction += Math.floor(random() * 10);
  const sign = random() < 0.3 ? '-' : '';
  return `${sign}${text}${scale ? '.' + fraction : ''}`;
}

const blobText = (bytes) => bytes.map((b) => '\\x' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

const STRINGS = ['', 'a longer string that does not fit in sixteen bytes of statistics', ' padded ', 'MiXeD Case', 'Ünïcödé', '日本語テキスト', 'émoji 😀 ok', 'a%b_c',
  "quote'd", 'comma, inside', 'two\nlines', 'tab\there', 'zzz', 'ABC', 'abc', 'Zürich', 'ß', '  ', 'x'];
const WORDS = ['alpha', 'Bravo', 'CHARLIE', 'delta', 'Echo', 'foxtrot', 'Golf', 'hotel', 'India', 'juliet'];

// Columns of each table, in file order: [name, DuckDB type].
const COLUMNS = {
  types: [['id', 'INTEGER'], ['grp', 'VARCHAR'], ['b', 'BOOLEAN'], ['i', 'INTEGER'], ['bi', 'BIGINT'],
    ['r', 'REAL'], ['d', 'DOUBLE'], ['d9', 'DECIMAL(9,2)'], ['d18', 'DECIMAL(18,4)'],
    ['d38', 'DECIMAL(38,10)'], ['dt', 'DATE'], ['ts', 'TIMESTAMP'], ['tz', 'TIMESTAMPTZ'],
    ['s', 'VARCHAR'], ['a', 'VARCHAR'], ['sn', 'VARCHAR'], ['bl', 'BLOB']],
  sales: [['sale_id', 'BIGINT'], ['customer_id', 'INTEGER'], ['product_id', 'INTEGER'],
    ['store', 'VARCHAR'], ['quantity', 'INTEGER'], ['price', 'DECIMAL(9,2)'],
    ['discount', 'DECIMAL(18,4)'], ['amount', 'DOUBLE'], ['weight', 'REAL'], ['sold_on', 'DATE'],
    ['sold_at', 'TIMESTAMP'], ['sold_at_tz', 'TIMESTAMPTZ'], ['channel', 'VARCHAR'],
    ['returned', 'BOOLEAN'], ['note', 'VARCHAR']],
  customers: [['customer_id', 'INTEGER'], ['name', 'VARCHAR'], ['region', 'VARCHAR'],
    ['segment', 'VARCHAR'], ['signup', 'DATE'], ['credit', 'DECIMAL(38,10)'], ['vip', 'BOOLEAN'],
    ['score', 'DOUBLE']],
  products: [['product_id', 'INTEGER'], ['store', 'VARCHAR'], ['product_name', 'VARCHAR'],
    ['category', 'VARCHAR'], ['list_price', 'DECIMAL(18,4)'], ['weight_class', 'INTEGER']],
  regions: [['region', 'VARCHAR'], ['region_name', 'VARCHAR'], ['manager', 'VARCHAR']],
  floats: [['id', 'INTEGER'], ['f', 'DOUBLE'], ['g', 'REAL']],
  empty: [['id', 'INTEGER'], ['k', 'VARCHAR'], ['v', 'DECIMAL(9,2)'], ['x', 'DOUBLE'], ['dt', 'DATE'],
    ['flag', 'BOOLEAN']],
};

function typesRows(random) {
  const rows = [];
  const maybe = (value, nullChance = 0.1) => (random() < nullChance ? null : value);
  const specialDoubles = [0, -0, 0.1, 0.5, -1.25, 123456789.125, 1e-10, 3, 2.5, -2.5, 1e15];
  const specialDates = ['1970-01-01', '1969-12-31', '1900-01-01', '2000-02-29', '2024-02-29',
    '2024-12-31', '2023-01-01', '1999-12-31'];
  const specialBigints = ['9007199254740993', '-9007199254740993', '4000000000000000000',
    '-4000000000000000000', '0', '1'];
  for (let id = 1; id <= 300; id++) {
    const r = random;
    const day = r() < 0.15 ? daysOf(specialDates[Math.floor(r() * specialDates.length)])
      : daysOf('2019-01-01') + Math.floor(r() * 2400) - (r() < 0.1 ? 30000 : 0);
    const micros = day * 86400e6 + Math.floor(r() * 86400) * 1e6 + (r() < 0.4 ? Math.floor(r() * 1e6) : 0);
    const double = r() < 0.2 ? specialDoubles[Math.floor(r() * specialDoubles.length)]
      : (r() - 0.5) * 2e6;
    const bytes = Array.from({ length: Math.floor(r() * 7) }, () => Math.floor(r() * 256));
    rows.push([
      id,
      maybe(['a', 'b', 'c'][Math.floor(r() * 3)]),
      maybe(r() < 0.5),
      maybe(Math.floor(r() * 2001) - 1000),
      maybe(r() < 0.1 ? specialBigints[Math.floor(r() * specialBigints.length)]
        : String(Math.floor((r() - 0.5) * 2e12))),
      maybe((Math.floor(r() * 4001) - 2000) / 4),
      maybe(Object.is(double, -0) ? '-0.0' : String(double)),
      maybe(decimalText(r, 5, 2)),
      maybe(decimalText(r, 10, 4)),
      maybe(decimalText(r, 20, 10)),
      maybe(dateText(day)),
      maybe(timestampText(micros)),
      maybe(timestampText(micros + Math.floor(r() * 3600e6)) + '+00'),
      maybe(r() < 0.6 ? STRINGS[Math.floor(r() * STRINGS.length)] : WORDS[Math.floor(r() * WORDS.length)] + id % 7),
      maybe(WORDS[Math.floor(r() * WORDS.length)] + (r() < 0.5 ? ' ' + WORDS[Math.floor(r() * WORDS.length)] : '')),
      maybe(['12', '-3.5', '0.25', '1e3', '100', '-0', '7.125', '42'][Math.floor(r() * 8)]),
      maybe(blobText(bytes)),
    ]);
  }
  return rows;
}

const STORES = ['north', 'south', 'east', 'west', 'online'];

function salesRows(random) {
  const rows = [];
  const r = random;
  const maybe = (value) => (r() < 0.01 ? null : value);
  const firstDay = daysOf('2023-01-01');
  for (let n = 1; rows.length < 20000; n++) {
    if (rows.length > 0 && r() < 0.01) { // an exact duplicate of an earlier row
      rows.push(rows[Math.floor(r() * rows.length)].slice());
      continue;
    }
    const day = firstDay + Math.floor(r() * 731);
    const micros = day * 86400e6 + Math.floor(r() * 86400) * 1e6 + (r() < 0.3 ? Math.floor(r() * 1e6) : 0);
    const noteChoice = r();
    rows.push([
      maybe(n),
      maybe(r() < 0.5 ? 7 : 1 + Math.floor(r() * 420)),
      maybe(1 + Math.floor(r() * 55)),
      maybe(STORES[Math.floor(r() * STORES.length)]),
      maybe(1 + Math.floor(r() * 20)),
      maybe((50 + Math.floor(r() * 99950)) / 100),
      maybe((Math.floor(r() * 3001) / 10000).toFixed(4)),
      maybe(Math.floor(r() * 160000) / 8),
      maybe(Math.floor(r() * 400) / 4),
      maybe(dateText(day)),
      maybe(timestampText(micros)),
      maybe(timestampText(micros + 3600e6 * Math.floor(r() * 12)) + '+00'),
      maybe(['web', 'store', 'phone', ''][Math.floor(r() * 4)]),
      maybe(r() < 0.05),
      noteChoice < 0.9 ? null : noteChoice < 0.95 ? 'gift wrap' : noteChoice < 0.98 ? 'livraison à domicile' : '',
    ]);
  }
  return rows;
}

const REGIONS = ['EMEA', 'AMER', 'APAC', 'LATAM'];
const FIRST_NAMES = ['Jean', 'José', 'Jürgen', 'Ana', 'Björk', 'Chen', 'Dmitri', 'Émilie', 'Fatima',
  'Giulia', 'Hiro', 'Ingrid', 'Jamal', 'Kofi', 'Lena', 'Mårten', 'Noor', 'Olga', 'Priya', 'Quinn'];

function customersRows(random) {
  const r = random;
  const rows = [];
  const maybe = (value) => (r() < 0.05 ? null : value);
  const customer = (id) => [
    id,
    maybe(`${FIRST_NAMES[Math.floor(r() * FIRST_NAMES.length)]} ${String.fromCharCode(65 + Math.floor(r() * 26))}.`),
    maybe(REGIONS[Math.floor(r() * REGIONS.length)]),
    maybe(['retail', 'corporate', 'SMB'][Math.floor(r() * 3)]),
    maybe(dateText(daysOf('2022-01-01') + Math.floor(r() * 1000))),
    maybe(decimalText(r, 18, 10)),
    maybe(r() < 0.2),
    maybe(Math.floor(r() * 80000) / 8),
  ];
  for (let id = 1; id <= 400; id++) rows.push(customer(id));
  rows.push(customer(13)); // a duplicate key: joins on 13 produce two rows
  rows.push(customer(null)); // a NULL key matches nothing
  return rows;
}

function productsRows(random) {
  const r = random;
  const rows = [];
  for (let id = 1; id <= 50; id++) {
    const stores = STORES.filter(() => r() < 0.6);
    for (const store of stores) {
      rows.push([
        id, store,
        `${['Widget', 'Gadget', 'Gizmo', 'Doohickey', 'Café Machine'][id % 5]} ${id}`,
        r() < 0.05 ? null : ['toys', 'food', 'tools', 'garden'][Math.floor(r() * 4)],
        r() < 0.05 ? null : decimalText(r, 4, 4).replace('-', ''),
        r() < 0.05 ? null : Math.floor(r() * 5),
      ]);
    }
  }
  rows.push([null, 'north', 'Orphan product', 'toys', '1.0000', 1]);
  return rows;
}

const regionsRows = () => [
  ['EMEA', 'Europe, Middle East & Africa', 'Åsa'],
  ['AMER', 'Americas', 'Bob'],
  ['APAC', 'Asia Pacific', '陈'],
  ['LATAM', 'Latin America', null],
  ['ANTARCTICA', 'Nobody', 'Pingu'],
];

const floatsRows = () => [
  [1, 'nan', 'nan'], [2, 'inf', 'inf'], [3, '-inf', '-inf'], [4, '-0.0', '-0.0'], [5, '0.0', '0.0'],
  [6, '5e-324', '1e-45'], [7, '1.7976931348623157e308', '3.4028235e38'], [8, '-1e308', '-3e38'],
  [9, '0.1', '0.1'], [10, String(1 / 3), String(1 / 3)], [11, null, null], [12, 'nan', '1.5'],
  [13, '-inf', 'nan'], [14, '2.5', '-0.0'], [15, '-2.5', '2.5'], [16, '1e-310', '1e-40'],
];

// Files of each table: [file name, first row, end row, COPY options].
const FILE_LAYOUT = {
  types: [['types_1.parquet', 0, 180, 'ROW_GROUP_SIZE 64'], ['types_2.parquet', 180, 300, 'COMPRESSION zstd']],
  sales: [['sales_1.parquet', 0, 7000, 'COMPRESSION snappy, ROW_GROUP_SIZE 2048'],
    ['sales_2.parquet', 7000, 14000, 'COMPRESSION zstd'],
    ['sales_3.parquet', 14000, 20000, 'COMPRESSION uncompressed, ROW_GROUP_SIZE 5000']],
  customers: [['customers.parquet', 0, Infinity, '']],
  products: [['products.parquet', 0, Infinity, '']],
  regions: [['regions.parquet', 0, Infinity, '']],
  floats: [['floats.parquet', 0, Infinity, '']],
  empty: [['empty.parquet', 0, 0, '']],
};

// Writes every table's Parquet files into `directory` with DuckDB `connection` (which must not
// yet hold tables of these names) and returns { table: [absolute file paths] }.
export async function writeCorpusData(connection, directory) {
  const random = mulberry32(20240229);
  const rowsOf = {
    types: typesRows(random),
    sales: salesRows(random),
    customers: customersRows(random),
    products: productsRows(random),
    regions: regionsRows(),
    floats: floatsRows(),
    empty: [],
  };
  await connection.run('SET threads = 1'); // keeps COPY's row order, so files are reproducible
  const files = {};
  for (const [table, columns] of Object.entries(COLUMNS)) {
    const staging = `corpus_${table}`;
    const definition = columns.map(([name, type]) => `${name} ${type}`).join(', ');
    await connection.run(`CREATE TABLE ${staging} (${definition}, corpus_row INTEGER)`);
    const rows = rowsOf[table];
    for (let start = 0; start < rows.length; start += 1000) {
      const values = rows.slice(start, start + 1000)
        .map((row, k) => `(${row.map(literal).join(', ')}, ${start + k})`).join(',\n');
      await connection.run(`INSERT INTO ${staging} VALUES ${values}`);
    }
    files[table] = [];
    for (const [name, first, end, options] of FILE_LAYOUT[table]) {
      const file = path.join(directory, name);
      await connection.run(`COPY (SELECT ${columns.map(([name]) => name).join(', ')} FROM ${staging}
        WHERE corpus_row >= ${first} AND corpus_row < ${end === Infinity ? rows.length : end}
        ORDER BY corpus_row) TO '${file}' (FORMAT parquet${options ? ', ' + options : ''})`);
      files[table].push(file);
    }
    await connection.run(`DROP TABLE ${staging}`);
  }
  await connection.run('RESET threads');
  for (const list of Object.values(files)) for (const file of list) fs.accessSync(file);
  return files;
}
