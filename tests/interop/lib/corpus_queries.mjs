// corpus_queries.mjs — the SQL corpus: queries run by both Floe and DuckDB over the tables of
// corpus_data.mjs (ns.types, ns.sales, ns.customers, ns.products, ns.regions, ns.floats,
// ns.empty), one construct of DESIGN.md "SQL" (SELECT) or more per query.
//
// An entry is { sql, order?, duckdb?, floeError?, why? }:
//   order      how the results compare (lib/compare.mjs): 'none' (multiset, the default),
//              'total' (the ORDER BY keys determine every row's place) or [column positions]
//              (the ORDER BY keys, which tie: multisets equal and key columns in sequence).
//              Every query with ORDER BY must say which (the test refuses one that does not).
//   duckdb     the same question in DuckDB's words, where the two dialects legitimately differ
//              (each use says why); DuckDB runs `sql` otherwise.
//   floeError  a documented departure where Floe must fail (a RegExp on its error line) and
//              DuckDB returns a value.
// `{data}` stands for the directory of the Parquet files (read_parquet queries).
//
// What the queries avoid, and why (the dialect differences of sql/binder.h and
// engine/expression_eval.h): division and modulo by zero (Floe errors, DuckDB gives NULL or inf:
// divisors are NULLIF(x, 0) or non-zero, except the floeError entries); integer overflow (the data
// is sized so none occurs); VARCHAR compared with numbers without CAST (Floe refuses); lower/upper
// on non-ASCII text compare with DuckDB's translate() of ASCII letters, as Floe maps ASCII only;
// EXTRACT(week) (not in Floe yet); LIKE ... ESCAPE; BLOB to VARCHAR casts (DuckDB leaves printable
// bytes unescaped). SUM of integers is DECIMAL(38,0) in Floe and HUGEINT in DuckDB: the comparison
// treats both as exact numbers. A LIMIT follows an ORDER BY that fixes every row's place, or only
// the number of rows it keeps is looked at: which rows it keeps is otherwise not determined.

const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const asciiUpper = (x) => `translate(${x}, '${ASCII_LOWER}', '${ASCII_UPPER}')`;
const asciiLower = (x) => `translate(${x}, '${ASCII_UPPER}', '${ASCII_LOWER}')`;

const SALES_CUSTOMERS = 'ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id';

