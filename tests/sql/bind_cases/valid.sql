-- Binder cases: names, literal types, implicit casts, lowerings, aggregates, statements.
-- Each prints the binder's plan before optimization (catalog: tests/sql/plan_case_runner.h).
-- Types checked against DuckDB 1.5 where Floe has the type: literals (2147483648 BIGINT,
-- 1.50 DECIMAL(3,2)), sum(DECIMAL(12,2)) DECIMAL(38,2), avg DOUBLE, UNION ALL of BIGINT and
-- 1.5 DECIMAL(20,1); sum(integer) is DECIMAL(38,0) where DuckDB says HUGEINT.

-- name: SELECT * FROM orders
SELECT * FROM orders
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT id, region FROM bronze.orders
SELECT id, region FROM bronze.orders
-- bound:
PROJECT [id#0, region#2] -> (id BIGINT NOT NULL, region VARCHAR)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT o.id, o.amount FROM orders o
SELECT o.id, o.amount FROM orders o
-- bound:
PROJECT [id#0, amount#3] -> (id BIGINT NOT NULL, amount DECIMAL(12,2))
  SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT orders.id FROM orders
SELECT orders.id FROM orders
-- bound:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT o.* FROM orders o
SELECT o.* FROM orders o
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT c.*, o.id FROM orders o JOIN customers c ON o.customer_id = c.i
SELECT c.*, o.id FROM orders o JOIN customers c ON o.customer_id = c.id
-- bound:
PROJECT [id#5, name#6, segment#7, id#0] -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR, id BIGINT NOT NULL)
  INNER JOIN residual: customer_id#1 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT 1, 2147483647, 2147483648, -2147483648, 9223372036854775807, 12
SELECT 1, 2147483647, 2147483648, -2147483648, 9223372036854775807, 12345678901234567890
-- bound:
PROJECT [1, 2147483647, 2147483648::BIGINT, -2147483648, 9223372036854775807::BIGINT, 12345678901234567890::DECIMAL(20,0)] -> (1 INTEGER NOT NULL, 2147483647 INTEGER NOT NULL, 2147483648 BIGINT NOT NULL, -2147483648 INTEGER NOT NULL, 9223372036854775807 BIGINT NOT NULL, 12345678901234567890 DECIMAL(20,0) NOT NULL)
  VALUES () -> ()

-- name: SELECT 1.50, .5, 123.4500, -0.25, 1e3
SELECT 1.50, .5, 123.4500, -0.25, 1e3
-- bound:
PROJECT [1.50::DECIMAL(3,2), 0.5::DECIMAL(1,1), 123.4500::DECIMAL(7,4), -0.25::DECIMAL(2,2), 1000::DOUBLE] -> (1.50 DECIMAL(3,2) NOT NULL, .5 DECIMAL(1,1) NOT NULL, 123.4500 DECIMAL(7,4) NOT NULL, -0.25 DECIMAL(2,2) NOT NULL, 1e3 DOUBLE NOT NULL)
  VALUES () -> ()

-- name: SELECT 'abc', TRUE, FALSE, NULL
SELECT 'abc', TRUE, FALSE, NULL
-- bound:
PROJECT ['abc', TRUE, FALSE, NULL] -> ('abc' VARCHAR NOT NULL, TRUE BOOLEAN NOT NULL, FALSE BOOLEAN NOT NULL, NULL INTEGER)
  VALUES () -> ()

-- name: SELECT DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456'
SELECT DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456'
-- bound:
PROJECT [DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456'] -> (DATE '2024-02-29' DATE NOT NULL, TIMESTAMP '2024-01-02 03:04:05.123456' TIMESTAMP NOT NULL)
  VALUES () -> ()

-- name: SELECT amount * 2 AS a FROM orders
SELECT amount * 2 AS a FROM orders
-- bound:
PROJECT [amount#3 * 2::DECIMAL(10,0)] -> (a DECIMAL(18,2))
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT amount + 1, amount - id, amount * amount, amount / 2, amount % 
SELECT amount + 1, amount - id, amount * amount, amount / 2, amount % 3 FROM orders
-- bound:
PROJECT [amount#3 + 1::DECIMAL(10,0), amount#3 - CAST(id#0 AS DECIMAL(19,0)), amount#3 * amount#3, CAST(amount#3 AS DOUBLE) / 2::DOUBLE, amount#3 % 3::DECIMAL(10,0)] -> (amount + 1 DECIMAL(13,2), amount - id DECIMAL(22,2), amount * amount DECIMAL(18,4), amount / 2 DOUBLE, amount % 3 DECIMAL(12,2))
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT id + 1, id / 2, id % 2, -id FROM orders
SELECT id + 1, id / 2, id % 2, -id FROM orders
-- bound:
PROJECT [id#0 + 1::BIGINT, CAST(id#0 AS DOUBLE) / 2::DOUBLE, id#0 % 2::BIGINT, -(id#0)] -> (id + 1 BIGINT NOT NULL, id / 2 DOUBLE NOT NULL, id % 2 BIGINT NOT NULL, -id BIGINT NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT k + k, k + id FROM events, orders
SELECT k + k, k + id FROM events, orders
-- bound:
PROJECT [k#0 + k#0, CAST(k#0 AS BIGINT) + id#6] -> (k + k INTEGER, k + id BIGINT)
  INNER JOIN -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6), id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT f + k, r + k, r + f, big + amount FROM events, orders
SELECT f + k, r + k, r + f, big + amount FROM events, orders
-- bound:
PROJECT [f#2 + CAST(k#0 AS DOUBLE), r#3 + CAST(k#0 AS REAL), CAST(r#3 AS DOUBLE) + f#2, big#5 + amount#9] -> (f + k DOUBLE, r + k REAL, r + f DOUBLE, big + amount DECIMAL(31,6))
  INNER JOIN -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6), id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region || '-' || id FROM orders
SELECT region || '-' || id FROM orders
-- bound:
PROJECT [(region#2 || '-') || CAST(id#0 AS VARCHAR)] -> (region || '-' || id VARCHAR)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE id = 5
SELECT * FROM orders WHERE id = 5
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER id#0 = 5::BIGINT -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE id = '5'
SELECT * FROM orders WHERE id = '5'
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER id#0 = 5::BIGINT -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE ts >= '2024-01-01'
SELECT * FROM orders WHERE ts >= '2024-01-01'
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER ts#4 >= TIMESTAMP '2024-01-01 00:00:00' -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE ts >= DATE '2024-01-01'
SELECT * FROM orders WHERE ts >= DATE '2024-01-01'
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER ts#4 >= TIMESTAMP '2024-01-01 00:00:00' -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE amount > 100
SELECT * FROM orders WHERE amount > 100
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER amount#3 > 100.00::DECIMAL(12,2) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE amount > 99.999
SELECT * FROM orders WHERE amount > 99.999
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER CAST(amount#3 AS DECIMAL(13,3)) > 99.999::DECIMAL(13,3) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE region = 'EU' AND amount > 10 OR id IS NULL
SELECT * FROM orders WHERE region = 'EU' AND amount > 10 OR id IS NULL
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER ((region#2 = 'EU') AND (amount#3 > 10.00::DECIMAL(12,2))) OR (id#0 IS NULL) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE NOT (id = 1)
SELECT * FROM orders WHERE NOT (id = 1)
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER NOT (id#0 = 1::BIGINT) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE amount BETWEEN 10 AND 20
SELECT * FROM orders WHERE amount BETWEEN 10 AND 20
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER (amount#3 >= 10.00::DECIMAL(12,2)) AND (amount#3 <= 20.00::DECIMAL(12,2)) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE amount NOT BETWEEN 10 AND 20
SELECT * FROM orders WHERE amount NOT BETWEEN 10 AND 20
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER NOT ((amount#3 >= 10.00::DECIMAL(12,2)) AND (amount#3 <= 20.00::DECIMAL(12,2))) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE region IN ('EU', 'US')
SELECT * FROM orders WHERE region IN ('EU', 'US')
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER (region#2 IN ('EU', 'US')) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE id NOT IN (1, 2, 3)
SELECT * FROM orders WHERE id NOT IN (1, 2, 3)
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER NOT ((id#0 IN (1::BIGINT, 2::BIGINT, 3::BIGINT))) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE id IN (1, NULL)
SELECT * FROM orders WHERE id IN (1, NULL)
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER (id#0 IN (1::BIGINT, NULL)) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE region LIKE 'E%'
SELECT * FROM orders WHERE region LIKE 'E%'
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER (region#2 LIKE 'E%') -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE region NOT LIKE 'E%'
SELECT * FROM orders WHERE region NOT LIKE 'E%'
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER NOT ((region#2 LIKE 'E%')) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders WHERE region IS NOT NULL
SELECT * FROM orders WHERE region IS NOT NULL
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  FILTER (region#2 IS NOT NULL) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END FROM orders
SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END FROM orders
-- bound:
PROJECT [CASE WHEN amount#3 > 10.00::DECIMAL(12,2) THEN 'big' ELSE 'small' END] -> (CASE WHEN amount > 10 THEN 'big' ELSE 'small' END VARCHAR NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CASE region WHEN 'EU' THEN 1 WHEN 'US' THEN 2 END FROM orders
SELECT CASE region WHEN 'EU' THEN 1 WHEN 'US' THEN 2 END FROM orders
-- bound:
PROJECT [CASE WHEN region#2 = 'EU' THEN 1 WHEN region#2 = 'US' THEN 2 ELSE NULL END] -> (CASE region WHEN 'EU' THEN 1 WHEN 'US' THEN 2 END INTEGER)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CASE WHEN id > 1 THEN amount ELSE 0 END FROM orders
SELECT CASE WHEN id > 1 THEN amount ELSE 0 END FROM orders
-- bound:
PROJECT [CASE WHEN id#0 > 1::BIGINT THEN amount#3 ELSE 0.00::DECIMAL(12,2) END] -> (CASE WHEN id > 1 THEN amount ELSE 0 END DECIMAL(12,2))
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CAST(id AS VARCHAR), CAST(region AS INTEGER), id::DOUBLE FROM o
SELECT CAST(id AS VARCHAR), CAST(region AS INTEGER), id::DOUBLE FROM orders
-- bound:
PROJECT [CAST(id#0 AS VARCHAR), CAST(region#2 AS INTEGER), CAST(id#0 AS DOUBLE)] -> (CAST(id AS VARCHAR) VARCHAR NOT NULL, CAST(region AS INTEGER) INTEGER, CAST(id AS DOUBLE) DOUBLE NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CAST('2024-01-01' AS DATE), CAST(NULL AS BIGINT)
SELECT CAST('2024-01-01' AS DATE), CAST(NULL AS BIGINT)
-- bound:
PROJECT [DATE '2024-01-01', NULL] -> (CAST('2024-01-01' AS DATE) DATE NOT NULL, CAST(NULL AS BIGINT) BIGINT)
  VALUES () -> ()

-- name: SELECT coalesce(region, 'none'), coalesce(customer_id, id, 0) FROM ord
SELECT coalesce(region, 'none'), coalesce(customer_id, id, 0) FROM orders
-- bound:
PROJECT [coalesce(region#2, 'none'), coalesce(customer_id#1, id#0, 0::BIGINT)] -> (coalesce(region, 'none') VARCHAR NOT NULL, coalesce(customer_id, id, 0) BIGINT NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT nullif(region, 'EU') FROM orders
SELECT nullif(region, 'EU') FROM orders
-- bound:
PROJECT [CASE WHEN region#2 = 'EU' THEN NULL ELSE region#2 END] -> (nullif(region, 'EU') VARCHAR)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT year(ts), month(ts), day(ts), extract(hour FROM ts) FROM orders
SELECT year(ts), month(ts), day(ts), extract(hour FROM ts) FROM orders
-- bound:
PROJECT [extract('year', ts#4), extract('month', ts#4), extract('day', ts#4), extract('hour', ts#4)] -> (year(ts) BIGINT, month(ts) BIGINT, day(ts) BIGINT, EXTRACT(hour FROM ts) BIGINT)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT date_trunc('month', ts), date_trunc('day', d) FROM orders, even
SELECT date_trunc('month', ts), date_trunc('day', d) FROM orders, events
-- bound:
PROJECT [date_trunc('month', ts#4), date_trunc('day', d#6)] -> (date_trunc('month', ts) TIMESTAMP, date_trunc('day', d) TIMESTAMP)
  INNER JOIN -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT lower(region), upper(region), trim(region), length(region) FROM
SELECT lower(region), upper(region), trim(region), length(region) FROM orders
-- bound:
PROJECT [lower(region#2), upper(region#2), trim(region#2), length(region#2)] -> (lower(region) VARCHAR, upper(region) VARCHAR, trim(region) VARCHAR, length(region) BIGINT)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT substring(region, 1, 2), substring(region FROM 2), concat(regio
SELECT substring(region, 1, 2), substring(region FROM 2), concat(region, id, NULL) FROM orders
-- bound:
PROJECT [substring(region#2, 1::BIGINT, 2::BIGINT), substring(region#2, 2::BIGINT), concat(region#2, CAST(id#0 AS VARCHAR), NULL)] -> (substring(region, 1, 2) VARCHAR, substring(region, 2) VARCHAR, concat(region, id, NULL) VARCHAR NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT abs(amount), round(amount, 1), round(amount), floor(amount), ce
SELECT abs(amount), round(amount, 1), round(amount), floor(amount), ceil(k), abs(k) FROM orders, events
-- bound:
PROJECT [abs(amount#3), round(amount#3, 1), round(amount#3), floor(amount#3), ceil(CAST(k#5 AS DOUBLE)), abs(k#5)] -> (abs(amount) DECIMAL(12,2), round(amount, 1) DECIMAL(12,1), round(amount) DECIMAL(12,0), floor(amount) DECIMAL(12,0), ceil(k) DOUBLE, abs(k) INTEGER)
  INNER JOIN -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT count(*) FROM orders
SELECT count(*) FROM orders
-- bound:
PROJECT [count_star#0] -> (count(*) BIGINT NOT NULL)
  AGGREGATE groups: [] calls: [count(*)] -> (count_star BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT count(id), count(DISTINCT region), sum(id), sum(amount), avg(am
SELECT count(id), count(DISTINCT region), sum(id), sum(amount), avg(amount), min(region), max(ts) FROM orders
-- bound:
PROJECT [count#0, count#1, sum#2, sum#3, avg#4, min#5, max#6] -> (count(id) BIGINT NOT NULL, count(DISTINCT region) BIGINT NOT NULL, sum(id) DECIMAL(38,0), sum(amount) DECIMAL(38,2), avg(amount) DOUBLE, min(region) VARCHAR, max(ts) TIMESTAMP)
  AGGREGATE groups: [] calls: [count(id#0), count(DISTINCT region#2), sum(id#0), sum(amount#3), avg(amount#3), min(region#2), max(ts#4)] -> (count BIGINT NOT NULL, count BIGINT NOT NULL, sum DECIMAL(38,0), sum DECIMAL(38,2), avg DOUBLE, min VARCHAR, max TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT sum(k), sum(f), sum(r), avg(k), sum(big), min(d) FROM events
SELECT sum(k), sum(f), sum(r), avg(k), sum(big), min(d) FROM events
-- bound:
PROJECT [sum#0, sum#1, sum#2, avg#3, sum#4, min#5] -> (sum(k) DECIMAL(38,0), sum(f) DOUBLE, sum(r) DOUBLE, avg(k) DOUBLE, sum(big) DECIMAL(38,6), min(d) DATE)
  AGGREGATE groups: [] calls: [sum(k#0), sum(f#2), sum(r#3), avg(k#0), sum(big#5), min(d#1)] -> (sum DECIMAL(38,0), sum DOUBLE, sum DOUBLE, avg DOUBLE, sum DECIMAL(38,6), min DATE)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT region, sum(amount) FROM orders GROUP BY region
SELECT region, sum(amount) FROM orders GROUP BY region
-- bound:
PROJECT [region#0, sum#1] -> (region VARCHAR, sum(amount) DECIMAL(38,2))
  AGGREGATE groups: [region#2] calls: [sum(amount#3)] -> (region VARCHAR, sum DECIMAL(38,2))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region AS r, count(*) FROM orders GROUP BY r
SELECT region AS r, count(*) FROM orders GROUP BY r
-- bound:
PROJECT [region#0, count_star#1] -> (r VARCHAR, count(*) BIGINT NOT NULL)
  AGGREGATE groups: [region#2] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region AS r, count(*) AS c FROM orders GROUP BY 1 HAVING c > 1
SELECT region AS r, count(*) AS c FROM orders GROUP BY 1 HAVING c > 1
-- bound:
PROJECT [region#0, count_star#1] -> (r VARCHAR, c BIGINT NOT NULL)
  FILTER count_star#1 > 1::BIGINT -> (region VARCHAR, count_star BIGINT NOT NULL)
    AGGREGATE groups: [region#2] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region, count(*) FROM orders GROUP BY region HAVING sum(amount)
SELECT region, count(*) FROM orders GROUP BY region HAVING sum(amount) > 100
-- bound:
PROJECT [region#0, count_star#1] -> (region VARCHAR, count(*) BIGINT NOT NULL)
  FILTER sum#2 > 100.00::DECIMAL(38,2) -> (region VARCHAR, count_star BIGINT NOT NULL, sum DECIMAL(38,2))
    AGGREGATE groups: [region#2] calls: [count(*), sum(amount#3)] -> (region VARCHAR, count_star BIGINT NOT NULL, sum DECIMAL(38,2))
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region AS id FROM orders GROUP BY region, id
SELECT region AS id FROM orders GROUP BY region, id
-- bound:
PROJECT [region#0] -> (id VARCHAR)
  AGGREGATE groups: [region#2, id#0] -> (region VARCHAR, id BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT amount + 1 FROM orders GROUP BY amount
SELECT amount + 1 FROM orders GROUP BY amount
-- bound:
PROJECT [amount#0 + 1::DECIMAL(10,0)] -> (amount + 1 DECIMAL(13,2))
  AGGREGATE groups: [amount#3] -> (amount DECIMAL(12,2))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT amount + 1 FROM orders GROUP BY amount + 1
SELECT amount + 1 FROM orders GROUP BY amount + 1
-- bound:
PROJECT [group#0] -> (amount + 1 DECIMAL(13,2))
  AGGREGATE groups: [amount#3 + 1::DECIMAL(10,0)] -> (group DECIMAL(13,2))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT o.region, count(*) FROM orders o GROUP BY region
SELECT o.region, count(*) FROM orders o GROUP BY region
-- bound:
PROJECT [region#0, count_star#1] -> (region VARCHAR, count(*) BIGINT NOT NULL)
  AGGREGATE groups: [region#2] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
    SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT CAST(ts AS DATE) AS day, region, sum(amount) AS total FROM orde
SELECT CAST(ts AS DATE) AS day, region, sum(amount) AS total FROM orders GROUP BY CAST(ts AS DATE), region
-- bound:
PROJECT [group#0, region#1, sum#2] -> (day DATE, region VARCHAR, total DECIMAL(38,2))
  AGGREGATE groups: [CAST(ts#4 AS DATE), region#2] calls: [sum(amount#3)] -> (group DATE, region VARCHAR, sum DECIMAL(38,2))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT count(*) FROM orders HAVING count(*) > 1
SELECT count(*) FROM orders HAVING count(*) > 1
-- bound:
PROJECT [count_star#0] -> (count(*) BIGINT NOT NULL)
  FILTER count_star#0 > 1::BIGINT -> (count_star BIGINT NOT NULL)
    AGGREGATE groups: [] calls: [count(*)] -> (count_star BIGINT NOT NULL)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region, sum(amount) / count(*) AS mean FROM orders GROUP BY reg
SELECT region, sum(amount) / count(*) AS mean FROM orders GROUP BY region
-- bound:
PROJECT [region#0, CAST(sum#1 AS DOUBLE) / CAST(count_star#2 AS DOUBLE)] -> (region VARCHAR, mean DOUBLE)
  AGGREGATE groups: [region#2] calls: [sum(amount#3), count(*)] -> (region VARCHAR, sum DECIMAL(38,2), count_star BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT sum(amount) FILLER FROM orders
SELECT sum(amount) FILLER FROM orders
-- bound:
PROJECT [sum#0] -> (filler DECIMAL(38,2))
  AGGREGATE groups: [] calls: [sum(amount#3)] -> (sum DECIMAL(38,2))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT DISTINCT region FROM orders
SELECT DISTINCT region FROM orders
-- bound:
AGGREGATE groups: [region#0] -> (region VARCHAR)
  PROJECT [region#2] -> (region VARCHAR)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT DISTINCT region, customer_id FROM orders ORDER BY region
SELECT DISTINCT region, customer_id FROM orders ORDER BY region
-- bound:
ORDER [region#0 ASC NULLS LAST] -> (region VARCHAR, customer_id BIGINT)
  AGGREGATE groups: [region#0, customer_id#1] -> (region VARCHAR, customer_id BIGINT)
    PROJECT [region#2, customer_id#1] -> (region VARCHAR, customer_id BIGINT)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region FROM orders ORDER BY region DESC
SELECT region FROM orders ORDER BY region DESC
-- bound:
ORDER [region#0 DESC NULLS LAST] -> (region VARCHAR)
  PROJECT [region#2] -> (region VARCHAR)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region AS r FROM orders ORDER BY r NULLS FIRST
SELECT region AS r FROM orders ORDER BY r NULLS FIRST
-- bound:
ORDER [r#0 ASC NULLS FIRST] -> (r VARCHAR)
  PROJECT [region#2] -> (r VARCHAR)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT amount AS r FROM orders ORDER BY r + 1
SELECT amount AS r FROM orders ORDER BY r + 1
-- bound:
PROJECT [r#0] -> (r DECIMAL(12,2))
  ORDER [_order_key#1 ASC NULLS LAST] -> (r DECIMAL(12,2), _order_key DECIMAL(13,2))
    PROJECT [amount#3, amount#3 + 1::DECIMAL(10,0)] -> (r DECIMAL(12,2), _order_key DECIMAL(13,2))
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region FROM orders ORDER BY amount
SELECT region FROM orders ORDER BY amount
-- bound:
PROJECT [region#0] -> (region VARCHAR)
  ORDER [_order_key#1 ASC NULLS LAST] -> (region VARCHAR, _order_key DECIMAL(12,2))
    PROJECT [region#2, amount#3] -> (region VARCHAR, _order_key DECIMAL(12,2))
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region FROM orders ORDER BY 1 LIMIT 10 OFFSET 5
SELECT region FROM orders ORDER BY 1 LIMIT 10 OFFSET 5
-- bound:
LIMIT 10 OFFSET 5 -> (region VARCHAR)
  ORDER [region#0 ASC NULLS LAST] -> (region VARCHAR)
    PROJECT [region#2] -> (region VARCHAR)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region, count(*) AS n FROM orders GROUP BY region ORDER BY n DE
SELECT region, count(*) AS n FROM orders GROUP BY region ORDER BY n DESC, region
-- bound:
ORDER [n#1 DESC NULLS LAST, region#0 ASC NULLS LAST] -> (region VARCHAR, n BIGINT NOT NULL)
  PROJECT [region#0, count_star#1] -> (region VARCHAR, n BIGINT NOT NULL)
    AGGREGATE groups: [region#2] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT region FROM orders GROUP BY region ORDER BY count(*)
SELECT region FROM orders GROUP BY region ORDER BY count(*)
-- bound:
PROJECT [region#0] -> (region VARCHAR)
  ORDER [_order_key#1 ASC NULLS LAST] -> (region VARCHAR, _order_key BIGINT NOT NULL)
    PROJECT [region#0, count_star#1] -> (region VARCHAR, _order_key BIGINT NOT NULL)
      AGGREGATE groups: [region#2] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
        SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM orders LIMIT 3
SELECT * FROM orders LIMIT 3
-- bound:
LIMIT 3 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT id FROM orders UNION ALL SELECT id FROM customers
SELECT id FROM orders UNION ALL SELECT id FROM customers
-- bound:
UNION ALL -> (id BIGINT NOT NULL)
  PROJECT [id#0] -> (id BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  PROJECT [id#0] -> (id BIGINT NOT NULL)
    SCAN bronze.customers -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT id FROM orders UNION ALL SELECT 1.5
SELECT id FROM orders UNION ALL SELECT 1.5
-- bound:
UNION ALL -> (id DECIMAL(20,1) NOT NULL)
  PROJECT [CAST(id#0 AS DECIMAL(20,1))] -> (id DECIMAL(20,1) NOT NULL)
    PROJECT [id#0] -> (id BIGINT NOT NULL)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  PROJECT [CAST(1.5#0 AS DECIMAL(20,1))] -> (1.5 DECIMAL(20,1) NOT NULL)
    PROJECT [1.5::DECIMAL(2,1)] -> (1.5 DECIMAL(2,1) NOT NULL)
      VALUES () -> ()

-- name: SELECT id, region FROM orders UNION ALL SELECT k, NULL FROM events ORD
SELECT id, region FROM orders UNION ALL SELECT k, NULL FROM events ORDER BY 1
-- bound:
ORDER [id#0 ASC NULLS LAST] -> (id BIGINT, region VARCHAR)
  UNION ALL -> (id BIGINT, region VARCHAR)
    PROJECT [id#0, region#2] -> (id BIGINT NOT NULL, region VARCHAR)
      SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    PROJECT [CAST(k#0 AS BIGINT), NULL] -> (k BIGINT, NULL VARCHAR)
      PROJECT [k#0, NULL] -> (k INTEGER, NULL INTEGER)
        SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT x FROM (SELECT id AS x FROM orders) sub
SELECT x FROM (SELECT id AS x FROM orders) sub
-- bound:
PROJECT [x#0] -> (x BIGINT NOT NULL)
  PROJECT [id#0] -> (x BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT sub.total FROM (SELECT region, sum(amount) AS total FROM orders
SELECT sub.total FROM (SELECT region, sum(amount) AS total FROM orders GROUP BY region) AS sub WHERE sub.total > 5
-- bound:
PROJECT [total#1] -> (total DECIMAL(38,2))
  FILTER total#1 > 5.00::DECIMAL(38,2) -> (region VARCHAR, total DECIMAL(38,2))
    PROJECT [region#0, sum#1] -> (region VARCHAR, total DECIMAL(38,2))
      AGGREGATE groups: [region#2] calls: [sum(amount#3)] -> (region VARCHAR, sum DECIMAL(38,2))
        SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT * FROM (SELECT 1 AS a)
SELECT * FROM (SELECT 1 AS a)
-- bound:
PROJECT [a#0] -> (a INTEGER NOT NULL)
  PROJECT [1] -> (a INTEGER NOT NULL)
    VALUES () -> ()

-- name: SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = 
SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = c.id
-- bound:
PROJECT [id#0, name#6] -> (id BIGINT NOT NULL, name VARCHAR)
  INNER JOIN residual: customer_id#1 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_
SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.id
-- bound:
PROJECT [id#0, name#6] -> (id BIGINT NOT NULL, name VARCHAR)
  LEFT JOIN residual: customer_id#1 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c
SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id
-- bound:
PROJECT [id#0, name#6] -> (id BIGINT NOT NULL, name VARCHAR)
  FILTER customer_id#1 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
    INNER JOIN -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
      SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
      SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT * FROM orders a JOIN orders b ON a.id = b.id
SELECT * FROM orders a JOIN orders b ON a.id = b.id
-- bound:
PROJECT [id#0, customer_id#1, region#2, amount#3, ts#4, id#5, customer_id#6, region#7, amount#8, ts#9] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  INNER JOIN residual: id#0 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders AS a -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders AS b -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT user_id FROM '/lake/raw/clicks'
SELECT user_id FROM '/lake/raw/clicks'
-- bound:
PROJECT [user_id#0] -> (user_id BIGINT)
  SCAN '/lake/raw/clicks' -> (user_id BIGINT, url VARCHAR)

-- name: SELECT a, b FROM read_parquet('/data/x.parquet')
SELECT a, b FROM read_parquet('/data/x.parquet')
-- bound:
PROJECT [a#0, b#1] -> (a INTEGER, b VARCHAR)
  SCAN read_parquet('/data/x.parquet') -> (a INTEGER, b VARCHAR)

-- name: SELECT amount * 2 AS a FROM orders WHERE a > 1
SELECT amount * 2 AS a FROM orders WHERE a > 1
-- bound:
PROJECT [amount#3 * 2::DECIMAL(10,0)] -> (a DECIMAL(18,2))
  FILTER (amount#3 * 2::DECIMAL(10,0)) > 1.00::DECIMAL(18,2) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT k FROM events WHERE ok
SELECT k FROM events WHERE ok
-- bound:
PROJECT [k#0] -> (k INTEGER)
  FILTER ok#4 -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT big * big, big + 1, big * 1.5 FROM events
SELECT big * big, big + 1, big * 1.5 FROM events
-- bound:
PROJECT [big#5 * big#5, big#5 + 1::DECIMAL(10,0), big#5 * 1.5::DECIMAL(2,1)] -> (big * big DECIMAL(38,12), big + 1 DECIMAL(31,6), big * 1.5 DECIMAL(32,7))
  SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT CASE WHEN k > 0 THEN NULL ELSE k END FROM events
SELECT CASE WHEN k > 0 THEN NULL ELSE k END FROM events
-- bound:
PROJECT [CASE WHEN k#0 > 0 THEN NULL ELSE k#0 END] -> (CASE WHEN k > 0 THEN NULL ELSE k END INTEGER)
  SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: CREATE TABLE silver.t (id BIGINT NOT NULL, name VARCHAR, price DECIMAL
CREATE TABLE silver.t (id BIGINT NOT NULL, name VARCHAR, price DECIMAL(10,2))
-- bound:
CREATE TABLE silver.t (id BIGINT NOT NULL, name VARCHAR, price DECIMAL(10,2))

-- name: INSERT INTO orders VALUES (1, 2, 'EU', 10.5, TIMESTAMP '2024-01-01 00:
INSERT INTO orders VALUES (1, 2, 'EU', 10.5, TIMESTAMP '2024-01-01 00:00:00')
-- bound:
INSERT INTO bronze.orders
VALUES (1::BIGINT, 2::BIGINT, 'EU', 10.50::DECIMAL(12,2), TIMESTAMP '2024-01-01 00:00:00') -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: INSERT INTO orders (id, region, amount, ts) VALUES (1, 'EU', 3, '2024-
INSERT INTO orders (id, region, amount, ts) VALUES (1, 'EU', 3, '2024-01-01 10:00:00'), (2, NULL, NULL, NULL)
-- bound:
INSERT INTO bronze.orders
VALUES (1::BIGINT, NULL, 'EU', 3.00::DECIMAL(12,2), TIMESTAMP '2024-01-01 10:00:00'), (2::BIGINT, NULL, NULL, NULL, NULL) -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: INSERT INTO customers SELECT id, region, region FROM orders
INSERT INTO customers SELECT id, region, region FROM orders
-- bound:
INSERT INTO bronze.customers
PROJECT [id#0, region#1, region#2] -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
  PROJECT [id#0, region#2, region#2] -> (id BIGINT NOT NULL, region VARCHAR, region VARCHAR)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: INSERT INTO orders (id, amount) SELECT k, f FROM events
INSERT INTO orders (id, amount) SELECT k, f FROM events
-- bound:
INSERT INTO bronze.orders
PROJECT [CAST(k#0 AS BIGINT), NULL, NULL, CAST(f#1 AS DECIMAL(12,2)), NULL] -> (id BIGINT, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  PROJECT [k#0, f#2] -> (k INTEGER, f DOUBLE)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: DELETE FROM orders WHERE amount < 10 AND region = 'EU'
DELETE FROM orders WHERE amount < 10 AND region = 'EU'
-- bound:
DELETE FROM bronze.orders WHERE (amount#3 < 10.00::DECIMAL(12,2)) AND (region#2 = 'EU')

-- name: DELETE FROM orders
DELETE FROM orders
-- bound:
DELETE FROM bronze.orders

-- name: CREATE DYNAMIC TABLE silver.daily TARGET_LAG = '1 minute' AS SELECT re
CREATE DYNAMIC TABLE silver.daily TARGET_LAG = '1 minute' AS SELECT region, CAST(ts AS DATE) AS day, sum(amount) AS total, count(*) AS orders FROM bronze.orders GROUP BY region, CAST(ts AS DATE)
-- bound:
CREATE DYNAMIC TABLE silver.daily (region VARCHAR, day DATE, total DECIMAL(38,2), orders BIGINT NOT NULL)
sources: bronze.orders
PROJECT [region#0, group#1, sum#2, count_star#3] -> (region VARCHAR, day DATE, total DECIMAL(38,2), orders BIGINT NOT NULL)
  AGGREGATE groups: [region#2, CAST(ts#4 AS DATE)] calls: [sum(amount#3), count(*)] -> (region VARCHAR, group DATE, sum DECIMAL(38,2), count_star BIGINT NOT NULL)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: CREATE DYNAMIC TABLE silver.j AS SELECT o.id, c.segment FROM orders o 
CREATE DYNAMIC TABLE silver.j AS SELECT o.id, c.segment FROM orders o JOIN customers c ON o.customer_id = c.id JOIN orders o2 ON o2.id = o.id
-- bound:
CREATE DYNAMIC TABLE silver.j (id BIGINT NOT NULL, segment VARCHAR)
sources: bronze.orders bronze.customers
PROJECT [id#0, segment#7] -> (id BIGINT NOT NULL, segment VARCHAR)
  INNER JOIN residual: id#8 = id#0 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR, id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    INNER JOIN residual: customer_id#1 = id#5 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
      SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
      SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o2 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: EXPLAIN SELECT id FROM orders WHERE id > 1
EXPLAIN SELECT id FROM orders WHERE id > 1
-- bound:
EXPLAIN
PROJECT [id#0] -> (id BIGINT NOT NULL)
  FILTER id#0 > 1::BIGINT -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: EXPLAIN CREATE DYNAMIC TABLE silver.x AS SELECT region FROM orders
EXPLAIN CREATE DYNAMIC TABLE silver.x AS SELECT region FROM orders
-- bound:
EXPLAIN
CREATE DYNAMIC TABLE silver.x (region VARCHAR)
sources: bronze.orders
PROJECT [region#2] -> (region VARCHAR)
  SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: DROP TABLE silver.t
DROP TABLE silver.t
-- bound:
PASS THROUGH

-- name: SHOW DYNAMIC TABLES
SHOW DYNAMIC TABLES
-- bound:
PASS THROUGH

-- name: ALTER DYNAMIC TABLE silver.x REFRESH
ALTER DYNAMIC TABLE silver.x REFRESH
-- bound:
PASS THROUGH

-- name: SELECT amount * big * big FROM orders, events
SELECT amount * big * big FROM orders, events
-- bound:
PROJECT [(amount#3 * big#10) * big#10] -> (amount * big * big DECIMAL(38,14))
  INNER JOIN -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP, k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
    SCAN bronze.events -> (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))

-- name: SELECT id, ts FROM orders UNION ALL SELECT NULL, NULL
SELECT id, ts FROM orders UNION ALL SELECT NULL, NULL
-- bound:
UNION ALL -> (id BIGINT, ts TIMESTAMP)
  PROJECT [id#0, ts#4] -> (id BIGINT NOT NULL, ts TIMESTAMP)
    SCAN bronze.orders -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
  PROJECT [NULL, NULL] -> (NULL BIGINT, NULL TIMESTAMP)
    PROJECT [NULL, NULL] -> (NULL INTEGER, NULL INTEGER)
      VALUES () -> ()
