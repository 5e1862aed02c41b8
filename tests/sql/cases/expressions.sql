-- Expressions: precedence, predicates, CASE, CAST, functions and aggregates.

-- name: multiplication binds tighter than addition
SELECT a + b * c FROM t
-- expect: SELECT a + b * c FROM t

-- name: parentheses that change the meaning stay
SELECT (a + b) * c FROM t
-- expect: SELECT (a + b) * c FROM t

-- name: redundant parentheses go
SELECT ((a)), (a * b) + c, (1) FROM t
-- expect: SELECT a, a * b + c, 1 FROM t

-- name: left associativity of subtraction
SELECT a - b - c, a - (b - c) FROM t
-- expect: SELECT a - b - c, a - (b - c) FROM t

-- name: division and modulo
SELECT a / b % c, a / (b % c), a % 2 FROM t
-- expect: SELECT a / b % c, a / (b % c), a % 2 FROM t

-- name: unary minus
SELECT -a, - 1, -(a + b), -a * b FROM t
-- expect: SELECT -a, -1, -(a + b), -a * b FROM t

-- name: double negation keeps parentheses
SELECT - -a, -(-1) FROM t
-- expect: SELECT -(-a), -(-1) FROM t

-- name: unary plus is dropped
SELECT +a, +1.5 FROM t
-- expect: SELECT a, 1.5 FROM t

-- name: concatenation is weaker than arithmetic
SELECT a || b + 1, (a || b) || c, a || (b || c) FROM t
-- expect: SELECT a || b + 1, a || b || c, a || (b || c) FROM t

-- name: comparisons
SELECT a = 1, a <> 1, a != 1, a < 1, a <= 1, a > 1, a >= 1 FROM t
-- expect: SELECT a = 1, a <> 1, a <> 1, a < 1, a <= 1, a > 1, a >= 1 FROM t

-- name: comparison of arithmetic
SELECT * FROM t WHERE a + 1 > b * 2
-- expect: SELECT * FROM t WHERE a + 1 > b * 2

-- name: and binds tighter than or
SELECT * FROM t WHERE a = 1 OR b = 2 AND c = 3
-- expect: SELECT * FROM t WHERE a = 1 OR b = 2 AND c = 3

-- name: or inside and keeps parentheses
SELECT * FROM t WHERE (a = 1 OR b = 2) AND c = 3
-- expect: SELECT * FROM t WHERE (a = 1 OR b = 2) AND c = 3

-- name: not binds tighter than and
SELECT * FROM t WHERE NOT a AND b
-- expect: SELECT * FROM t WHERE NOT a AND b

-- name: not of a comparison
SELECT * FROM t WHERE NOT a = 1
-- expect: SELECT * FROM t WHERE NOT a = 1

-- name: not of a conjunction
SELECT * FROM t WHERE NOT (a AND b)
-- expect: SELECT * FROM t WHERE NOT (a AND b)

-- name: double not
SELECT NOT NOT a FROM t
-- expect: SELECT NOT NOT a FROM t

-- name: is null and is not null
SELECT a IS NULL, a IS NOT NULL, a + 1 IS NULL FROM t
-- expect: SELECT a IS NULL, a IS NOT NULL, a + 1 IS NULL FROM t

-- name: in list
SELECT * FROM t WHERE region IN ('EU', 'US') AND k NOT IN (1, 2, 3)
-- expect: SELECT * FROM t WHERE region IN ('EU', 'US') AND k NOT IN (1, 2, 3)

-- name: in list with expressions
SELECT a IN (b + 1, c * 2, NULL) FROM t
-- expect: SELECT a IN (b + 1, c * 2, NULL) FROM t

-- name: between
SELECT * FROM t WHERE a BETWEEN 1 AND 10 AND b NOT BETWEEN x - 1 AND x + 1
-- expect: SELECT * FROM t WHERE a BETWEEN 1 AND 10 AND b NOT BETWEEN x - 1 AND x + 1

-- name: between with dates
SELECT * FROM t WHERE d BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'
-- expect: SELECT * FROM t WHERE d BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'

-- name: like and not like
SELECT * FROM t WHERE name LIKE 'A%' OR name NOT LIKE '%_x'
-- expect: SELECT * FROM t WHERE name LIKE 'A%' OR name NOT LIKE '%_x'