export const QUERIES = [
  // ---- Scans: every column of every table, as stored.
  { sql: 'SELECT * FROM ns.types' },
  { sql: 'SELECT id, b, i, bi, r, d FROM ns.types' },
  { sql: 'SELECT id, d9, d18, d38 FROM ns.types' },
  { sql: 'SELECT id, dt, ts, tz FROM ns.types' },
  { sql: 'SELECT id, s, a, sn, bl FROM ns.types' },
  { sql: 'SELECT * FROM ns.sales' },
  { sql: 'SELECT * FROM ns.customers' },
  { sql: 'SELECT * FROM ns.products' },
  { sql: 'SELECT * FROM ns.regions' },
  { sql: 'SELECT * FROM ns.empty' },
  { sql: 'SELECT sale_id, sold_at_tz, note FROM ns.sales' },
  { sql: 'SELECT t.*, t.id AS again FROM ns.types t' },
  { sql: 'SELECT * FROM ns.floats' },
  { sql: 'SELECT id AS "a""b", s AS "ünï", a AS "x,y" FROM ns.types' },
  { sql: 'SELECT s.customer_id, c.customer_id, s.store, c.region FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id' },

  // ---- Arithmetic (data sized so nothing overflows).
  { sql: 'SELECT id, i + 1, i - 7, i * 3, -i FROM ns.types' },
  { sql: 'SELECT id, bi - 1, bi + i, bi % 1000, -bi FROM ns.types' },
  { sql: 'SELECT id, i / 4, i % 7, (-7) % 3, 7 % -3 FROM ns.types' },
  { sql: 'SELECT id, r * 2, r + i, r - r, r / 4 FROM ns.types' },
  { sql: 'SELECT id, d * 2.5, d + i, d - r, d / 3 FROM ns.types' },
  { sql: 'SELECT id, d9 + d9, d9 - 1, d9 * 2, d9 * d9 FROM ns.types' },
  { sql: 'SELECT id, d18 + d9, d18 * 2, d18 - d18, d18 * 0.5 FROM ns.types' },
  { sql: 'SELECT id, d38 + d38, d38 - d9, d38 * 2, -d38 FROM ns.types' },
  { sql: 'SELECT id, i + d9, bi + d18, i * d18, d9 + r FROM ns.types' },
  { sql: 'SELECT id, d9 / 4, d18 / NULLIF(d9, 0), i / NULLIF(bi, 0), d / NULLIF(r, 0) FROM ns.types' },
  { sql: 'SELECT id, d9 % 3, d18 % 7, d % 2.5, bi % NULLIF(i, 0) FROM ns.types' },
  { sql: 'SELECT id, i + i * 2 - i / 2, (i + 1) * (i - 1), i * (2 + 3), 10 - i FROM ns.types' },
  { sql: 'SELECT sale_id, quantity * price, quantity * price * (1 - discount), amount * 2 FROM ns.sales' },
  { sql: 'SELECT sale_id, amount / 8, weight * quantity, price - discount FROM ns.sales' },
  { sql: 'SELECT 1 + 2, 7 / 2, 7 % 3, -(4 * 5), 2.50 * 4, 1e3 + 1' },
  { sql: 'SELECT 2147483648, -2147483648, 9223372036854775807, 12345678901234567890123, 0.000001, 1.5e-3' },

  // ---- Comparisons, across types.
  { sql: 'SELECT id, i = 5, i <> 5, i < 0, i <= 0, i > 100, i >= 100 FROM ns.types' },
  { sql: 'SELECT id, d9 > d18, i = bi, r < d, d9 = i, i != 0 FROM ns.types' },
  { sql: "SELECT id, s = '', s < 'm', s >= 'Z', a <> s FROM ns.types" },
  { sql: "SELECT id, dt < DATE '2000-01-01', ts >= TIMESTAMP '2024-01-01 00:00:00', dt = ts, dt <= ts FROM ns.types" },
  { sql: "SELECT id, tz > '2022-06-01 00:00:00', tz = ts, ts < tz FROM ns.types" },
  { sql: 'SELECT id, b = true, b <> false, b < true, d38 > d18, r >= 0 FROM ns.types' },
  { sql: "SELECT id, i = '5', dt = '2024-02-29', d9 > '100.5' FROM ns.types" },

  // ---- AND / OR / NOT with NULLs (three-valued logic).
  { sql: 'SELECT id, b AND i > 0, b OR i > 0, NOT b, b AND NULL, b OR NULL FROM ns.types' },
  { sql: 'SELECT id, (i > 0) AND (d9 < 0), (i IS NULL) OR b, NOT (b OR i < 0) FROM ns.types' },
  { sql: 'SELECT id FROM ns.types WHERE NOT (i > 0)' },
  { sql: 'SELECT id FROM ns.types WHERE b OR i > 500' },
  { sql: "SELECT id, s FROM ns.types WHERE NOT b AND (s IS NULL OR s = '')" },
  { sql: 'SELECT id FROM ns.types WHERE NOT (b AND i < 0) OR d IS NULL' },
  { sql: 'SELECT id, NOT NOT b, NOT (i IS NULL), (b OR NULL) AND NOT b, NULL AND false, NULL OR true FROM ns.types' },

  // ---- IS [NOT] NULL on every type.
  { sql: 'SELECT id, i IS NULL, s IS NOT NULL, bl IS NULL, tz IS NOT NULL, d38 IS NULL FROM ns.types' },
  { sql: 'SELECT id, b IS NULL, bi IS NOT NULL, r IS NULL, d IS NULL, dt IS NULL, ts IS NOT NULL FROM ns.types' },
  { sql: 'SELECT COUNT(*) FROM ns.sales WHERE customer_id IS NULL' },
  { sql: 'SELECT id FROM ns.types WHERE d IS NOT NULL AND dt IS NULL' },
  { sql: 'SELECT sale_id FROM ns.sales WHERE note IS NOT NULL AND returned IS NULL' },

  // ---- IN.
  { sql: "SELECT id, i IN (1, 2, 3, -5), s IN ('', 'MiXeD Case', 'Ünïcödé'), d9 IN (1.50, 0) FROM ns.types" },
  { sql: 'SELECT id FROM ns.types WHERE i NOT IN (1, 2, 3)' },
  { sql: 'SELECT id, i IN (1, NULL), i NOT IN (1, NULL), NULL IN (1, 2) FROM ns.types' },
  { sql: "SELECT COUNT(*) FROM ns.sales WHERE store IN ('north', 'south')" },
  { sql: `SELECT sale_id, store FROM ns.sales WHERE sale_id IN (${Array.from({ length: 60 }, (_, k) => 3 * k + 1).join(', ')})` },
  { sql: "SELECT id FROM ns.types WHERE dt IN (DATE '2024-02-29', DATE '1970-01-01', DATE '1969-12-31')" },
  { sql: 'SELECT id, i IN (bi, id, i + 0), grp IN (s, a) FROM ns.types' },
  { sql: 'SELECT customer_id, COUNT(*) FROM ns.sales WHERE customer_id IN (7, 13, 401, 419) GROUP BY customer_id' },
  { sql: 'SELECT id, i IN (1, 2.5, -100), d IN (0.1, 2.5, -2.5), r IN (0.25, 1) FROM ns.types' },

  // ---- BETWEEN.
  { sql: "SELECT id, i BETWEEN -10 AND 10, d9 NOT BETWEEN 0 AND 100, dt BETWEEN DATE '2020-01-01' AND DATE '2022-12-31' FROM ns.types" },
  { sql: "SELECT COUNT(*), SUM(quantity) FROM ns.sales WHERE sold_on BETWEEN '2024-01-01' AND '2024-03-31'" },
  { sql: "SELECT id, s BETWEEN 'a' AND 'n', ts NOT BETWEEN dt AND TIMESTAMP '2030-01-01 00:00:00' FROM ns.types" },
  { sql: 'SELECT sale_id FROM ns.sales WHERE price BETWEEN 100 AND 100.5' },
  { sql: 'SELECT id, i BETWEEN 10 AND -10, i BETWEEN NULL AND 5, i BETWEEN -5 AND NULL FROM ns.types' },

  // ---- LIKE.
  { sql: "SELECT id, s LIKE '%a%', s LIKE '_', s NOT LIKE 'M%', a LIKE 'B%o' FROM ns.types" },
  { sql: "SELECT id, s FROM ns.types WHERE s LIKE '%ö%' OR s LIKE '日%'" },
  { sql: "SELECT id, s LIKE '', s LIKE '%', s LIKE '%_%', s LIKE '__', a LIKE '%e_' FROM ns.types" },
  { sql: "SELECT COUNT(*) FROM ns.customers WHERE name LIKE 'J%' OR name LIKE '_r%'" },
  { sql: "SELECT store, COUNT(*) FROM ns.sales WHERE note LIKE '%à%' GROUP BY store" },
  { sql: "SELECT id, s LIKE a || '%', a LIKE substring(a, 1, 2) || '%', s NOT LIKE s FROM ns.types" },
  { sql: "SELECT id FROM ns.types WHERE s = 'quote''d' OR s = 'comma, inside' OR s = 'two\nlines'" },

  // ---- CASE.
  { sql: "SELECT id, CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero-or-null' END FROM ns.types" },
  { sql: 'SELECT id, CASE WHEN b THEN d9 ELSE d18 END, CASE WHEN i IS NULL THEN 0 END FROM ns.types' },
  { sql: "SELECT id, CASE grp WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 3 END, CASE b WHEN true THEN 'y' END FROM ns.types" },
  { sql: 'SELECT id, CASE WHEN i <> 0 THEN 1000 / i END, CASE WHEN d9 > 0 THEN d9 WHEN d9 < 0 THEN -d9 END FROM ns.types' },
  { sql: 'SELECT store, SUM(CASE WHEN returned THEN 1 ELSE 0 END), SUM(CASE WHEN channel = \'web\' THEN amount END) FROM ns.sales GROUP BY store' },
  { sql: "SELECT id, CASE WHEN dt < DATE '2000-01-01' THEN ts ELSE dt END FROM ns.types" },
  { sql: "SELECT id, CASE WHEN i > 0 THEN CASE WHEN i > 500 THEN 'big' ELSE 'small' END ELSE COALESCE(s, 'none') END, CASE WHEN false THEN 1 END FROM ns.types" },
  { sql: `SELECT id, CASE ${Array.from({ length: 20 }, (_, k) => `WHEN i < ${k * 100 - 1000} THEN ${k}`).join(' ')} ELSE -1 END FROM ns.types` },

  // ---- CAST (and ::).
  { sql: 'SELECT id, CAST(i AS BIGINT), CAST(i AS DOUBLE), CAST(i AS VARCHAR), CAST(i AS DECIMAL(12,2)) FROM ns.types' },
  { sql: 'SELECT id, CAST(d9 AS INTEGER), CAST(d9 AS DOUBLE), CAST(d18 AS DECIMAL(38,2)), CAST(d38 AS VARCHAR) FROM ns.types' },
  { sql: 'SELECT id, CAST(dt AS TIMESTAMP), CAST(ts AS DATE), CAST(tz AS TIMESTAMP), CAST(ts AS TIMESTAMPTZ) FROM ns.types' },
  { sql: 'SELECT id, CAST(ts AS VARCHAR), CAST(dt AS VARCHAR), CAST(b AS VARCHAR), CAST(b AS INTEGER) FROM ns.types' },
  { sql: 'SELECT id, CAST(r AS DOUBLE), CAST(d AS REAL), CAST(d AS VARCHAR), CAST(r AS VARCHAR) FROM ns.types' },
  { sql: 'SELECT id, CAST(sn AS DOUBLE), CAST(sn AS DECIMAL(10,3)), CAST(bi AS DECIMAL(20,0)) FROM ns.types' },
  { sql: 'SELECT id, i::BIGINT, d9::VARCHAR, dt::TIMESTAMP, CAST(d18 AS BIGINT), CAST(d AS DECIMAL(24,3)) FROM ns.types' },
  { sql: "SELECT CAST('42' AS INTEGER), CAST('2024-02-29' AS DATE), CAST('1.255' AS DECIMAL(4,2)), CAST('true' AS BOOLEAN)" },
  { sql: 'SELECT id, CAST(i AS REAL), CAST(bi AS DOUBLE), CAST(d38 AS DOUBLE), CAST(i AS BOOLEAN) FROM ns.types' },
  { sql: "SELECT CAST('-2.5' AS INTEGER), CAST('1e3' AS BIGINT), CAST(' 7 ' AS INTEGER)" },
  { sql: 'SELECT id, CAST(sn AS INTEGER), CAST(sn AS BIGINT), CAST(sn AS REAL) FROM ns.types' },

  // ---- COALESCE and NULLIF.
  { sql: "SELECT id, COALESCE(i, 0), COALESCE(s, a, 'none'), COALESCE(d9, d18), COALESCE(dt, CAST(ts AS DATE)) FROM ns.types" },
  { sql: "SELECT id, NULLIF(i, 0), NULLIF(s, ''), NULLIF(grp, 'a'), NULLIF(d9, d18) FROM ns.types" },
  { sql: "SELECT COALESCE(NULLIF(channel, ''), 'unknown'), COUNT(*) FROM ns.sales GROUP BY 1" },
  { sql: 'SELECT id, COALESCE(i, bi), COALESCE(r, d), COALESCE(bl, bl), COALESCE(NULL, tz) FROM ns.types' },
  { sql: 'SELECT id, COALESCE(NULL, NULL, i), NULLIF(NULLIF(i, 0), 1), COALESCE(NULLIF(a, a), s) FROM ns.types' },

  // ---- date_trunc, EXTRACT, year/month/day.
  { sql: "SELECT id, date_trunc('year', ts), date_trunc('quarter', ts), date_trunc('month', ts), date_trunc('week', ts) FROM ns.types" },
  { sql: "SELECT id, date_trunc('day', ts), date_trunc('hour', ts), date_trunc('minute', ts), date_trunc('second', ts) FROM ns.types" },
  { sql: "SELECT id, date_trunc('year', dt), date_trunc('quarter', dt), date_trunc('month', dt), date_trunc('week', dt), date_trunc('day', dt) FROM ns.types" },
  { sql: "SELECT id, date_trunc('month', tz), date_trunc('day', tz), date_trunc('hour', tz) FROM ns.types" },
  { sql: 'SELECT id, EXTRACT(year FROM ts), EXTRACT(quarter FROM ts), EXTRACT(month FROM ts), EXTRACT(day FROM ts) FROM ns.types' },
  { sql: 'SELECT id, EXTRACT(hour FROM ts), EXTRACT(minute FROM ts), EXTRACT(second FROM ts), EXTRACT(epoch FROM ts) FROM ns.types' },
  { sql: 'SELECT id, EXTRACT(year FROM dt), EXTRACT(month FROM dt), EXTRACT(day FROM dt), EXTRACT(dow FROM dt), EXTRACT(doy FROM dt) FROM ns.types' },
  { sql: 'SELECT id, year(dt), month(dt), day(dt), year(ts), month(tz), day(tz) FROM ns.types' },
  { sql: 'SELECT id, EXTRACT(epoch FROM dt), EXTRACT(dow FROM ts), EXTRACT(doy FROM tz), EXTRACT(hour FROM tz) FROM ns.types' },
  { sql: "SELECT date_trunc('month', sold_on), COUNT(*), SUM(amount) FROM ns.sales GROUP BY date_trunc('month', sold_on)" },
  { sql: 'SELECT year(sold_on), month(sold_on), SUM(quantity) FROM ns.sales GROUP BY year(sold_on), month(sold_on)' },
  { sql: 'SELECT COUNT(*) FROM ns.sales WHERE EXTRACT(dow FROM sold_on) = 0' },
  { sql: "SELECT date_trunc('week', sold_at_tz) AS w, MAX(sold_at_tz) FROM ns.sales GROUP BY w" },

  // ---- String functions.
  { sql: 'SELECT id, lower(a), upper(a), length(a), length(s) FROM ns.types' },
  { sql: 'SELECT id, trim(s), length(trim(s)), trim(a) FROM ns.types' },
  {
    sql: 'SELECT id, upper(s), lower(s) FROM ns.types',
    duckdb: `SELECT id, ${asciiUpper('s')}, ${asciiLower('s')} FROM ns.types`,
    why: 'Floe maps ASCII letters only (engine/expression_eval.h); DuckDB upper/lower map Unicode',
  },
  { sql: "SELECT id, concat(a, '-', i), a || '/' || s, s || NULL, concat(s, NULL, a) FROM ns.types" },
  { sql: "SELECT id, concat(i, d9, dt, b), i || '', dt || ' ' || ts FROM ns.types" },
  { sql: 'SELECT id, substring(s, 2, 3), substring(a, 1, 1), substring(s FROM 2), substring(s FROM 1 FOR 2) FROM ns.types' },
  { sql: 'SELECT id, substr(a, 3), substring(s, 0, 2), substring(a, length(a) - 1, 2) FROM ns.types' },
  { sql: 'SELECT lower(store), COUNT(*) FROM ns.sales GROUP BY lower(store)' },
  { sql: "SELECT customer_id, name FROM ns.customers WHERE lower(name) LIKE '%an%'" },
  { sql: 'SELECT upper(substring(store, 1, 1)) || substring(store, 2), length(store) FROM ns.sales GROUP BY store' },
  { sql: "SELECT 'x' || 'y', upper('abc'), length('日本'), trim('  a b  '), substring('hello', 2, 3)" },

  // ---- abs / round / floor / ceil.
  { sql: 'SELECT id, abs(i), abs(bi), abs(d9), abs(d38), abs(d), abs(r) FROM ns.types' },
  { sql: 'SELECT id, round(d, 2), round(d), round(r, 1), round(i, -1), round(i) FROM ns.types' },
  { sql: 'SELECT id, round(d9, 1), round(d18), round(d38, 3), round(d9, 5) FROM ns.types' },
  { sql: 'SELECT id, floor(d), ceil(d), floor(d9), ceil(d18), floor(d38), ceil(r) FROM ns.types' },
  { sql: 'SELECT id, floor(i), ceil(bi), floor(-d9), ceil(-d) FROM ns.types' },
  { sql: 'SELECT store, round(AVG(price), 2), floor(SUM(amount)), ceil(AVG(quantity)) FROM ns.sales GROUP BY store' },

  // ---- WHERE on every type.
  { sql: 'SELECT id FROM ns.types WHERE b' },
  { sql: 'SELECT id, bi FROM ns.types WHERE bi < 0 AND i > 0' },
  { sql: 'SELECT id, r, d FROM ns.types WHERE r >= 10.5 OR d < -1000' },
  { sql: 'SELECT id, d9, d18, d38 FROM ns.types WHERE d9 > 100 AND d18 <= 1000.5 OR d38 < 0' },
  { sql: "SELECT id, dt, ts FROM ns.types WHERE dt >= DATE '2021-01-01' AND ts < TIMESTAMP '2023-06-01 12:00:00'" },
  { sql: "SELECT id, tz FROM ns.types WHERE tz >= '2023-01-01' AND tz < '2024-01-01 00:00:00'" },
  { sql: "SELECT id, s FROM ns.types WHERE s = '' OR s = ' padded '" },
  { sql: 'SELECT id, bl FROM ns.types WHERE bl IS NOT NULL AND i < 0' },
  { sql: 'SELECT * FROM ns.sales WHERE customer_id = 7 AND quantity = 20' },
  { sql: 'SELECT sale_id, price, quantity FROM ns.sales WHERE price > 990 AND quantity >= 10' },
  { sql: "SELECT sale_id, channel FROM ns.sales WHERE channel = '' AND store = 'online'" },
  { sql: "SELECT * FROM ns.sales WHERE sold_at >= TIMESTAMP '2024-12-31 12:00:00'" },
  { sql: 'SELECT sale_id FROM ns.sales WHERE amount > 19990 OR weight = 99.75' },
  { sql: 'SELECT id FROM ns.types WHERE 1 = 1 AND id < 20' },

  // ---- GROUP BY (expressions, ordinals) with every aggregate.
  { sql: 'SELECT store, COUNT(*), COUNT(customer_id), SUM(quantity), AVG(quantity), MIN(price), MAX(price) FROM ns.sales GROUP BY store' },
  { sql: 'SELECT store, channel, COUNT(*) FROM ns.sales GROUP BY 1, 2' },
  { sql: 'SELECT store, channel, returned, COUNT(*), SUM(amount) FROM ns.sales GROUP BY store, channel, returned' },
  { sql: 'SELECT customer_id, COUNT(*), SUM(amount), MIN(sold_on), MAX(sold_at) FROM ns.sales GROUP BY customer_id' },
  { sql: 'SELECT product_id, store, SUM(quantity), AVG(price), COUNT(DISTINCT customer_id) FROM ns.sales GROUP BY product_id, store' },
  { sql: 'SELECT COUNT(*) FROM ns.sales GROUP BY store' },
  { sql: 'SELECT quantity % 3, COUNT(*), SUM(quantity) FROM ns.sales GROUP BY quantity % 3' },
  { sql: 'SELECT customer_id % 10 AS bucket, COUNT(*) FROM ns.sales GROUP BY 1' },
  { sql: 'SELECT lower(store) AS st, COUNT(*) FROM ns.sales GROUP BY st' },
  { sql: 'SELECT store, channel FROM ns.sales GROUP BY store, channel' },
  { sql: 'SELECT COUNT(*), COUNT(b), COUNT(i), COUNT(bi), COUNT(r), COUNT(d), COUNT(d9), COUNT(d18), COUNT(d38) FROM ns.types' },
  { sql: 'SELECT COUNT(dt), COUNT(ts), COUNT(tz), COUNT(s), COUNT(a), COUNT(bl), COUNT(grp) FROM ns.types' },
  { sql: 'SELECT COUNT(DISTINCT b), COUNT(DISTINCT i), COUNT(DISTINCT bi), COUNT(DISTINCT r), COUNT(DISTINCT d), COUNT(DISTINCT d9) FROM ns.types' },
  { sql: 'SELECT COUNT(DISTINCT d18), COUNT(DISTINCT d38), COUNT(DISTINCT dt), COUNT(DISTINCT ts), COUNT(DISTINCT tz), COUNT(DISTINCT s), COUNT(DISTINCT bl) FROM ns.types' },
  { sql: 'SELECT SUM(i), SUM(bi), SUM(r), SUM(d), SUM(d9), SUM(d18), SUM(d38) FROM ns.types' },
  { sql: 'SELECT AVG(i), AVG(bi), AVG(r), AVG(d), AVG(d9), AVG(d18), AVG(d38) FROM ns.types' },
  { sql: 'SELECT MIN(b), MAX(b), MIN(i), MAX(i), MIN(bi), MAX(bi), MIN(r), MAX(r), MIN(d), MAX(d) FROM ns.types' },
  { sql: 'SELECT MIN(d9), MAX(d9), MIN(d18), MAX(d18), MIN(d38), MAX(d38) FROM ns.types' },
  { sql: 'SELECT MIN(dt), MAX(dt), MIN(ts), MAX(ts), MIN(tz), MAX(tz) FROM ns.types' },
  { sql: 'SELECT MIN(s), MAX(s), MIN(a), MAX(a), MIN(bl), MAX(bl), MIN(sn), MAX(sn) FROM ns.types' },
  { sql: 'SELECT grp, COUNT(*), SUM(i), AVG(d9), MIN(s), MAX(tz), COUNT(DISTINCT a) FROM ns.types GROUP BY grp' },
  { sql: 'SELECT grp, b, SUM(d38), MIN(d18), MAX(bl), AVG(r) FROM ns.types GROUP BY grp, b' },
  { sql: 'SELECT b, COUNT(*), SUM(bi) FROM ns.types GROUP BY b' },
  { sql: 'SELECT bi, COUNT(*), MIN(id) FROM ns.types GROUP BY bi' },
  { sql: 'SELECT d9, COUNT(*) FROM ns.types GROUP BY d9' },
  { sql: 'SELECT d, COUNT(*) FROM ns.types GROUP BY d' },
  { sql: 'SELECT r, COUNT(*), SUM(i) FROM ns.types GROUP BY r' },
  { sql: 'SELECT s, COUNT(*), MIN(id) FROM ns.types GROUP BY s' },
  { sql: 'SELECT bl, COUNT(*) FROM ns.types GROUP BY bl' },
  { sql: 'SELECT dt, ts, COUNT(*) FROM ns.types GROUP BY dt, ts' },
  { sql: 'SELECT tz, d38, COUNT(*) FROM ns.types GROUP BY tz, d38' },
  { sql: 'SELECT sold_on, COUNT(*), SUM(price * quantity) FROM ns.sales GROUP BY sold_on' },
  { sql: 'SELECT COUNT(DISTINCT store), COUNT(DISTINCT customer_id), SUM(quantity), COUNT(DISTINCT sold_on) FROM ns.sales' },
  { sql: 'SELECT store, COUNT(DISTINCT customer_id), COUNT(DISTINCT product_id), COUNT(DISTINCT channel) FROM ns.sales GROUP BY store' },
  { sql: 'SELECT store, SUM(quantity) * 2, SUM(price) / COUNT(*), MAX(price) - MIN(price), AVG(amount) + 1 FROM ns.sales GROUP BY store' },
  { sql: 'SELECT store, SUM(quantity * price), MAX(lower(channel)), MIN(date_trunc(\'month\', sold_at)) FROM ns.sales GROUP BY store' },
  { sql: "SELECT date_trunc('month', sold_at) AS m, SUM(amount), AVG(weight) FROM ns.sales GROUP BY date_trunc('month', sold_at)" },
  { sql: 'SELECT returned, SUM(discount), AVG(discount), MIN(discount), MAX(weight), SUM(weight) FROM ns.sales GROUP BY returned' },
  { sql: 'SELECT sale_id, COUNT(*) FROM ns.sales GROUP BY sale_id HAVING COUNT(*) > 1' },
  { sql: 'SELECT customer_id IS NULL, COUNT(*), SUM(amount) FROM ns.sales GROUP BY customer_id IS NULL' },
  { sql: 'SELECT CASE WHEN price < 100 THEN \'cheap\' WHEN price < 500 THEN \'mid\' ELSE \'dear\' END AS band, COUNT(*) FROM ns.sales GROUP BY 1' },
  { sql: 'SELECT channel, store, COUNT(*), SUM(amount), AVG(price) FROM ns.sales WHERE customer_id = 7 GROUP BY channel, store' },
  { sql: 'SELECT region, segment, COUNT(*), SUM(credit), AVG(score), MIN(signup) FROM ns.customers GROUP BY region, segment' },
  { sql: 'SELECT channel, COUNT(*), COUNT(note), COUNT(DISTINCT note) FROM ns.sales GROUP BY channel' },
  { sql: 'SELECT CAST(sold_at_tz AS DATE), COUNT(*), MAX(sold_at) FROM ns.sales GROUP BY 1' },
  { sql: 'SELECT COUNT(CASE WHEN returned THEN 1 END), COUNT(*), SUM(CASE WHEN note IS NULL THEN 0 ELSE 1 END) FROM ns.sales' },

  // ---- HAVING.
  { sql: 'SELECT customer_id, COUNT(*) FROM ns.sales GROUP BY customer_id HAVING COUNT(*) > 70' },
  { sql: 'SELECT store, SUM(amount) FROM ns.sales GROUP BY store HAVING SUM(amount) > 30000000' },
  { sql: 'SELECT product_id FROM ns.sales GROUP BY product_id HAVING MIN(price) < 5 AND MAX(price) > 995' },
  { sql: 'SELECT store FROM ns.sales GROUP BY store HAVING AVG(quantity) > 10.4' },
  { sql: "SELECT store, COUNT(*) FROM ns.sales GROUP BY store HAVING store <> 'north'" },
  { sql: 'SELECT COUNT(*) FROM ns.sales HAVING COUNT(*) > 0' },
  { sql: 'SELECT grp, COUNT(DISTINCT s) FROM ns.types GROUP BY grp HAVING COUNT(DISTINCT s) >= 10 OR grp IS NULL' },
  { sql: 'SELECT sold_on, SUM(quantity) AS q FROM ns.sales GROUP BY sold_on HAVING SUM(quantity) > 350 AND COUNT(*) < 40' },

  // ---- DISTINCT.
  { sql: 'SELECT DISTINCT store FROM ns.sales' },
  { sql: 'SELECT DISTINCT store, channel FROM ns.sales' },
  { sql: 'SELECT DISTINCT grp, b FROM ns.types' },
  { sql: 'SELECT DISTINCT s FROM ns.types' },
  { sql: 'SELECT DISTINCT d FROM ns.types' },
  { sql: 'SELECT DISTINCT bl FROM ns.types' },
  { sql: 'SELECT DISTINCT dt, tz FROM ns.types' },
  { sql: 'SELECT DISTINCT d9, d38 FROM ns.types' },
  { sql: 'SELECT DISTINCT customer_id % 10 FROM ns.sales' },
  { sql: 'SELECT COUNT(*) FROM (SELECT DISTINCT * FROM ns.sales) x' },
  { sql: 'SELECT DISTINCT store FROM ns.sales ORDER BY store', order: 'total' },
  { sql: 'SELECT DISTINCT year(sold_on), returned FROM ns.sales' },

  // ---- INNER and LEFT joins: 2- and 3-way, multi-key, residual ON conditions.
  { sql: `SELECT s.sale_id, c.name, c.region FROM ${SALES_CUSTOMERS}` },
  { sql: `SELECT c.region, COUNT(*), SUM(s.amount) FROM ${SALES_CUSTOMERS} GROUP BY c.region` },
  { sql: 'SELECT s.sale_id, s.customer_id, c.name FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id WHERE c.customer_id IS NULL' },
  { sql: 'SELECT c.region, COUNT(*), COUNT(c.customer_id), SUM(s.quantity) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id GROUP BY c.region' },
  { sql: 'SELECT s.sale_id, p.product_name, p.list_price FROM ns.sales s JOIN ns.products p ON s.product_id = p.product_id AND s.store = p.store' },
  { sql: 'SELECT p.category, COUNT(*), COUNT(p.product_id), SUM(s.quantity * p.list_price) FROM ns.sales s LEFT JOIN ns.products p ON s.product_id = p.product_id AND s.store = p.store GROUP BY p.category' },
  { sql: 'SELECT COUNT(*), SUM(s.amount) FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id AND s.sold_on >= c.signup' },
  { sql: 'SELECT c.vip, COUNT(*), COUNT(c.name) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id AND c.vip GROUP BY c.vip' },
  { sql: 'SELECT s.quantity > 10, COUNT(c.customer_id), COUNT(*) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id AND s.quantity > 10 GROUP BY 1' },
  { sql: 'SELECT r.region_name, COUNT(*), SUM(s.amount) FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id JOIN ns.regions r ON c.region = r.region GROUP BY r.region_name' },
  { sql: 'SELECT c.segment, p.category, COUNT(*), SUM(s.quantity) FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id LEFT JOIN ns.products p ON s.product_id = p.product_id AND s.store = p.store GROUP BY c.segment, p.category' },
  { sql: 'SELECT r.manager, c.region, COUNT(*) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id LEFT JOIN ns.regions r ON c.region = r.region GROUP BY r.manager, c.region' },
  { sql: 'SELECT c.customer_id, c.name, COUNT(s.sale_id) FROM ns.customers c LEFT JOIN ns.sales s ON c.customer_id = s.customer_id GROUP BY c.customer_id, c.name' },
  { sql: 'SELECT c.customer_id FROM ns.customers c LEFT JOIN ns.sales s ON c.customer_id = s.customer_id WHERE s.sale_id IS NULL' },
  { sql: 'SELECT t.customer_id, t.total, c.name FROM (SELECT customer_id, SUM(amount) AS total FROM ns.sales GROUP BY customer_id) t JOIN ns.customers c ON t.customer_id = c.customer_id' },
  { sql: 'SELECT COUNT(*) FROM ns.customers a JOIN ns.customers b ON a.region = b.region AND a.customer_id < b.customer_id' },
  { sql: 'SELECT COUNT(*), SUM(s.quantity) FROM ns.sales s JOIN ns.products p ON s.product_id = p.product_id AND lower(s.store) = p.store' },
  { sql: 'SELECT t.id, s.sale_id, s.store FROM ns.types t JOIN ns.sales s ON t.i = s.sale_id' },
  { sql: 'SELECT a.id, b.id FROM ns.types a JOIN ns.types b ON a.dt = b.dt AND a.id < b.id' },
  { sql: 'SELECT a.id, b.id FROM ns.types a JOIN ns.types b ON a.s = b.s AND a.id <> b.id' },
  { sql: 'SELECT a.id, b.id, a.d9 FROM ns.types a JOIN ns.types b ON a.d9 = b.d9 AND a.grp = b.grp' },
  { sql: 'SELECT a.id, b.id FROM ns.types a LEFT JOIN ns.types b ON a.bl = b.bl AND a.id < b.id' },
  { sql: 'SELECT s.sale_id, c.name FROM ns.sales s, ns.customers c WHERE s.customer_id = c.customer_id AND s.quantity = 20 AND s.price > 900' },
  { sql: "SELECT c.region, COUNT(*) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id WHERE c.region <> 'EMEA' OR c.region IS NULL GROUP BY c.region" },
  { sql: 'SELECT s.sale_id, e.k FROM ns.sales s JOIN ns.empty e ON s.customer_id = e.id' },
  { sql: 'SELECT COUNT(*), COUNT(e.id), MAX(e.k) FROM ns.sales s LEFT JOIN ns.empty e ON s.customer_id = e.id' },
  { sql: 'SELECT s.sale_id, c.name, p.product_name, r.region_name FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id JOIN ns.products p ON s.product_id = p.product_id AND s.store = p.store JOIN ns.regions r ON c.region = r.region WHERE s.quantity >= 19' },
  { sql: 'SELECT c.name, s.sold_on, s.amount FROM ns.customers c JOIN ns.sales s ON s.customer_id = c.customer_id AND s.amount > 19900 AND c.vip = false' },
  { sql: 'SELECT x.store, x.n, y.n FROM (SELECT store, COUNT(*) AS n FROM ns.sales GROUP BY store) x LEFT JOIN (SELECT store, COUNT(*) AS n FROM ns.products GROUP BY store) y ON x.store = y.store' },
  { sql: "SELECT COUNT(*), SUM(a.quantity) FROM ns.sales a JOIN (SELECT customer_id FROM ns.sales WHERE quantity = 20 AND store = 'north') b ON a.customer_id = b.customer_id" },
  { sql: 'SELECT COUNT(*), SUM(s.quantity) FROM ns.sales s JOIN ns.products p ON s.price = p.list_price' },
  { sql: 'SELECT t.id, COUNT(*) FROM ns.types t JOIN ns.sales s ON t.dt = s.sold_on GROUP BY t.id' },
  { sql: 'SELECT COUNT(*) FROM ns.types t JOIN ns.sales s ON CAST(t.ts AS DATE) = s.sold_on' },
  { sql: "SELECT COUNT(*), COUNT(c.name) FROM ns.sales s LEFT JOIN ns.customers c ON s.customer_id = c.customer_id AND (s.store = 'north' OR c.vip)" },
  { sql: `SELECT DISTINCT c.region, s.store FROM ${SALES_CUSTOMERS}` },
  { sql: 'SELECT COUNT(*), COUNT(b.sale_id), SUM(a.quantity) FROM ns.sales a JOIN ns.sales b ON a.sale_id = b.sale_id' },
  { sql: 'SELECT u.k, c.region, COUNT(*) FROM (SELECT customer_id AS k FROM ns.sales WHERE quantity > 15 UNION ALL SELECT customer_id FROM ns.customers) u JOIN ns.customers c ON u.k = c.customer_id GROUP BY u.k, c.region' },

  // ---- UNION ALL.
  { sql: 'SELECT store FROM ns.sales WHERE quantity > 18 UNION ALL SELECT store FROM ns.products' },
  { sql: 'SELECT i FROM ns.types UNION ALL SELECT bi FROM ns.types' },
  { sql: 'SELECT d9 FROM ns.types UNION ALL SELECT d18 FROM ns.types UNION ALL SELECT d38 FROM ns.types' },
  { sql: "SELECT 'a', 1 UNION ALL SELECT 'b', 2 UNION ALL SELECT 'c', NULL" },
  { sql: 'SELECT k, COUNT(*) FROM (SELECT store AS k FROM ns.sales UNION ALL SELECT store FROM ns.products) u GROUP BY k' },
  { sql: 'SELECT id, s FROM ns.types WHERE id < 5 UNION ALL SELECT id, k FROM ns.empty' },
  { sql: 'SELECT dt FROM ns.types UNION ALL SELECT sold_on FROM ns.sales WHERE sale_id < 50' },
  { sql: 'SELECT id, i FROM ns.types WHERE i > 900 UNION ALL SELECT id, i FROM ns.types WHERE i < -900 ORDER BY 2, 1', order: 'total' },
  { sql: 'SELECT SUM(v) FROM (SELECT amount AS v FROM ns.sales UNION ALL SELECT score FROM ns.customers UNION ALL SELECT x FROM ns.empty) t' },
  { sql: 'SELECT r FROM ns.types UNION ALL SELECT d FROM ns.types' },

  // ---- Subqueries in FROM.
  { sql: 'SELECT t.store, t.n FROM (SELECT store, COUNT(*) AS n FROM ns.sales GROUP BY store) t WHERE t.n > 3900' },
  { sql: 'SELECT AVG(n), MAX(n), MIN(n), SUM(n) FROM (SELECT customer_id, COUNT(*) AS n FROM ns.sales GROUP BY customer_id) x' },
  { sql: 'SELECT band, COUNT(*) FROM (SELECT CASE WHEN n > 50 THEN \'big\' ELSE \'small\' END AS band FROM (SELECT customer_id, COUNT(*) AS n FROM ns.sales GROUP BY customer_id) a) b GROUP BY band' },
  { sql: 'SELECT COUNT(*) FROM (SELECT DISTINCT customer_id, store FROM ns.sales) d' },
  { sql: 'SELECT SUM(amount) FROM (SELECT amount FROM ns.sales ORDER BY amount DESC, sale_id LIMIT 10) t', order: 'none' },
  { sql: 'SELECT x.id * 2, x.y FROM (SELECT id, i + 1 AS y FROM ns.types WHERE i IS NOT NULL) x WHERE x.y > 0' },
  { sql: 'SELECT store, total FROM (SELECT store, SUM(amount) AS total FROM ns.sales GROUP BY store)' },
  { sql: 'SELECT q.m, q.c FROM (SELECT month(sold_on) AS m, COUNT(*) AS c FROM ns.sales WHERE returned GROUP BY month(sold_on)) q WHERE q.c > 30' },

  // ---- ORDER BY (ASC/DESC, NULLS FIRST/LAST, several keys), LIMIT and OFFSET.
  { sql: 'SELECT id, i FROM ns.types ORDER BY i, id', order: 'total' },
  { sql: 'SELECT id, i FROM ns.types ORDER BY i DESC, id', order: 'total' },
  { sql: 'SELECT id, i FROM ns.types ORDER BY i NULLS FIRST, id', order: 'total' },
  { sql: 'SELECT id, i FROM ns.types ORDER BY i DESC NULLS FIRST, id DESC', order: 'total' },
  { sql: 'SELECT id, i FROM ns.types ORDER BY i ASC NULLS LAST, id DESC', order: 'total' },
  { sql: 'SELECT id, s FROM ns.types ORDER BY s, id', order: 'total' },
  { sql: 'SELECT id, d FROM ns.types ORDER BY d DESC, id', order: 'total' },
  { sql: 'SELECT id, d9 FROM ns.types ORDER BY d9 DESC, id LIMIT 10', order: 'total' },
  { sql: 'SELECT id, dt, ts FROM ns.types ORDER BY dt, ts, id', order: 'total' },
  { sql: 'SELECT id, tz FROM ns.types ORDER BY tz DESC NULLS FIRST, id', order: 'total' },
  { sql: 'SELECT id, bl FROM ns.types ORDER BY bl, id', order: 'total' },
  { sql: 'SELECT id, b, d38 FROM ns.types ORDER BY b, d38 DESC, id', order: 'total' },
  { sql: 'SELECT id, r, d18 FROM ns.types ORDER BY r NULLS FIRST, d18 NULLS FIRST, id', order: 'total' },
  { sql: 'SELECT id, a FROM ns.types ORDER BY id LIMIT 5 OFFSET 10', order: 'total' },
  { sql: 'SELECT id FROM ns.types ORDER BY id LIMIT 0', order: 'total' },
  { sql: 'SELECT id FROM ns.types ORDER BY id LIMIT 10 OFFSET 1000', order: 'total' },
  { sql: 'SELECT id FROM ns.types ORDER BY id OFFSET 290', order: 'total' },
  { sql: 'SELECT COUNT(*) FROM (SELECT * FROM ns.sales LIMIT 100) t' },
  { sql: 'SELECT id, i FROM ns.types ORDER BY 2 DESC, 1 LIMIT 20', order: 'total' },
  { sql: 'SELECT store, SUM(amount) AS total FROM ns.sales GROUP BY store ORDER BY total DESC', order: 'total' },
  { sql: 'SELECT id FROM ns.types ORDER BY abs(i), id', order: 'total' },
  { sql: 'SELECT customer_id, COUNT(*) FROM ns.sales GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 5', order: 'total' },
  { sql: 'SELECT store, sale_id FROM ns.sales WHERE quantity = 20 ORDER BY store', order: [0] },
  { sql: 'SELECT sale_id, amount FROM ns.sales ORDER BY sale_id', order: [0] },
  { sql: 'SELECT s.sale_id, c.name FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id ORDER BY s.amount DESC, s.sale_id, c.name LIMIT 15', order: 'total' },
  { sql: 'SELECT sale_id, price FROM ns.sales ORDER BY price DESC NULLS LAST, sale_id LIMIT 7 OFFSET 3', order: 'total' },
  { sql: 'SELECT id, grp, i FROM ns.types ORDER BY grp DESC, i + 0 NULLS FIRST, id', order: 'total' },
  { sql: 'SELECT customer_id, name FROM ns.customers ORDER BY name NULLS FIRST, customer_id LIMIT 40', order: 'total' },
  { sql: 'SELECT note, channel, sale_id FROM ns.sales ORDER BY note NULLS FIRST, channel DESC, sale_id', order: 'total' },
  { sql: 'SELECT sale_id FROM ns.sales ORDER BY sale_id DESC NULLS FIRST LIMIT 5000 OFFSET 100', order: 'total' },
  { sql: "SELECT c.region, s.store, SUM(s.amount) AS total, COUNT(*) AS n FROM ns.sales s JOIN ns.customers c ON s.customer_id = c.customer_id WHERE s.sold_on >= DATE '2024-01-01' GROUP BY c.region, s.store HAVING COUNT(*) > 100 ORDER BY total DESC, c.region, s.store LIMIT 8", order: 'total' },
  { sql: 'SELECT store, channel, COUNT(*) FROM ns.sales GROUP BY store, channel ORDER BY 1 NULLS FIRST, 2 DESC NULLS LAST', order: 'total' },

  // ---- read_parquet('file') as a table.
  { sql: "SELECT COUNT(*), COUNT(region) FROM read_parquet('{data}/customers.parquet')" },
  { sql: "SELECT region, COUNT(*), SUM(credit) FROM read_parquet('{data}/customers.parquet') GROUP BY region" },
  { sql: "SELECT COUNT(*), SUM(s.amount) FROM ns.sales s JOIN read_parquet('{data}/customers.parquet') c ON s.customer_id = c.customer_id" },
  { sql: "SELECT store, SUM(quantity) FROM read_parquet('{data}/sales_2.parquet') WHERE price > 500 GROUP BY store" },
  { sql: "SELECT * FROM read_parquet('{data}/types_1.parquet')" },
  { sql: "SELECT COUNT(*), MIN(k) FROM read_parquet('{data}/empty.parquet')" },

  // ---- Empty inputs: the empty table, filters that keep nothing, global aggregates of nothing.
  { sql: 'SELECT COUNT(*), COUNT(id), SUM(v), AVG(x), MIN(dt), MAX(k), COUNT(DISTINCT flag) FROM ns.empty' },
  { sql: 'SELECT k, COUNT(*) FROM ns.empty GROUP BY k' },
  { sql: 'SELECT COUNT(*) FROM ns.sales WHERE quantity > 1000' },
  { sql: 'SELECT SUM(amount), MIN(sold_on), MAX(store), AVG(price), COUNT(DISTINCT store) FROM ns.sales WHERE 1 = 0' },
  { sql: 'SELECT DISTINCT k FROM ns.empty' },
  { sql: 'SELECT * FROM ns.empty ORDER BY id LIMIT 5', order: 'total' },
  { sql: 'SELECT COUNT(*) FROM ns.empty HAVING COUNT(*) > 0' },
  { sql: 'SELECT SUM(i), SUM(d38), MIN(bl), MAX(tz), AVG(r) FROM ns.types WHERE id < 0' },
  { sql: 'SELECT store, SUM(amount) FROM ns.sales WHERE sold_on < DATE \'2000-01-01\' GROUP BY store' },
  { sql: 'SELECT e.id, c.name FROM ns.empty e LEFT JOIN ns.customers c ON e.id = c.customer_id' },

  // ---- Floats at their edges: NaN, infinities, -0.0, subnormals (DuckDB: NaN equals NaN and
  // sorts above +inf; -0.0 equals 0.0).
  { sql: 'SELECT id, f, g FROM ns.floats ORDER BY f, id', order: 'total' },
  { sql: 'SELECT id, f FROM ns.floats ORDER BY f DESC NULLS FIRST, id', order: 'total' },
  { sql: 'SELECT id, g FROM ns.floats ORDER BY g DESC, id', order: 'total' },
  { sql: 'SELECT f, COUNT(*) FROM ns.floats GROUP BY f' },
  { sql: 'SELECT g, COUNT(*), MIN(id) FROM ns.floats GROUP BY g' },
  { sql: 'SELECT MIN(f), MAX(f), MIN(g), MAX(g), COUNT(DISTINCT f), COUNT(DISTINCT g) FROM ns.floats' },
  { sql: 'SELECT SUM(f), AVG(f), SUM(g), AVG(g) FROM ns.floats' },
  { sql: 'SELECT SUM(f), MAX(g) FROM ns.floats WHERE id IN (2, 9, 10)' },
  { sql: "SELECT id, f = f, f <> 0, f < 1, f > CAST('inf' AS DOUBLE), f = CAST('nan' AS DOUBLE), g = f FROM ns.floats" },
  { sql: 'SELECT id, -f, abs(f), f / 2, floor(f), ceil(g), round(f, 1), f * 0.5 FROM ns.floats' },
  { sql: 'SELECT id, CAST(f AS VARCHAR), CAST(g AS VARCHAR), CAST(g AS DOUBLE) FROM ns.floats' },
  { sql: 'SELECT id, CAST(f AS REAL) FROM ns.floats WHERE abs(f) < 1e38' },
  { sql: 'SELECT DISTINCT f FROM ns.floats' },
  { sql: 'SELECT a.id, b.id FROM ns.floats a JOIN ns.floats b ON a.f = b.f' },
  { sql: 'SELECT id FROM ns.floats WHERE f BETWEEN -1 AND 1 OR g IN (2.5, 0)' },

  // ---- Documented departures: Floe errors where DuckDB returns NULL or inf.
  { sql: 'SELECT id, i / 0 FROM ns.types', floeError: /division by zero/, why: 'division by zero is an error in Floe (engine/expression_eval.h)' },
  { sql: 'SELECT id, d9 % 0 FROM ns.types', floeError: /division by zero/, why: 'modulo by zero is an error in Floe' },
  { sql: 'SELECT store, SUM(amount) / 0.0 FROM ns.sales GROUP BY store', floeError: /division by zero/, why: 'DOUBLE division by zero is an error in Floe' },
];
