-- Planner cases: push-down into scans (filters and statistics checks), through PROJECT,
-- AGGREGATE (group keys only), UNION ALL and JOIN (LEFT join rules), join keys from ON and WHERE,
-- comma joins, projection push-down, constant folding, and TPC-H Q1, Q3, Q5, Q6, Q10, Q12
-- (written without INTERVAL: the date bounds are literals).

-- name: SELECT id FROM orders WHERE amount > 100 AND region = 'EU'
SELECT id FROM orders WHERE amount > 100 AND region = 'EU'
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders filters: [amount#2 > 100.00::DECIMAL(12,2), region#1 = 'EU'] checks: 2 -> (id BIGINT NOT NULL, region VARCHAR, amount DECIMAL(12,2))

-- name: SELECT id FROM orders WHERE ts >= '2024-01-01' AND ts < DATE '2024-02-
SELECT id FROM orders WHERE ts >= '2024-01-01' AND ts < DATE '2024-02-01' AND customer_id IS NOT NULL
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders filters: [ts#2 >= TIMESTAMP '2024-01-01 00:00:00', ts#2 < TIMESTAMP '2024-02-01 00:00:00', (customer_id#1 IS NOT NULL)] checks: 3 -> (id BIGINT NOT NULL, customer_id BIGINT, ts TIMESTAMP)

-- name: SELECT count(*) FROM orders
SELECT count(*) FROM orders
-- plan:
PROJECT [count_star#0] -> (count(*) BIGINT NOT NULL)
  AGGREGATE groups: [] calls: [count(*)] -> (count_star BIGINT NOT NULL)
    SCAN bronze.orders -> ()

-- name: SELECT x FROM (SELECT id + 1 AS x, region FROM orders) s WHERE x > 10
SELECT x FROM (SELECT id + 1 AS x, region FROM orders) s WHERE x > 10
-- plan:
PROJECT [x#0] -> (x BIGINT NOT NULL)
  PROJECT [id#0 + 1::BIGINT] -> (x BIGINT NOT NULL)
    SCAN bronze.orders filters: [(id#0 + 1::BIGINT) > 10::BIGINT] -> (id BIGINT NOT NULL)

-- name: SELECT region, total FROM (SELECT region, sum(amount) AS total FROM or
SELECT region, total FROM (SELECT region, sum(amount) AS total FROM orders GROUP BY region) s WHERE region = 'EU' AND total > 5
-- plan:
PROJECT [region#0, total#1] -> (region VARCHAR, total DECIMAL(38,2))
  PROJECT [region#0, sum#1] -> (region VARCHAR, total DECIMAL(38,2))
    FILTER sum#1 > 5.00::DECIMAL(38,2) -> (region VARCHAR, sum DECIMAL(38,2))
      AGGREGATE groups: [region#0] calls: [sum(amount#1)] -> (region VARCHAR, sum DECIMAL(38,2))
        SCAN bronze.orders filters: [region#0 = 'EU'] checks: 1 -> (region VARCHAR, amount DECIMAL(12,2))

-- name: SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = 
SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.segment = 'retail' AND o.amount > 10
-- plan:
PROJECT [id#0, name#4] -> (id BIGINT NOT NULL, name VARCHAR)
  INNER JOIN keys: [customer_id#1] = [id#0] -> (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(12,2), id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o filters: [amount#2 > 10.00::DECIMAL(12,2)] checks: 1 -> (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(12,2))
    SCAN bronze.customers AS c filters: [segment#2 = 'retail'] checks: 1 -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c
SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id AND o.region = 'EU'
-- plan:
PROJECT [id#0, name#4] -> (id BIGINT NOT NULL, name VARCHAR)
  INNER JOIN keys: [customer_id#1] = [id#0] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, id BIGINT NOT NULL, name VARCHAR)
    SCAN bronze.orders AS o filters: [region#2 = 'EU'] checks: 1 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR)
    SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR)

-- name: SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_
SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE o.region = 'EU' AND c.segment = 'x'
-- plan:
PROJECT [id#0, name#4] -> (id BIGINT NOT NULL, name VARCHAR)
  FILTER segment#5 = 'x' -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, id BIGINT, name VARCHAR, segment VARCHAR)
    LEFT JOIN keys: [customer_id#1] = [id#0] -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, id BIGINT, name VARCHAR, segment VARCHAR)
      SCAN bronze.orders AS o filters: [region#2 = 'EU'] checks: 1 -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR)
      SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_
SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.id AND c.segment = 'x' AND o.region = 'EU'
-- plan:
PROJECT [id#0, name#4] -> (id BIGINT NOT NULL, name VARCHAR)
  LEFT JOIN keys: [customer_id#1] = [id#0] residual: region#2 = 'EU' -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR, id BIGINT, name VARCHAR, segment VARCHAR)
    SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR)
    SCAN bronze.customers AS c filters: [segment#2 = 'x'] checks: 1 -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)

-- name: SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_
SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE c.name IS NULL
-- plan:
PROJECT [id#0, name#3] -> (id BIGINT NOT NULL, name VARCHAR)
  FILTER (name#3 IS NULL) -> (id BIGINT NOT NULL, customer_id BIGINT, id BIGINT, name VARCHAR)
    LEFT JOIN keys: [customer_id#1] = [id#0] -> (id BIGINT NOT NULL, customer_id BIGINT, id BIGINT, name VARCHAR)
      SCAN bronze.orders AS o -> (id BIGINT NOT NULL, customer_id BIGINT)
      SCAN bronze.customers AS c -> (id BIGINT NOT NULL, name VARCHAR)

-- name: SELECT a.id FROM orders a, customers b, orders c WHERE a.customer_id =
SELECT a.id FROM orders a, customers b, orders c WHERE a.customer_id = b.id AND c.id = a.id AND b.segment = c.region
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  INNER JOIN keys: [id#0, segment#3] = [id#0, region#1] -> (id BIGINT NOT NULL, customer_id BIGINT, id BIGINT NOT NULL, segment VARCHAR, id BIGINT NOT NULL, region VARCHAR)
    INNER JOIN keys: [customer_id#1] = [id#0] -> (id BIGINT NOT NULL, customer_id BIGINT, id BIGINT NOT NULL, segment VARCHAR)
      SCAN bronze.orders AS a -> (id BIGINT NOT NULL, customer_id BIGINT)
      SCAN bronze.customers AS b -> (id BIGINT NOT NULL, segment VARCHAR)
    SCAN bronze.orders AS c -> (id BIGINT NOT NULL, region VARCHAR)

-- name: SELECT a.id FROM orders a JOIN customers b ON a.customer_id = b.id AND
SELECT a.id FROM orders a JOIN customers b ON a.customer_id = b.id AND a.amount > b.id
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  INNER JOIN keys: [customer_id#1] = [id#0] residual: CAST(amount#2 AS DECIMAL(21,2)) > CAST(id#3 AS DECIMAL(21,2)) -> (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(12,2), id BIGINT NOT NULL)
    SCAN bronze.orders AS a -> (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(12,2))
    SCAN bronze.customers AS b -> (id BIGINT NOT NULL)

-- name: SELECT k FROM events, orders WHERE k = id
SELECT k FROM events, orders WHERE k = id
-- plan:
PROJECT [k#0] -> (k INTEGER)
  INNER JOIN keys: [CAST(k#0 AS BIGINT)] = [id#0] -> (k INTEGER, id BIGINT NOT NULL)
    SCAN bronze.events -> (k INTEGER)
    SCAN bronze.orders -> (id BIGINT NOT NULL)

-- name: SELECT id FROM orders WHERE TRUE AND id > 1
SELECT id FROM orders WHERE TRUE AND id > 1
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders filters: [id#0 > 1::BIGINT] checks: 1 -> (id BIGINT NOT NULL)

-- name: SELECT id FROM orders WHERE NOT FALSE
SELECT id FROM orders WHERE NOT FALSE
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders -> (id BIGINT NOT NULL)

-- name: SELECT id FROM orders WHERE 1 = 1 OR id > 1
SELECT id FROM orders WHERE 1 = 1 OR id > 1
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders filters: [(1 = 1) OR (id#0 > 1::BIGINT)] -> (id BIGINT NOT NULL)

-- name: SELECT id FROM orders WHERE amount > 1 ORDER BY ts LIMIT 5
SELECT id FROM orders WHERE amount > 1 ORDER BY ts LIMIT 5
-- plan:
LIMIT 5 -> (id BIGINT NOT NULL)
  PROJECT [id#0] -> (id BIGINT NOT NULL)
    ORDER [_order_key#1 ASC NULLS LAST] -> (id BIGINT NOT NULL, _order_key TIMESTAMP)
      PROJECT [id#0, ts#2] -> (id BIGINT NOT NULL, _order_key TIMESTAMP)
        SCAN bronze.orders filters: [amount#1 > 1.00::DECIMAL(12,2)] checks: 1 -> (id BIGINT NOT NULL, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: SELECT id FROM orders WHERE id > 1 UNION ALL SELECT id FROM customers 
SELECT id FROM orders WHERE id > 1 UNION ALL SELECT id FROM customers WHERE name = 'x'
-- plan:
UNION ALL -> (id BIGINT NOT NULL)
  PROJECT [id#0] -> (id BIGINT NOT NULL)
    SCAN bronze.orders filters: [id#0 > 1::BIGINT] checks: 1 -> (id BIGINT NOT NULL)
  PROJECT [id#0] -> (id BIGINT NOT NULL)
    SCAN bronze.customers filters: [name#1 = 'x'] checks: 1 -> (id BIGINT NOT NULL, name VARCHAR)

-- name: SELECT * FROM (SELECT id FROM orders UNION ALL SELECT id FROM customer
SELECT * FROM (SELECT id FROM orders UNION ALL SELECT id FROM customers) u WHERE id = 3
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  UNION ALL -> (id BIGINT NOT NULL)
    PROJECT [id#0] -> (id BIGINT NOT NULL)
      SCAN bronze.orders filters: [id#0 = 3::BIGINT] checks: 1 -> (id BIGINT NOT NULL)
    PROJECT [id#0] -> (id BIGINT NOT NULL)
      SCAN bronze.customers filters: [id#0 = 3::BIGINT] checks: 1 -> (id BIGINT NOT NULL)

-- name: SELECT * FROM (SELECT id FROM orders LIMIT 10) t WHERE id = 3
SELECT * FROM (SELECT id FROM orders LIMIT 10) t WHERE id = 3
-- plan:
PROJECT [id#0] -> (id BIGINT NOT NULL)
  FILTER id#0 = 3::BIGINT -> (id BIGINT NOT NULL)
    LIMIT 10 -> (id BIGINT NOT NULL)
      PROJECT [id#0] -> (id BIGINT NOT NULL)
        SCAN bronze.orders -> (id BIGINT NOT NULL)

-- name: SELECT DISTINCT region FROM orders WHERE amount > 0
SELECT DISTINCT region FROM orders WHERE amount > 0
-- plan:
AGGREGATE groups: [region#0] -> (region VARCHAR)
  PROJECT [region#0] -> (region VARCHAR)
    SCAN bronze.orders filters: [amount#1 > 0.00::DECIMAL(12,2)] checks: 1 -> (region VARCHAR, amount DECIMAL(12,2))

-- name: SELECT region, count(*) FROM orders GROUP BY region HAVING count(*) > 
SELECT region, count(*) FROM orders GROUP BY region HAVING count(*) > 2 AND region <> 'x'
-- plan:
PROJECT [region#0, count_star#1] -> (region VARCHAR, count(*) BIGINT NOT NULL)
  FILTER count_star#1 > 2::BIGINT -> (region VARCHAR, count_star BIGINT NOT NULL)
    AGGREGATE groups: [region#0] calls: [count(*)] -> (region VARCHAR, count_star BIGINT NOT NULL)
      SCAN bronze.orders filters: [region#0 <> 'x'] checks: 1 -> (region VARCHAR)

-- name: SELECT count(*) FROM (SELECT region, sum(amount) AS s, max(ts) AS m FR
SELECT count(*) FROM (SELECT region, sum(amount) AS s, max(ts) AS m FROM orders GROUP BY region) t
-- plan:
PROJECT [count_star#0] -> (count(*) BIGINT NOT NULL)
  AGGREGATE groups: [] calls: [count(*)] -> (count_star BIGINT NOT NULL)
    PROJECT [] -> ()
      AGGREGATE groups: [region#0] -> (region VARCHAR)
        SCAN bronze.orders -> (region VARCHAR)

-- name: INSERT INTO customers SELECT id, region, region FROM orders WHERE amou
INSERT INTO customers SELECT id, region, region FROM orders WHERE amount > 1
-- plan:
INSERT INTO bronze.customers
PROJECT [id#0, region#1, region#2] -> (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
  PROJECT [id#0, region#1, region#1] -> (id BIGINT NOT NULL, region VARCHAR, region VARCHAR)
    SCAN bronze.orders filters: [amount#2 > 1.00::DECIMAL(12,2)] checks: 1 -> (id BIGINT NOT NULL, region VARCHAR, amount DECIMAL(12,2))

-- name: CREATE DYNAMIC TABLE silver.daily AS SELECT region, CAST(ts AS DATE) A
CREATE DYNAMIC TABLE silver.daily AS SELECT region, CAST(ts AS DATE) AS day, sum(amount) AS total, count(*) AS orders FROM bronze.orders WHERE region IS NOT NULL GROUP BY region, CAST(ts AS DATE)
-- plan:
CREATE DYNAMIC TABLE silver.daily (region VARCHAR, day DATE, total DECIMAL(38,2), orders BIGINT NOT NULL)
sources: bronze.orders
PROJECT [region#0, group#1, sum#2, count_star#3] -> (region VARCHAR, day DATE, total DECIMAL(38,2), orders BIGINT NOT NULL)
  AGGREGATE groups: [region#0, CAST(ts#2 AS DATE)] calls: [sum(amount#1), count(*)] -> (region VARCHAR, group DATE, sum DECIMAL(38,2), count_star BIGINT NOT NULL)
    SCAN bronze.orders filters: [(region#0 IS NOT NULL)] checks: 1 -> (region VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP)

-- name: EXPLAIN SELECT id FROM orders WHERE id = 1
EXPLAIN SELECT id FROM orders WHERE id = 1
-- plan:
EXPLAIN
PROJECT [id#0] -> (id BIGINT NOT NULL)
  SCAN bronze.orders filters: [id#0 = 1::BIGINT] checks: 1 -> (id BIGINT NOT NULL)

-- name: SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_e
SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price, sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge, avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order FROM tpch.lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus
-- plan:
ORDER [l_returnflag#0 ASC NULLS LAST, l_linestatus#1 ASC NULLS LAST] -> (l_returnflag VARCHAR NOT NULL, l_linestatus VARCHAR NOT NULL, sum_qty DECIMAL(38,2), sum_base_price DECIMAL(38,2), sum_disc_price DECIMAL(38,4), sum_charge DECIMAL(38,6), avg_qty DOUBLE, avg_price DOUBLE, avg_disc DOUBLE, count_order BIGINT NOT NULL)
  PROJECT [l_returnflag#0, l_linestatus#1, sum#2, sum#3, sum#4, sum#5, avg#6, avg#7, avg#8, count_star#9] -> (l_returnflag VARCHAR NOT NULL, l_linestatus VARCHAR NOT NULL, sum_qty DECIMAL(38,2), sum_base_price DECIMAL(38,2), sum_disc_price DECIMAL(38,4), sum_charge DECIMAL(38,6), avg_qty DOUBLE, avg_price DOUBLE, avg_disc DOUBLE, count_order BIGINT NOT NULL)
    AGGREGATE groups: [l_returnflag#4, l_linestatus#5] calls: [sum(l_quantity#0), sum(l_extendedprice#1), sum(l_extendedprice#1 * (1::DECIMAL(10,0) - l_discount#2)), sum((l_extendedprice#1 * (1::DECIMAL(10,0) - l_discount#2)) * (1::DECIMAL(10,0) + l_tax#3)), avg(l_quantity#0), avg(l_extendedprice#1), avg(l_discount#2), count(*)] -> (l_returnflag VARCHAR NOT NULL, l_linestatus VARCHAR NOT NULL, sum DECIMAL(38,2), sum DECIMAL(38,2), sum DECIMAL(38,4), sum DECIMAL(38,6), avg DOUBLE, avg DOUBLE, avg DOUBLE, count_star BIGINT NOT NULL)
      SCAN tpch.lineitem filters: [l_shipdate#6 <= DATE '1998-09-02'] checks: 1 -> (l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR NOT NULL, l_linestatus VARCHAR NOT NULL, l_shipdate DATE NOT NULL)

-- name: SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue,
SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority FROM tpch.customer, tpch.orders, tpch.lineitem WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15' GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10
-- plan:
LIMIT 10 -> (l_orderkey INTEGER NOT NULL, revenue DECIMAL(38,4), o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL)
  ORDER [revenue#1 DESC NULLS LAST, o_orderdate#2 ASC NULLS LAST] -> (l_orderkey INTEGER NOT NULL, revenue DECIMAL(38,4), o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL)
    PROJECT [l_orderkey#0, sum#3, o_orderdate#1, o_shippriority#2] -> (l_orderkey INTEGER NOT NULL, revenue DECIMAL(38,4), o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL)
      AGGREGATE groups: [l_orderkey#6, o_orderdate#4, o_shippriority#5] calls: [sum(l_extendedprice#7 * (1::DECIMAL(10,0) - l_discount#8))] -> (l_orderkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL, sum DECIMAL(38,4))
        INNER JOIN keys: [o_orderkey#2] = [l_orderkey#0] -> (c_custkey INTEGER NOT NULL, c_mktsegment VARCHAR NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL, l_orderkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_shipdate DATE NOT NULL)
          INNER JOIN keys: [c_custkey#0] = [o_custkey#1] -> (c_custkey INTEGER NOT NULL, c_mktsegment VARCHAR NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL)
            SCAN tpch.customer filters: [c_mktsegment#1 = 'BUILDING'] checks: 1 -> (c_custkey INTEGER NOT NULL, c_mktsegment VARCHAR NOT NULL)
            SCAN tpch.orders filters: [o_orderdate#2 < DATE '1995-03-15'] checks: 1 -> (o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, o_shippriority INTEGER NOT NULL)
          SCAN tpch.lineitem filters: [l_shipdate#3 > DATE '1995-03-15'] checks: 1 -> (l_orderkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_shipdate DATE NOT NULL)

-- name: SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue FROM
SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue FROM tpch.customer, tpch.orders, tpch.lineitem, tpch.supplier, tpch.nation, tpch.region WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01' GROUP BY n_name ORDER BY revenue DESC
-- plan:
ORDER [revenue#1 DESC NULLS LAST] -> (n_name VARCHAR NOT NULL, revenue DECIMAL(38,4))
  PROJECT [n_name#0, sum#1] -> (n_name VARCHAR NOT NULL, revenue DECIMAL(38,4))
    AGGREGATE groups: [n_name#12] calls: [sum(l_extendedprice#7 * (1::DECIMAL(10,0) - l_discount#8))] -> (n_name VARCHAR NOT NULL, sum DECIMAL(38,4))
      INNER JOIN keys: [n_regionkey#13] = [r_regionkey#0] -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, s_suppkey INTEGER NOT NULL, s_nationkey INTEGER NOT NULL, n_nationkey INTEGER NOT NULL, n_name VARCHAR NOT NULL, n_regionkey INTEGER NOT NULL, r_regionkey INTEGER NOT NULL, r_name VARCHAR NOT NULL)
        INNER JOIN keys: [s_nationkey#10] = [n_nationkey#0] -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, s_suppkey INTEGER NOT NULL, s_nationkey INTEGER NOT NULL, n_nationkey INTEGER NOT NULL, n_name VARCHAR NOT NULL, n_regionkey INTEGER NOT NULL)
          INNER JOIN keys: [l_suppkey#6, c_nationkey#1] = [s_suppkey#0, s_nationkey#1] -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, s_suppkey INTEGER NOT NULL, s_nationkey INTEGER NOT NULL)
            INNER JOIN keys: [o_orderkey#2] = [l_orderkey#0] -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL)
              INNER JOIN keys: [c_custkey#0] = [o_custkey#1] -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL)
                SCAN tpch.customer -> (c_custkey INTEGER NOT NULL, c_nationkey INTEGER NOT NULL)
                SCAN tpch.orders filters: [o_orderdate#2 >= DATE '1994-01-01', o_orderdate#2 < DATE '1995-01-01'] checks: 2 -> (o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL)
              SCAN tpch.lineitem -> (l_orderkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL)
            SCAN tpch.supplier -> (s_suppkey INTEGER NOT NULL, s_nationkey INTEGER NOT NULL)
          SCAN tpch.nation -> (n_nationkey INTEGER NOT NULL, n_name VARCHAR NOT NULL, n_regionkey INTEGER NOT NULL)
        SCAN tpch.region filters: [r_name#1 = 'ASIA'] checks: 1 -> (r_regionkey INTEGER NOT NULL, r_name VARCHAR NOT NULL)

-- name: SELECT sum(l_extendedprice * l_discount) AS revenue FROM tpch.lineitem
SELECT sum(l_extendedprice * l_discount) AS revenue FROM tpch.lineitem WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24
-- plan:
PROJECT [sum#0] -> (revenue DECIMAL(38,4))
  AGGREGATE groups: [] calls: [sum(l_extendedprice#1 * l_discount#2)] -> (sum DECIMAL(38,4))
    SCAN tpch.lineitem filters: [l_shipdate#3 >= DATE '1994-01-01', l_shipdate#3 < DATE '1995-01-01', l_discount#2 >= 0.05::DECIMAL(15,2), l_discount#2 <= 0.07::DECIMAL(15,2), l_quantity#0 < 24.00::DECIMAL(15,2)] checks: 5 -> (l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_shipdate DATE NOT NULL)

-- name: SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS r
SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal, n_name, c_address, c_phone, c_comment FROM tpch.customer, tpch.orders, tpch.lineitem, tpch.nation WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate >= DATE '1993-10-01' AND o_orderdate < DATE '1994-01-01' AND l_returnflag = 'R' AND c_nationkey = n_nationkey GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment ORDER BY revenue DESC LIMIT 20
-- plan:
LIMIT 20 -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, revenue DECIMAL(38,4), c_acctbal DECIMAL(15,2) NOT NULL, n_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_phone VARCHAR NOT NULL, c_comment VARCHAR NOT NULL)
  ORDER [revenue#2 DESC NULLS LAST] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, revenue DECIMAL(38,4), c_acctbal DECIMAL(15,2) NOT NULL, n_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_phone VARCHAR NOT NULL, c_comment VARCHAR NOT NULL)
    PROJECT [c_custkey#0, c_name#1, sum#7, c_acctbal#2, n_name#4, c_address#5, c_phone#3, c_comment#6] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, revenue DECIMAL(38,4), c_acctbal DECIMAL(15,2) NOT NULL, n_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_phone VARCHAR NOT NULL, c_comment VARCHAR NOT NULL)
      AGGREGATE groups: [c_custkey#0, c_name#1, c_acctbal#5, c_phone#4, n_name#15, c_address#2, c_comment#6] calls: [sum(l_extendedprice#11 * (1::DECIMAL(10,0) - l_discount#12))] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_phone VARCHAR NOT NULL, n_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_comment VARCHAR NOT NULL, sum DECIMAL(38,4))
        INNER JOIN keys: [c_nationkey#3] = [n_nationkey#0] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_nationkey INTEGER NOT NULL, c_phone VARCHAR NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_comment VARCHAR NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR NOT NULL, n_nationkey INTEGER NOT NULL, n_name VARCHAR NOT NULL)
          INNER JOIN keys: [o_orderkey#7] = [l_orderkey#0] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_nationkey INTEGER NOT NULL, c_phone VARCHAR NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_comment VARCHAR NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL, l_orderkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR NOT NULL)
            INNER JOIN keys: [c_custkey#0] = [o_custkey#1] -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_nationkey INTEGER NOT NULL, c_phone VARCHAR NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_comment VARCHAR NOT NULL, o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL)
              SCAN tpch.customer -> (c_custkey INTEGER NOT NULL, c_name VARCHAR NOT NULL, c_address VARCHAR NOT NULL, c_nationkey INTEGER NOT NULL, c_phone VARCHAR NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_comment VARCHAR NOT NULL)
              SCAN tpch.orders filters: [o_orderdate#2 >= DATE '1993-10-01', o_orderdate#2 < DATE '1994-01-01'] checks: 2 -> (o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderdate DATE NOT NULL)
            SCAN tpch.lineitem filters: [l_returnflag#3 = 'R'] checks: 1 -> (l_orderkey INTEGER NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR NOT NULL)
          SCAN tpch.nation -> (n_nationkey INTEGER NOT NULL, n_name VARCHAR NOT NULL)

-- name: SELECT l_shipmode, sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_ord
SELECT l_shipmode, sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count, sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count FROM tpch.orders, tpch.lineitem WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01' GROUP BY l_shipmode ORDER BY l_shipmode
-- plan:
ORDER [l_shipmode#0 ASC NULLS LAST] -> (l_shipmode VARCHAR NOT NULL, high_line_count DECIMAL(38,0), low_line_count DECIMAL(38,0))
  PROJECT [l_shipmode#0, sum#1, sum#2] -> (l_shipmode VARCHAR NOT NULL, high_line_count DECIMAL(38,0), low_line_count DECIMAL(38,0))
    AGGREGATE groups: [l_shipmode#6] calls: [sum(CASE WHEN (o_orderpriority#1 = '1-URGENT') OR (o_orderpriority#1 = '2-HIGH') THEN 1 ELSE 0 END), sum(CASE WHEN (o_orderpriority#1 <> '1-URGENT') AND (o_orderpriority#1 <> '2-HIGH') THEN 1 ELSE 0 END)] -> (l_shipmode VARCHAR NOT NULL, sum DECIMAL(38,0), sum DECIMAL(38,0))
      INNER JOIN keys: [o_orderkey#0] = [l_orderkey#0] -> (o_orderkey INTEGER NOT NULL, o_orderpriority VARCHAR NOT NULL, l_orderkey INTEGER NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipmode VARCHAR NOT NULL)
        SCAN tpch.orders -> (o_orderkey INTEGER NOT NULL, o_orderpriority VARCHAR NOT NULL)
        SCAN tpch.lineitem filters: [(l_shipmode#4 IN ('MAIL', 'SHIP')), l_commitdate#2 < l_receiptdate#3, l_shipdate#1 < l_commitdate#2, l_receiptdate#3 >= DATE '1994-01-01', l_receiptdate#3 < DATE '1995-01-01'] checks: 2 -> (l_orderkey INTEGER NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipmode VARCHAR NOT NULL)
