-- DDL and DML statements (DESIGN.md "SQL").

-- name: design document example
CREATE DYNAMIC TABLE silver.daily_sales_by_region
  TARGET_LAG = '1 minute'
  REFRESH_MODE = INCREMENTAL
AS SELECT region, CAST(ts AS DATE) AS day, SUM(amount_usd) AS total_sales, COUNT(*) AS orders
   FROM bronze.orders
   GROUP BY region, CAST(ts AS DATE);
-- expect: CREATE DYNAMIC TABLE silver.daily_sales_by_region TARGET_LAG = '1 minute' REFRESH_MODE = INCREMENTAL AS SELECT region, CAST(ts AS DATE) AS day, sum(amount_usd) AS total_sales, count(*) AS orders FROM bronze.orders GROUP BY region, CAST(ts AS DATE)

-- name: create dynamic table minimal
CREATE DYNAMIC TABLE d AS SELECT * FROM t
-- expect: CREATE DYNAMIC TABLE d AS SELECT * FROM t

-- name: create or replace dynamic table
create or replace dynamic table s.d target_lag = downstream as select a from t
-- expect: CREATE OR REPLACE DYNAMIC TABLE s.d TARGET_LAG = DOWNSTREAM AS SELECT a FROM t

-- name: options in any order
CREATE DYNAMIC TABLE d INITIALIZE = ON_SCHEDULE REFRESH_MODE = FULL TARGET_LAG = '30 seconds' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '30 seconds' REFRESH_MODE = FULL INITIALIZE = ON_SCHEDULE AS SELECT 1

-- name: refresh mode auto and initialize on create
CREATE DYNAMIC TABLE d REFRESH_MODE = AUTO INITIALIZE = ON_CREATE AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d REFRESH_MODE = AUTO INITIALIZE = ON_CREATE AS SELECT 1

-- name: target lag normalized to the largest whole unit
CREATE DYNAMIC TABLE d TARGET_LAG = '120 seconds' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '2 minutes' AS SELECT 1

-- name: target lag in hours
CREATE DYNAMIC TABLE d TARGET_LAG = '1 HOUR' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '1 hour' AS SELECT 1

-- name: target lag of ninety minutes
CREATE DYNAMIC TABLE d TARGET_LAG = '90 minutes' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '90 minutes' AS SELECT 1

-- name: target lag of one second
CREATE DYNAMIC TABLE d TARGET_LAG = '1 second' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '1 second' AS SELECT 1

-- name: target lag in days
CREATE DYNAMIC TABLE d TARGET_LAG = '48 hours' AS SELECT 1
-- expect: CREATE DYNAMIC TABLE d TARGET_LAG = '2 days' AS SELECT 1

-- name: dynamic table over union all with join
CREATE DYNAMIC TABLE g.all_orders AS SELECT o.id, r.name FROM a.orders o JOIN a.regions r ON o.r = r.id UNION ALL SELECT id, name FROM b.orders
-- expect: CREATE DYNAMIC TABLE g.all_orders AS SELECT o.id, r.name FROM a.orders AS o JOIN a.regions AS r ON o.r = r.id UNION ALL SELECT id, name FROM b.orders

-- name: drop dynamic table
DROP DYNAMIC TABLE silver.daily
-- expect: DROP DYNAMIC TABLE silver.daily

-- name: drop dynamic table if exists
drop dynamic table if exists d
-- expect: DROP DYNAMIC TABLE IF EXISTS d

-- name: alter refresh suspend resume
ALTER DYNAMIC TABLE s.d REFRESH; ALTER DYNAMIC TABLE s.d SUSPEND; alter dynamic table s.d resume
-- expect: ALTER DYNAMIC TABLE s.d REFRESH; ALTER DYNAMIC TABLE s.d SUSPEND; ALTER DYNAMIC TABLE s.d RESUME

-- name: show dynamic tables
SHOW DYNAMIC TABLES
-- expect: SHOW DYNAMIC TABLES

