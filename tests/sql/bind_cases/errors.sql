-- Binder errors: each must fail with exactly this code and message at the offending node.
-- (A few are caught by the parser first; they are kept to pin the message users see.)

-- name: SELECT * FROM orderz
SELECT * FROM orderz
-- error ENOTFOUND: line 1, column 15: table orderz does not exist

-- name: SELECT * FROM nosuch.orders
SELECT * FROM nosuch.orders
-- error ENOTFOUND: line 1, column 15: table nosuch.orders does not exist

-- name: SELECT regio FROM orders
SELECT regio FROM orders
-- error ENOTFOUND: line 1, column 8: column "regio" does not exist (did you mean "region"?)

-- name: SELECT zzz FROM orders
SELECT zzz FROM orders
-- error ENOTFOUND: line 1, column 8: column "zzz" does not exist

-- name: SELECT o.nope FROM orders o
SELECT o.nope FROM orders o
-- error ENOTFOUND: line 1, column 8: column "o.nope" does not exist

-- name: SELECT x.id FROM orders o
SELECT x.id FROM orders o
-- error ENOTFOUND: line 1, column 8: table "x" is not in the FROM clause

-- name: SELECT orders.id FROM orders o
SELECT orders.id FROM orders o
-- error ENOTFOUND: line 1, column 8: table "orders" is not in the FROM clause

-- name: SELECT id FROM orders, customers
SELECT id FROM orders, customers
-- error ESYNTAX: line 1, column 8: column reference "id" is ambiguous (use orders.id or customers.id)

-- name: SELECT id FROM orders o JOIN customers c ON id = c.id
SELECT id FROM orders o JOIN customers c ON id = c.id
-- error ESYNTAX: line 1, column 45: column reference "id" is ambiguous (use o.id or c.id)

-- name: SELECT * FROM orders o, customers o
SELECT * FROM orders o, customers o
-- error ESYNTAX: line 1, column 25: table name "o" specified more than once

-- name: SELECT * FROM orders WHERE region = 1
SELECT * FROM orders WHERE region = 1
-- error ETYPE: line 1, column 35: cannot compare VARCHAR and INTEGER

-- name: SELECT * FROM orders WHERE region = id
SELECT * FROM orders WHERE region = id
-- error ETYPE: line 1, column 35: cannot compare VARCHAR and BIGINT

-- name: SELECT * FROM orders WHERE id = 'abc'
SELECT * FROM orders WHERE id = 'abc'
-- error ETYPE: line 1, column 33: cannot convert 'abc' to BIGINT

-- name: SELECT * FROM orders WHERE ts > 'yesterday'
SELECT * FROM orders WHERE ts > 'yesterday'
-- error ETYPE: line 1, column 33: cannot convert 'yesterday' to TIMESTAMP

-- name: SELECT * FROM orders WHERE region + 1 > 2
SELECT * FROM orders WHERE region + 1 > 2
-- error ETYPE: line 1, column 35: cannot apply + to VARCHAR and INTEGER

-- name: SELECT region - 1 FROM orders
SELECT region - 1 FROM orders
-- error ETYPE: line 1, column 15: cannot apply - to VARCHAR and INTEGER

-- name: SELECT * FROM orders WHERE amount
SELECT * FROM orders WHERE amount
-- error ETYPE: line 1, column 28: WHERE clause must be BOOLEAN, not DECIMAL(12,2)

-- name: SELECT * FROM orders WHERE id AND TRUE
SELECT * FROM orders WHERE id AND TRUE
-- error ETYPE: line 1, column 28: AND needs BOOLEAN operands, not BIGINT

-- name: SELECT NOT region FROM orders
SELECT NOT region FROM orders
-- error ETYPE: line 1, column 8: NOT needs a BOOLEAN, not VARCHAR

-- name: SELECT -region FROM orders
SELECT -region FROM orders
-- error ETYPE: line 1, column 8: cannot negate VARCHAR

-- name: SELECT * FROM orders WHERE region LIKE 5
SELECT * FROM orders WHERE region LIKE 5
-- error ETYPE: line 1, column 40: LIKE needs VARCHAR operands, not INTEGER

-- name: SELECT * FROM orders WHERE id IN ('a', region)
SELECT * FROM orders WHERE id IN ('a', region)
-- error ETYPE: line 1, column 40: cannot compare BIGINT and VARCHAR

-- name: SELECT * FROM orders WHERE ts BETWEEN 1 AND 2
SELECT * FROM orders WHERE ts BETWEEN 1 AND 2
-- error ETYPE: line 1, column 31: cannot compare TIMESTAMP and INTEGER

-- name: SELECT CASE WHEN region THEN 1 END FROM orders
SELECT CASE WHEN region THEN 1 END FROM orders
-- error ETYPE: line 1, column 18: CASE WHEN condition must be BOOLEAN, not VARCHAR