-- name: like with concatenated pattern
SELECT * FROM t WHERE name LIKE prefix || '%'
-- expect: SELECT * FROM t WHERE name LIKE prefix || '%'

-- name: searched case
SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END FROM t
-- expect: SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END FROM t

-- name: simple case with operand
SELECT CASE status WHEN 1 THEN 'open' WHEN 2 THEN 'closed' END FROM t
-- expect: SELECT CASE status WHEN 1 THEN 'open' WHEN 2 THEN 'closed' END FROM t

-- name: nested case
SELECT CASE WHEN a THEN CASE WHEN b THEN 1 ELSE 2 END ELSE 3 END FROM t
-- expect: SELECT CASE WHEN a THEN CASE WHEN b THEN 1 ELSE 2 END ELSE 3 END FROM t

-- name: case in arithmetic
SELECT 1 + CASE WHEN a THEN 1 ELSE 0 END * 2 FROM t
-- expect: SELECT 1 + CASE WHEN a THEN 1 ELSE 0 END * 2 FROM t

-- name: cast
SELECT CAST(ts AS DATE), CAST(a AS BIGINT), CAST(p AS DECIMAL(12, 2)) FROM t
-- expect: SELECT CAST(ts AS DATE), CAST(a AS BIGINT), CAST(p AS DECIMAL(12,2)) FROM t

-- name: double colon cast
SELECT a::INT, b::VARCHAR, (a + b)::DOUBLE, c::TIMESTAMP WITH TIME ZONE FROM t
-- expect: SELECT CAST(a AS INTEGER), CAST(b AS VARCHAR), CAST(a + b AS DOUBLE), CAST(c AS TIMESTAMPTZ) FROM t

-- name: double colon binds tighter than unary minus
SELECT -a::INT FROM t
-- expect: SELECT -CAST(a AS INTEGER) FROM t

-- name: chained casts
SELECT a::INT::BIGINT FROM t
-- expect: SELECT CAST(CAST(a AS INTEGER) AS BIGINT) FROM t

-- name: every cast type
SELECT CAST(a AS BOOLEAN), CAST(a AS REAL), CAST(a AS FLOAT), CAST(a AS DOUBLE PRECISION), CAST(a AS NUMERIC), CAST(a AS TIMESTAMP), CAST(a AS STRING), CAST(a AS TEXT), CAST(a AS BINARY), CAST(a AS VARBINARY), CAST(a AS BLOB), CAST(a AS VARCHAR(10)), CAST(a AS TIMESTAMPTZ), CAST(a AS DECIMAL(7))
-- expect: SELECT CAST(a AS BOOLEAN), CAST(a AS REAL), CAST(a AS REAL), CAST(a AS DOUBLE), CAST(a AS DECIMAL(38,0)), CAST(a AS TIMESTAMP), CAST(a AS VARCHAR), CAST(a AS VARCHAR), CAST(a AS BLOB), CAST(a AS BLOB), CAST(a AS BLOB), CAST(a AS VARCHAR), CAST(a AS TIMESTAMPTZ), CAST(a AS DECIMAL(7,0))

-- name: coalesce and nullif
SELECT COALESCE(a, b, 0), NULLIF(a, 0) FROM t
-- expect: SELECT coalesce(a, b, 0), nullif(a, 0) FROM t

-- name: date_trunc
SELECT date_trunc('day', ts) AS day FROM t
-- expect: SELECT date_trunc('day', ts) AS day FROM t

-- name: extract
SELECT EXTRACT(YEAR FROM ts), extract(month from ts), EXTRACT(dow FROM ts) FROM t
-- expect: SELECT EXTRACT(year FROM ts), EXTRACT(month FROM ts), EXTRACT(dow FROM ts) FROM t

-- name: year month day functions
SELECT year(ts), month(ts), day(ts) FROM t
-- expect: SELECT year(ts), month(ts), day(ts) FROM t

-- name: string functions
SELECT lower(a), UPPER(a), trim(a), concat(a, '-', b), length(a) FROM t
-- expect: SELECT lower(a), upper(a), trim(a), concat(a, '-', b), length(a) FROM t