-- name: create table
CREATE TABLE bronze.orders (id BIGINT NOT NULL, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)
-- expect: CREATE TABLE bronze.orders (id BIGINT NOT NULL, region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: create table if not exists with every type
CREATE TABLE IF NOT EXISTS t (a BOOLEAN, b INT, c INTEGER, d REAL, e FLOAT, f DOUBLE, g DOUBLE PRECISION, h NUMERIC(5,1), i DATE, j TIMESTAMPTZ, k TIMESTAMP WITH TIME ZONE, l STRING, m TEXT, n BINARY, o BLOB, p VARBINARY, q VARCHAR(255) NULL)
-- expect: CREATE TABLE IF NOT EXISTS t (a BOOLEAN, b INTEGER, c INTEGER, d REAL, e REAL, f DOUBLE, g DOUBLE, h DECIMAL(5,1), i DATE, j TIMESTAMPTZ, k TIMESTAMPTZ, l VARCHAR, m VARCHAR, n BLOB, o BLOB, p BLOB, q VARCHAR)

-- name: create table with keyword column names
CREATE TABLE t (day DATE, year INT, status VARCHAR, "order" INT)
-- expect: CREATE TABLE t (day DATE, year INTEGER, status VARCHAR, "order" INTEGER)

-- name: drop table
DROP TABLE t; DROP TABLE IF EXISTS s.t
-- expect: DROP TABLE t; DROP TABLE IF EXISTS s.t

-- name: alter table add column
ALTER TABLE t ADD COLUMN w DOUBLE; ALTER TABLE s.t ADD note varchar NULL
-- expect: ALTER TABLE t ADD COLUMN w DOUBLE; ALTER TABLE s.t ADD COLUMN note VARCHAR

-- name: add and column stay names
CREATE TABLE t ("add" INT, column INT); ALTER TABLE t ADD add2 INT
-- expect: CREATE TABLE t (add INTEGER, column INTEGER); ALTER TABLE t ADD COLUMN add2 INTEGER

-- name: insert values
INSERT INTO t VALUES (1, 'a'), (2, NULL)
-- expect: INSERT INTO t VALUES (1, 'a'), (2, NULL)

-- name: insert with columns
INSERT INTO s.t (id, name) VALUES (1, 'x')
-- expect: INSERT INTO s.t (id, name) VALUES (1, 'x')

-- name: insert expressions
INSERT INTO t VALUES (-1, 1.5 * 2, DATE '2024-01-01', CAST('1' AS INT))
-- expect: INSERT INTO t VALUES (-1, 1.5 * 2, DATE '2024-01-01', CAST('1' AS INTEGER))

-- name: insert select
INSERT INTO t SELECT * FROM u WHERE a > 1
-- expect: INSERT INTO t SELECT * FROM u WHERE a > 1

-- name: insert with columns from select
INSERT INTO t (a, b) SELECT x, y FROM u UNION ALL SELECT 1, 2
-- expect: INSERT INTO t (a, b) SELECT x, y FROM u UNION ALL SELECT 1, 2

-- name: delete with where
DELETE FROM bronze.orders WHERE ts < DATE '2020-01-01'
-- expect: DELETE FROM bronze.orders WHERE ts < DATE '2020-01-01'

-- name: delete everything
DELETE FROM t
-- expect: DELETE FROM t

-- name: explain dynamic table
EXPLAIN DYNAMIC TABLE silver.daily
-- expect: EXPLAIN DYNAMIC TABLE silver.daily

-- name: explain create dynamic table
EXPLAIN CREATE DYNAMIC TABLE d TARGET_LAG = '5 minutes' AS SELECT a, count(*) FROM t GROUP BY a
-- expect: EXPLAIN CREATE DYNAMIC TABLE d TARGET_LAG = '5 minutes' AS SELECT a, count(*) FROM t GROUP BY a

-- name: explain create or replace
EXPLAIN CREATE OR REPLACE DYNAMIC TABLE d AS SELECT 1
-- expect: EXPLAIN CREATE OR REPLACE DYNAMIC TABLE d AS SELECT 1

-- name: explain select
EXPLAIN SELECT a FROM t WHERE a > 1
-- expect: EXPLAIN SELECT a FROM t WHERE a > 1

-- name: mixed script
CREATE TABLE t (a INT);
INSERT INTO t VALUES (1);
SELECT * FROM t;
DROP TABLE t;
-- expect: CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1); SELECT * FROM t; DROP TABLE t