-- name: SELECT CASE WHEN id > 1 THEN region ELSE 5 END FROM orders
SELECT CASE WHEN id > 1 THEN region ELSE 5 END FROM orders
-- error ETYPE: line 1, column 42: CASE: cannot unify VARCHAR and INTEGER

-- name: SELECT coalesce(region, id) FROM orders
SELECT coalesce(region, id) FROM orders
-- error ETYPE: line 1, column 25: coalesce: cannot unify VARCHAR and BIGINT

-- name: SELECT CAST(ts AS INTEGER) FROM orders
SELECT CAST(ts AS INTEGER) FROM orders
-- error ETYPE: line 1, column 8: cannot cast TIMESTAMP to INTEGER

-- name: SELECT CAST('abc' AS INTEGER)
SELECT CAST('abc' AS INTEGER)
-- error ETYPE: line 1, column 13: cannot convert 'abc' to INTEGER

-- name: SELECT DATE '2023-02-29'
SELECT DATE '2023-02-29'
-- error ESYNTAX: line 1, column 13: invalid DATE literal: expected 'yyyy-mm-dd'

-- name: SELECT TIMESTAMP '2024-01-01 25:00:00'
SELECT TIMESTAMP '2024-01-01 25:00:00'
-- error ETYPE: line 1, column 8: invalid TIMESTAMP literal '2024-01-01 25:00:00'

-- name: SELECT sum(amount) FROM orders WHERE sum(amount) > 1
SELECT sum(amount) FROM orders WHERE sum(amount) > 1
-- error ESYNTAX: line 1, column 38: aggregate functions are not allowed in WHERE

-- name: SELECT sum(sum(amount)) FROM orders
SELECT sum(sum(amount)) FROM orders
-- error ESYNTAX: line 1, column 12: aggregate function calls cannot be nested

-- name: SELECT region, amount FROM orders GROUP BY region
SELECT region, amount FROM orders GROUP BY region
-- error ESYNTAX: line 1, column 16: column amount must appear in the GROUP BY clause or be used in an aggregate function

-- name: SELECT region, count(*) FROM orders
SELECT region, count(*) FROM orders
-- error ESYNTAX: line 1, column 8: column region must appear in the GROUP BY clause or be used in an aggregate function

-- name: SELECT * FROM orders GROUP BY region
SELECT * FROM orders GROUP BY region
-- error ESYNTAX: line 1, column 8: column orders.id must appear in the GROUP BY clause or be used in an aggregate function

-- name: SELECT region FROM orders GROUP BY 3
SELECT region FROM orders GROUP BY 3
-- error ESYNTAX: line 1, column 36: GROUP BY term out of range - should be between 1 and 1

-- name: SELECT region FROM orders GROUP BY 0
SELECT region FROM orders GROUP BY 0
-- error ESYNTAX: line 1, column 36: GROUP BY term out of range - should be between 1 and 1

-- name: SELECT region FROM orders ORDER BY 2
SELECT region FROM orders ORDER BY 2
-- error ESYNTAX: line 1, column 36: ORDER term out of range - should be between 1 and 1

-- name: SELECT count(*) AS c FROM orders GROUP BY 1
SELECT count(*) AS c FROM orders GROUP BY 1
-- error ESYNTAX: line 1, column 43: GROUP BY ordinal 1 refers to an aggregate

-- name: SELECT region FROM orders GROUP BY region ORDER BY amount
SELECT region FROM orders GROUP BY region ORDER BY amount
-- error ESYNTAX: line 1, column 52: column amount must appear in the GROUP BY clause or be used in an aggregate function

-- name: SELECT region FROM orders GROUP BY region HAVING amount > 1
SELECT region FROM orders GROUP BY region HAVING amount > 1
-- error ESYNTAX: line 1, column 50: column amount must appear in the GROUP BY clause or be used in an aggregate function

-- name: SELECT lower(1)
SELECT lower(1)
-- error ETYPE: line 1, column 8: function lower(INTEGER) does not exist (string function over a INTEGER)

-- name: SELECT lower('a', 'b')
SELECT lower('a', 'b')
-- error ETYPE: line 1, column 8: function lower takes 1 argument but 2 were given

-- name: SELECT substring('abc')
SELECT substring('abc')
-- error ESYNTAX: line 1, column 23: expected ',' or FROM but found )

-- name: SELECT round(amount, 1, 2) FROM orders
SELECT round(amount, 1, 2) FROM orders
-- error ETYPE: line 1, column 8: function round takes 1 to 2 arguments but 3 were given

-- name: SELECT nullif(1)
SELECT nullif(1)
-- error ETYPE: line 1, column 8: function nullif takes 2 arguments but 1 was given

