-- Plain SELECT: lists, aliases, stars, DISTINCT, literals and names.

-- name: simple aggregate
SELECT region, SUM(amount) FROM bronze.orders GROUP BY region;
-- expect: SELECT region, sum(amount) FROM bronze.orders GROUP BY region

-- name: select without from
SELECT 1
-- expect: SELECT 1

-- name: star
select * from t
-- expect: SELECT * FROM t

-- name: qualified star and column
SELECT o.*, r.name FROM orders o, regions r
-- expect: SELECT o.*, r.name FROM orders AS o, regions AS r

-- name: distinct
SELECT DISTINCT region FROM t
-- expect: SELECT DISTINCT region FROM t

-- name: select all is the default
SELECT ALL region FROM t
-- expect: SELECT region FROM t

-- name: alias with and without AS
SELECT a AS x, b y, c "Z z" FROM t
-- expect: SELECT a AS x, b AS y, c AS "Z z" FROM t

-- name: unquoted names fold to lower case
SELECT Region, AMOUNT FROM Bronze.Orders
-- expect: SELECT region, amount FROM bronze.orders

-- name: quoted names keep case and escapes
SELECT "Region", "a""b", "lower" FROM "Bronze"."My Orders"
-- expect: SELECT "Region", "a""b", lower FROM "Bronze"."My Orders"

-- name: non-reserved keywords as column names
SELECT day, year, month, date, status, region, first, last, text, string, count FROM t
-- expect: SELECT day, year, month, date, status, region, first, last, text, string, count FROM t

-- name: non-reserved keywords as aliases
SELECT a AS day, b year, c AS replace, d AS table_name FROM t
-- expect: SELECT a AS day, b AS year, c AS replace, d AS table_name FROM t

-- name: reserved words as quoted names
SELECT "select", "from" AS "where" FROM "group"
-- expect: SELECT "select", "from" AS "where" FROM "group"

-- name: table alias that is a keyword
SELECT first.a FROM t AS first
-- expect: SELECT first.a FROM t AS first

-- name: integer and decimal literals
SELECT 1, 42, 1.5, .5, 5., 0.25
-- expect: SELECT 1, 42, 1.5, .5, 5., 0.25

-- name: float literals
SELECT 1e10, 1.5E-3, 2e+4, .5e1
-- expect: SELECT 1e10, 1.5E-3, 2e+4, .5e1

-- name: huge integer becomes decimal text
SELECT 123456789012345678901234567890
-- expect: SELECT 123456789012345678901234567890

-- name: string literals with escapes
SELECT 'it''s', '', 'a b'
-- expect: SELECT 'it''s', '', 'a b'

-- name: boolean and null literals
SELECT TRUE, false, Null
-- expect: SELECT TRUE, FALSE, NULL

-- name: date and timestamp literals
SELECT DATE '2024-01-31', TIMESTAMP '2024-01-31 12:30:00', date '2024-02-29'
-- expect: SELECT DATE '2024-01-31', TIMESTAMP '2024-01-31 12:30:00', DATE '2024-02-29'

-- name: comments are skipped
SELECT a, -- the first column
  /* a block
     comment */ b
FROM t -- done
-- expect: SELECT a, b FROM t

-- name: where clause
SELECT a FROM t WHERE a > 1
-- expect: SELECT a FROM t WHERE a > 1

-- name: single part table name
SELECT a FROM orders
-- expect: SELECT a FROM orders

-- name: unicode in quoted names
SELECT "café" FROM "données"
-- expect: SELECT "café" FROM "données"

-- name: unicode unquoted name is quoted on output
SELECT café FROM t
-- expect: SELECT "café" FROM t

-- name: trailing semicolon
SELECT 1;
-- expect: SELECT 1

-- name: several statements
SELECT 1; SELECT 2;; SELECT 3
-- expect: SELECT 1; SELECT 2; SELECT 3

-- name: alias of every kind of expression
SELECT a + 1 AS b, count(*) AS n, CASE WHEN a THEN 1 END AS c FROM t
-- expect: SELECT a + 1 AS b, count(*) AS n, CASE WHEN a THEN 1 END AS c FROM t

-- name: mixed case keywords
sElEcT a FrOm t wHeRe a iS nOt NuLl
-- expect: SELECT a FROM t WHERE a IS NOT NULL