-- name: substring with commas
SELECT substring(s, 2), SUBSTRING(s, 2, 3) FROM t
-- expect: SELECT substring(s, 2), substring(s, 2, 3) FROM t

-- name: substring with from and for
SELECT SUBSTRING(s FROM 2 FOR 3), substring(s from 4) FROM t
-- expect: SELECT substring(s, 2, 3), substring(s, 4) FROM t

-- name: numeric functions
SELECT abs(a), round(a), round(a, 2), floor(a), ceil(a), CEILING(a) FROM t
-- expect: SELECT abs(a), round(a), round(a, 2), floor(a), ceil(a), ceil(a) FROM t

-- name: function without arguments
SELECT now() FROM t
-- expect: SELECT now() FROM t

-- name: aggregates
SELECT COUNT(*), COUNT(a), COUNT(DISTINCT a), SUM(a), AVG(a), MIN(a), MAX(a) FROM t
-- expect: SELECT count(*), count(a), count(DISTINCT a), sum(a), avg(a), min(a), max(a) FROM t

-- name: aggregate with all
SELECT SUM(ALL a) FROM t
-- expect: SELECT sum(a) FROM t

-- name: aggregate of an expression
SELECT SUM(price * quantity) / COUNT(*) AS average FROM t
-- expect: SELECT sum(price * quantity) / count(*) AS average FROM t

-- name: sum distinct
SELECT SUM(DISTINCT a + 1) FROM t
-- expect: SELECT sum(DISTINCT a + 1) FROM t

-- name: nested function calls
SELECT upper(trim(concat(a, lower(b)))) FROM t
-- expect: SELECT upper(trim(concat(a, lower(b)))) FROM t

-- name: comparison chain is left associative
SELECT a = b = c FROM t
-- expect: SELECT a = b = c FROM t

-- name: comparison on the right needs parentheses
SELECT a = (b = c) FROM t
-- expect: SELECT a = (b = c) FROM t

-- name: is null of a comparison
SELECT (a = b) IS NULL FROM t
-- expect: SELECT a = b IS NULL FROM t

-- name: between bounds keep parentheses when needed
SELECT a BETWEEN (b AND c) AND d FROM t
-- expect: SELECT a BETWEEN (b AND c) AND d FROM t

-- name: not between versus not of between
SELECT NOT a BETWEEN 1 AND 2 FROM t
-- expect: SELECT NOT a BETWEEN 1 AND 2 FROM t

-- name: quoted column with qualifier
SELECT "T"."Col", t."x y" FROM t
-- expect: SELECT "T"."Col", t."x y" FROM t

-- name: negative numbers in lists
SELECT a IN (-1, -2.5, -1e3) FROM t
-- expect: SELECT a IN (-1, -2.5, -1e3) FROM t

-- name: subtraction of negative
SELECT a - -1, a - (-b) FROM t
-- expect: SELECT a - -1, a - -b FROM t

-- name: date column compared to date literal
SELECT * FROM t WHERE date >= DATE '2024-01-01'
-- expect: SELECT * FROM t WHERE date >= DATE '2024-01-01'

-- name: timestamp column named timestamp
SELECT timestamp, date FROM t
-- expect: SELECT timestamp, date FROM t

-- name: function named like a type keyword
SELECT date(ts) FROM t
-- expect: SELECT date(ts) FROM t

-- name: cast of a case
SELECT CAST(CASE WHEN a THEN 1 END AS BIGINT) FROM t
-- expect: SELECT CAST(CASE WHEN a THEN 1 END AS BIGINT) FROM t

-- name: concat operator with casts
SELECT CAST(a AS VARCHAR) || '-' || b::VARCHAR FROM t
-- expect: SELECT CAST(a AS VARCHAR) || '-' || CAST(b AS VARCHAR) FROM t

-- name: string literal with double quotes inside
SELECT 'say "hi"' FROM t
-- expect: SELECT 'say "hi"' FROM t

-- name: extract in group by
SELECT EXTRACT(year FROM ts) AS y, count(*) FROM t GROUP BY EXTRACT(year FROM ts)
-- expect: SELECT EXTRACT(year FROM ts) AS y, count(*) FROM t GROUP BY EXTRACT(year FROM ts)