-- name: SELECT year(ts, 1) FROM orders
SELECT year(ts, 1) FROM orders
-- error ETYPE: line 1, column 8: function year takes 1 argument but 2 were given

-- name: SELECT sum(region) FROM orders
SELECT sum(region) FROM orders
-- error ETYPE: line 1, column 8: function sum(VARCHAR) does not exist

-- name: SELECT avg(ts) FROM orders
SELECT avg(ts) FROM orders
-- error ETYPE: line 1, column 8: function avg(TIMESTAMP) does not exist

-- name: SELECT count(1, 2) FROM orders
SELECT count(1, 2) FROM orders
-- error ETYPE: line 1, column 8: function count takes 1 argument but 2 were given

-- name: SELECT nosuchfn(1)
SELECT nosuchfn(1)
-- error ENOTFOUND: line 1, column 8: function nosuchfn does not exist

-- name: SELECT sum(*) FROM orders
SELECT sum(*) FROM orders
-- error ESYNTAX: line 1, column 12: expected an expression but found *

-- name: SELECT lower(DISTINCT region) FROM orders
SELECT lower(DISTINCT region) FROM orders
-- error ESYNTAX: line 1, column 8: lower is not an aggregate function

-- name: SELECT extract('fortnight' FROM ts) FROM orders
SELECT extract('fortnight' FROM ts) FROM orders
-- error ESYNTAX: line 1, column 16: expected a date part (year, month, day, hour, minute, second, ...) but found 'fortnight'

-- name: SELECT date_trunc('decade', ts) FROM orders
SELECT date_trunc('decade', ts) FROM orders
-- error ETYPE: line 1, column 19: date_trunc: unknown unit 'decade'

-- name: SELECT date_trunc(region, ts) FROM orders
SELECT date_trunc(region, ts) FROM orders
-- error ETYPE: line 1, column 8: date_trunc needs a constant field name

-- name: SELECT * FROM orders o JOIN customers c ON sum(o.id) > 1
SELECT * FROM orders o JOIN customers c ON sum(o.id) > 1
-- error ESYNTAX: line 1, column 44: aggregate functions are not allowed in JOIN conditions

-- name: SELECT * FROM orders o JOIN customers c ON o.region
SELECT * FROM orders o JOIN customers c ON o.region
-- error ETYPE: line 1, column 44: JOIN condition must be BOOLEAN, not VARCHAR

-- name: SELECT id FROM orders UNION ALL SELECT id, region FROM orders
SELECT id FROM orders UNION ALL SELECT id, region FROM orders
-- error ESYNTAX: line 1, column 33: UNION ALL inputs have 1 and 2 columns

-- name: SELECT id FROM orders UNION ALL SELECT name FROM customers
SELECT id FROM orders UNION ALL SELECT name FROM customers
-- error ETYPE: line 1, column 33: UNION ALL column 1: cannot unify BIGINT and VARCHAR

-- name: SELECT id FROM orders UNION ALL SELECT id FROM customers ORDER BY id +
SELECT id FROM orders UNION ALL SELECT id FROM customers ORDER BY id + 1
-- error ESYNTAX: line 1, column 70: ORDER BY of a UNION ALL must name an output column or give its number

-- name: SELECT DISTINCT region FROM orders ORDER BY amount
SELECT DISTINCT region FROM orders ORDER BY amount
-- error ESYNTAX: line 1, column 45: for SELECT DISTINCT, ORDER BY expressions must appear in the select list

-- name: SELECT * FROM '/lake/missing'
SELECT * FROM '/lake/missing'
-- error ENOTFOUND: line 1, column 15: table /lake/missing does not exist

-- name: SELECT * FROM read_parquet('/data/missing.parquet')
SELECT * FROM read_parquet('/data/missing.parquet')
-- error ENOTFOUND: line 1, column 15: table /data/missing.parquet does not exist

-- name: SELECT * FROM read_csv('/data/x.csv')
SELECT * FROM read_csv('/data/x.csv')
-- error ENOTFOUND: line 1, column 15: table function read_csv does not exist

-- name: SELECT * FROM read_parquet(1)
SELECT * FROM read_parquet(1)
-- error ETYPE: line 1, column 15: read_parquet takes one string literal (a file path)

-- name: SELECT *
SELECT *
-- error ESYNTAX: line 1, column 8: SELECT * with no tables specified

-- name: INSERT INTO orders VALUES (1, 2)
INSERT INTO orders VALUES (1, 2)
-- error ESYNTAX: line 1, column 28: INSERT has 5 target columns but 2 values

-- name: INSERT INTO orders (id, nope) VALUES (1, 2)
INSERT INTO orders (id, nope) VALUES (1, 2)
-- error ENOTFOUND: line 1, column 13: table bronze.orders has no column "nope"

