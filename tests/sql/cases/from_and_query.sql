-- FROM clauses, joins, subqueries, grouping, UNION ALL, ORDER BY and LIMIT.

-- name: inner join
SELECT o.id, r.name FROM orders o JOIN regions r ON o.region_id = r.id
-- expect: SELECT o.id, r.name FROM orders AS o JOIN regions AS r ON o.region_id = r.id

-- name: inner join keyword
SELECT * FROM a INNER JOIN b ON a.k = b.k
-- expect: SELECT * FROM a JOIN b ON a.k = b.k

-- name: left join and left outer join
SELECT * FROM a LEFT JOIN b ON a.k = b.k LEFT OUTER JOIN c ON b.k = c.k
-- expect: SELECT * FROM a LEFT JOIN b ON a.k = b.k LEFT JOIN c ON b.k = c.k

-- name: three way join with compound condition
SELECT * FROM a JOIN b ON a.k = b.k AND a.j = b.j JOIN c ON c.k = a.k
-- expect: SELECT * FROM a JOIN b ON a.k = b.k AND a.j = b.j JOIN c ON c.k = a.k

-- name: comma join with where
SELECT * FROM a, b WHERE a.k = b.k
-- expect: SELECT * FROM a, b WHERE a.k = b.k

-- name: comma join mixed with join
SELECT * FROM a, b JOIN c ON b.k = c.k
-- expect: SELECT * FROM a, b JOIN c ON b.k = c.k

-- name: join then comma
SELECT * FROM a JOIN b ON a.k = b.k, c
-- expect: SELECT * FROM a JOIN b ON a.k = b.k, c

-- name: subquery in from with alias
SELECT s.total FROM (SELECT SUM(a) AS total FROM t) AS s
-- expect: SELECT s.total FROM (SELECT sum(a) AS total FROM t) AS s

-- name: subquery in from without alias
SELECT * FROM (SELECT 1 AS one)
-- expect: SELECT * FROM (SELECT 1 AS one)

-- name: join with a subquery
SELECT * FROM a JOIN (SELECT k, count(*) AS n FROM b GROUP BY k) bc ON a.k = bc.k
-- expect: SELECT * FROM a JOIN (SELECT k, count(*) AS n FROM b GROUP BY k) AS bc ON a.k = bc.k

-- name: nested subqueries
SELECT * FROM (SELECT * FROM (SELECT a FROM t) x) y
-- expect: SELECT * FROM (SELECT * FROM (SELECT a FROM t) AS x) AS y

-- name: table path
SELECT * FROM '/data/lake/bronze/orders'
-- expect: SELECT * FROM '/data/lake/bronze/orders'

-- name: table path with alias and quote
SELECT o.a FROM '/tmp/it''s table' AS o
-- expect: SELECT o.a FROM '/tmp/it''s table' AS o

-- name: read_parquet table function
SELECT * FROM read_parquet('/data/f.parquet')
-- expect: SELECT * FROM read_parquet('/data/f.parquet')

-- name: read_parquet with alias in a join
SELECT * FROM read_parquet('a.parquet') a JOIN read_parquet('b.parquet') AS b ON a.k = b.k
-- expect: SELECT * FROM read_parquet('a.parquet') AS a JOIN read_parquet('b.parquet') AS b ON a.k = b.k

-- name: group by ordinals
SELECT region, day, SUM(x) FROM t GROUP BY 1, 2
-- expect: SELECT region, day, sum(x) FROM t GROUP BY 1, 2

-- name: group by expressions
SELECT region, CAST(ts AS DATE) AS day, SUM(amount_usd) AS total_sales, COUNT(*) AS orders FROM bronze.orders GROUP BY region, CAST(ts AS DATE)
-- expect: SELECT region, CAST(ts AS DATE) AS day, sum(amount_usd) AS total_sales, count(*) AS orders FROM bronze.orders GROUP BY region, CAST(ts AS DATE)

-- name: having
SELECT region, COUNT(*) FROM t GROUP BY region HAVING COUNT(*) > 10 AND SUM(a) < 5
-- expect: SELECT region, count(*) FROM t GROUP BY region HAVING count(*) > 10 AND sum(a) < 5

-- name: having without group by
SELECT COUNT(*) FROM t HAVING COUNT(*) > 0
-- expect: SELECT count(*) FROM t HAVING count(*) > 0

-- name: union all
SELECT a FROM t UNION ALL SELECT b FROM u
-- expect: SELECT a FROM t UNION ALL SELECT b FROM u

-- name: three way union all with order and limit
SELECT a FROM t UNION ALL SELECT b FROM u UNION ALL SELECT c FROM v ORDER BY 1 LIMIT 10
-- expect: SELECT a FROM t UNION ALL SELECT b FROM u UNION ALL SELECT c FROM v ORDER BY 1 LIMIT 10

-- name: union all of aggregates
SELECT region, SUM(a) FROM t GROUP BY region UNION ALL SELECT 'all', SUM(a) FROM t
-- expect: SELECT region, sum(a) FROM t GROUP BY region UNION ALL SELECT 'all', sum(a) FROM t

-- name: order by
SELECT a, b FROM t ORDER BY a, b DESC
-- expect: SELECT a, b FROM t ORDER BY a, b DESC

-- name: order by asc is the default
SELECT a FROM t ORDER BY a ASC
-- expect: SELECT a FROM t ORDER BY a

-- name: order by nulls
SELECT a FROM t ORDER BY a ASC NULLS FIRST, b DESC NULLS LAST, c NULLS LAST
-- expect: SELECT a FROM t ORDER BY a NULLS FIRST, b DESC NULLS LAST, c NULLS LAST

-- name: order by expression and ordinal
SELECT a, b FROM t ORDER BY a + b DESC, 2
-- expect: SELECT a, b FROM t ORDER BY a + b DESC, 2

-- name: limit and offset
SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 20
-- expect: SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 20

-- name: limit without order
SELECT a FROM t LIMIT 0
-- expect: SELECT a FROM t LIMIT 0

-- name: offset alone
SELECT a FROM t OFFSET 5
-- expect: SELECT a FROM t OFFSET 5

-- name: subquery with order and limit
SELECT * FROM (SELECT a FROM t ORDER BY a DESC LIMIT 3) top3
-- expect: SELECT * FROM (SELECT a FROM t ORDER BY a DESC LIMIT 3) AS top3

-- name: union all inside a subquery
SELECT count(*) FROM (SELECT a FROM t UNION ALL SELECT a FROM u) x
-- expect: SELECT count(*) FROM (SELECT a FROM t UNION ALL SELECT a FROM u) AS x

-- name: where with everything
SELECT * FROM t WHERE a IS NOT NULL AND b IN (1, 2) AND c BETWEEN 1 AND 2 AND d LIKE 'x%' OR NOT e
-- expect: SELECT * FROM t WHERE a IS NOT NULL AND b IN (1, 2) AND c BETWEEN 1 AND 2 AND d LIKE 'x%' OR NOT e

-- name: join condition with or
SELECT * FROM a JOIN b ON a.k = b.k OR a.j = b.j
-- expect: SELECT * FROM a JOIN b ON a.k = b.k OR a.j = b.j

-- name: distinct with join
SELECT DISTINCT a.k FROM a JOIN b ON a.k = b.k
-- expect: SELECT DISTINCT a.k FROM a JOIN b ON a.k = b.k

-- name: layout over many lines
SELECT
    region,
    SUM(amount)   AS total
FROM
    bronze.orders
WHERE
    amount > 0
GROUP BY
    region
-- expect: SELECT region, sum(amount) AS total FROM bronze.orders WHERE amount > 0 GROUP BY region