-- name: INSERT INTO orders (id, id) VALUES (1, 2)
INSERT INTO orders (id, id) VALUES (1, 2)
-- error ESYNTAX: line 1, column 13: column "id" is listed twice

-- name: INSERT INTO orders (region) VALUES ('x')
INSERT INTO orders (region) VALUES ('x')
-- error ESYNTAX: line 1, column 13: column "id" is NOT NULL and gets no value

-- name: INSERT INTO orders (id, ts) VALUES (1, 'not a time')
INSERT INTO orders (id, ts) VALUES (1, 'not a time')
-- error ETYPE: line 1, column 40: cannot convert 'not a time' to TIMESTAMP for column ts

-- name: INSERT INTO orders (id) VALUES (NULL)
INSERT INTO orders (id) VALUES (NULL)
-- error ETYPE: line 1, column 33: NULL for NOT NULL column id

-- name: INSERT INTO orders (id, ts) SELECT id, id FROM customers
INSERT INTO orders (id, ts) SELECT id, id FROM customers
-- error ETYPE: line 1, column 29: cannot insert BIGINT into column ts TIMESTAMP

-- name: INSERT INTO orders (id, region) SELECT id FROM customers
INSERT INTO orders (id, region) SELECT id FROM customers
-- error ESYNTAX: line 1, column 33: INSERT has 2 target columns but the query gives 1

-- name: INSERT INTO nope VALUES (1)
INSERT INTO nope VALUES (1)
-- error ENOTFOUND: line 1, column 13: table nope does not exist

-- name: DELETE FROM orders WHERE regio = 'x'
DELETE FROM orders WHERE regio = 'x'
-- error ENOTFOUND: line 1, column 26: column "regio" does not exist (did you mean "region"?)

-- name: DELETE FROM orders WHERE count(*) > 1
DELETE FROM orders WHERE count(*) > 1
-- error ESYNTAX: line 1, column 26: aggregate functions are not allowed in WHERE

-- name: DELETE FROM orders WHERE amount
DELETE FROM orders WHERE amount
-- error ETYPE: line 1, column 26: WHERE clause must be BOOLEAN, not DECIMAL(12,2)

-- name: CREATE TABLE t (a INTEGER, a BIGINT)
CREATE TABLE t (a INTEGER, a BIGINT)
-- error ESYNTAX: line 1, column 28: column "a" is defined twice

-- name: CREATE TABLE t (_floe_refresh BIGINT)
CREATE TABLE t (_floe_refresh BIGINT)
-- error ESYNTAX: line 1, column 17: column name _floe_refresh is reserved (the _floe_ prefix is Floe's)

-- name: CREATE DYNAMIC TABLE s.t AS SELECT region FROM orders ORDER BY region
CREATE DYNAMIC TABLE s.t AS SELECT region FROM orders ORDER BY region
-- error ESYNTAX: line 1, column 29: a dynamic table's query cannot have ORDER BY, LIMIT or OFFSET

-- name: CREATE DYNAMIC TABLE s.t AS SELECT region FROM orders LIMIT 5
CREATE DYNAMIC TABLE s.t AS SELECT region FROM orders LIMIT 5
-- error ESYNTAX: line 1, column 29: a dynamic table's query cannot have ORDER BY, LIMIT or OFFSET

-- name: CREATE DYNAMIC TABLE s.t AS SELECT a FROM read_parquet('/data/x.parque
CREATE DYNAMIC TABLE s.t AS SELECT a FROM read_parquet('/data/x.parquet')
-- error ESYNTAX: line 1, column 29: a dynamic table cannot read read_parquet(): ingest the files into a table first

-- name: CREATE DYNAMIC TABLE bronze.orders AS SELECT * FROM bronze.orders
CREATE DYNAMIC TABLE bronze.orders AS SELECT * FROM bronze.orders
-- error ESYNTAX: line 1, column 22: dynamic table bronze.orders cannot read itself

-- name: CREATE DYNAMIC TABLE s.t AS SELECT o.id, c.id FROM orders o JOIN custo
CREATE DYNAMIC TABLE s.t AS SELECT o.id, c.id FROM orders o JOIN customers c ON o.customer_id = c.id
-- error ESYNTAX: line 1, column 29: the query has two columns named id (name them with AS)

-- name: CREATE DYNAMIC TABLE s.t AS SELECT id AS _floe_x FROM orders
CREATE DYNAMIC TABLE s.t AS SELECT id AS _floe_x FROM orders
-- error ESYNTAX: line 1, column 29: column name _floe_x is reserved (the _floe_ prefix is Floe's)

-- name: EXPLAIN SELECT nope FROM orders
EXPLAIN SELECT nope FROM orders
-- error ENOTFOUND: line 1, column 16: column "nope" does not exist
