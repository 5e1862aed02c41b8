-- Malformed statements: each must fail with exactly this message, pointing at the offending
-- token. Positions count from the case's first SQL line.

-- name: missing expression
SELECT FROM t;
-- error: line 1, column 8: expected an expression but found FROM

-- name: empty select list at end
SELECT
-- error: line 1, column 7: expected an expression but found end of input

-- name: trailing comma in select list
SELECT a, FROM t
-- error: line 1, column 11: expected an expression but found FROM

-- name: missing from table
SELECT a FROM WHERE a > 1
-- error: line 1, column 15: expected a table name but found WHERE

-- name: unbalanced open parenthesis
SELECT (a + 1 FROM t
-- error: line 1, column 15: expected ')' but found FROM

-- name: unbalanced close parenthesis
SELECT a + 1) FROM t
-- error: line 1, column 13: expected ';' or end of input but found )

-- name: unclosed function call
SELECT sum(a FROM t
-- error: line 1, column 14: expected ',' or ')' but found FROM

-- name: trailing garbage
SELECT a FROM t garbage more
-- error: line 1, column 25: expected ';' or end of input but found more

-- name: two statements without a semicolon
SELECT 1 SELECT 2
-- error: line 1, column 10: expected ';' or end of input but found SELECT

-- name: unknown statement
UPDATE t SET a = 1
-- error: line 1, column 1: expected a statement but found UPDATE

-- name: statement starting with a number
42
-- error: line 1, column 1: expected a statement but found 42

-- name: reserved word as column name
SELECT select FROM t
-- error: line 1, column 8: expected an expression but found select

-- name: reserved word as table name
SELECT a FROM order
-- error: line 1, column 15: expected a table name but found order

-- name: reserved word as alias
SELECT a AS from FROM t
-- error: line 1, column 13: expected an alias but found from

-- name: error on a later line
SELECT a,
       b
  FROM t
 WHERE a = = 1
-- error: line 4, column 12: expected an expression but found =

-- name: unterminated string literal
SELECT 'abc FROM t
-- error: line 1, column 8: unterminated string literal

-- name: unterminated quoted name
SELECT "abc FROM t
-- error: line 1, column 8: unterminated quoted name

-- name: unterminated block comment
SELECT a /* never closed
FROM t
-- error: line 1, column 10: unterminated comment

-- name: unexpected character
SELECT a # b FROM t
-- error: line 1, column 10: unexpected character '#'

-- name: malformed exponent
SELECT 1e FROM t
-- error: line 1, column 8: malformed number: the exponent has no digits

-- name: number running into a name
SELECT 12abc FROM t
-- error: line 1, column 8: malformed number: it runs into the next character

-- name: empty quoted name
SELECT "" FROM t
-- error: line 1, column 8: empty quoted name

-- name: plain union
SELECT a FROM t UNION SELECT b FROM u
-- unsupported: line 1, column 17: UNION without ALL is not supported (use UNION ALL)

-- name: intersect
SELECT a FROM t INTERSECT SELECT b FROM u
-- unsupported: line 1, column 17: INTERSECT is not supported

-- name: except
SELECT a FROM t EXCEPT SELECT b FROM u
-- unsupported: line 1, column 17: EXCEPT is not supported

-- name: scalar subquery
SELECT (SELECT max(a) FROM t) FROM u
-- unsupported: line 1, column 8: scalar subqueries are not supported

-- name: in subquery
SELECT a FROM t WHERE a IN (SELECT b FROM u)
-- unsupported: line 1, column 28: IN (SELECT ...) subqueries are not supported

-- name: exists subquery
SELECT a FROM t WHERE EXISTS (SELECT 1)
-- unsupported: line 1, column 23: EXISTS subqueries are not supported

-- name: right join
SELECT * FROM a RIGHT JOIN b ON a.k = b.k
-- unsupported: line 1, column 17: RIGHT JOIN is not supported (only [INNER] JOIN and LEFT JOIN)

-- name: full join
SELECT * FROM a FULL OUTER JOIN b ON a.k = b.k
-- unsupported: line 1, column 17: FULL JOIN is not supported (only [INNER] JOIN and LEFT JOIN)

-- name: interval literal
SELECT ts + INTERVAL '1 day' FROM t
-- unsupported: line 1, column 13: INTERVAL literals are not supported

-- name: join without on
SELECT * FROM a JOIN b WHERE a.k = b.k
-- error: line 1, column 24: expected ON but found WHERE

-- name: left without join
SELECT * FROM a LEFT b ON a.k = b.k
-- error: line 1, column 22: expected JOIN but found b

-- name: subquery in from must be a select
SELECT * FROM (a)
-- error: line 1, column 16: expected SELECT but found a

-- name: group without by
SELECT a FROM t GROUP a
-- error: line 1, column 23: expected BY but found a

-- name: order by nulls without first or last
SELECT a FROM t ORDER BY a NULLS
-- error: line 1, column 33: expected FIRST or LAST but found end of input

-- name: limit must be an integer
SELECT a FROM t LIMIT 'ten'
-- error: line 1, column 23: expected an integer but found 'ten'

-- name: limit too large
SELECT a FROM t LIMIT 99999999999999999999
-- error: line 1, column 23: LIMIT is too large

-- name: is without null
SELECT a IS TRUE FROM t
-- error: line 1, column 13: expected NULL but found TRUE

-- name: not without a predicate
SELECT a NOT 1 FROM t
-- error: line 1, column 14: expected IN, BETWEEN or LIKE but found 1

-- name: between without and
SELECT a BETWEEN 1 OR 2 FROM t
-- error: line 1, column 20: expected AND but found OR

-- name: in without parenthesis
SELECT a IN 1, 2 FROM t
-- error: line 1, column 13: expected '(' but found 1

-- name: empty in list
SELECT a IN () FROM t
-- error: line 1, column 14: expected an expression but found )

-- name: case without when
SELECT CASE ELSE 1 END FROM t
-- error: line 1, column 13: expected WHEN but found ELSE

-- name: case without end
SELECT CASE WHEN a THEN 1 FROM t
-- error: line 1, column 27: expected WHEN, ELSE or END but found FROM

-- name: cast without as
SELECT CAST(a INT) FROM t
-- error: line 1, column 15: expected AS but found INT

-- name: cast to unknown type
SELECT CAST(a AS money) FROM t
-- error: line 1, column 18: expected a type name but found money

-- name: double colon without type
SELECT a:: FROM t
-- error: line 1, column 12: expected a type name but found FROM

-- name: single colon
SELECT a:INT FROM t
-- error: line 1, column 9: unexpected character ':' (did you mean '::'?)

-- name: decimal precision out of range
SELECT CAST(a AS DECIMAL(39, 2)) FROM t
-- error: line 1, column 26: DECIMAL precision must be between 1 and 38

-- name: decimal scale larger than precision
CREATE TABLE t (a DECIMAL(5, 6))
-- error: line 1, column 30: DECIMAL scale must be between 0 and 5

-- name: invalid date literal
SELECT DATE '2023-02-29'
-- error: line 1, column 13: invalid DATE literal: expected 'yyyy-mm-dd'

-- name: extract of an unknown field
SELECT EXTRACT(fortnight FROM ts) FROM t
-- error: line 1, column 16: expected a date part (year, month, day, hour, minute, second, ...) but found fortnight

-- name: extract without from
SELECT EXTRACT(year, ts) FROM t
-- error: line 1, column 20: expected FROM but found ,

-- name: star argument outside count
SELECT sum(*) FROM t
-- error: line 1, column 12: expected an expression but found *

-- name: substring without separator
SELECT substring(s 1) FROM t
-- error: line 1, column 20: expected ',' or FROM but found 1

-- name: three part column name
SELECT a.b.c FROM t
-- error: line 1, column 11: a column reference has at most two parts (table.column)

-- name: create dynamic table without as
CREATE DYNAMIC TABLE d SELECT 1
-- error: line 1, column 24: expected TARGET_LAG, REFRESH_MODE, INITIALIZE or AS but found SELECT

-- name: create dynamic table with a non select body
CREATE DYNAMIC TABLE d AS DELETE FROM t
-- error: line 1, column 27: expected SELECT but found DELETE

-- name: target lag with unknown unit
CREATE DYNAMIC TABLE d TARGET_LAG = '5 weeks' AS SELECT 1
-- error: line 1, column 37: invalid TARGET_LAG: expected '<n> seconds', '<n> minutes' or '<n> hours' with n at least 1

-- name: target lag of zero
CREATE DYNAMIC TABLE d TARGET_LAG = '0 minutes' AS SELECT 1
-- error: line 1, column 37: invalid TARGET_LAG: expected '<n> seconds', '<n> minutes' or '<n> hours' with n at least 1

-- name: target lag as a number
CREATE DYNAMIC TABLE d TARGET_LAG = 60 AS SELECT 1
-- error: line 1, column 37: expected a target lag ('<n> minutes') or DOWNSTREAM but found 60

-- name: option given twice
CREATE DYNAMIC TABLE d REFRESH_MODE = FULL REFRESH_MODE = AUTO AS SELECT 1
-- error: line 1, column 44: REFRESH_MODE is given more than once

-- name: unknown refresh mode
CREATE DYNAMIC TABLE d REFRESH_MODE = SOMETIMES AS SELECT 1
-- error: line 1, column 39: expected AUTO, FULL or INCREMENTAL but found SOMETIMES

-- name: unknown initialize
CREATE DYNAMIC TABLE d INITIALIZE = LATER AS SELECT 1
-- error: line 1, column 37: expected ON_CREATE or ON_SCHEDULE but found LATER

-- name: option without equals
CREATE DYNAMIC TABLE d TARGET_LAG '1 minute' AS SELECT 1
-- error: line 1, column 35: expected '=' but found '1 minute'

-- name: create or replace plain table
CREATE OR REPLACE TABLE t (a INT)
-- error: line 1, column 19: expected DYNAMIC but found TABLE

-- name: create something else
CREATE VIEW v AS SELECT 1
-- error: line 1, column 8: expected DYNAMIC or TABLE but found VIEW

-- name: alter without action
ALTER DYNAMIC TABLE d
-- error: line 1, column 22: expected REFRESH, SUSPEND or RESUME but found end of input

-- name: alter plain table
ALTER TABLE t REFRESH
-- error: line 1, column 15: expected ADD but found REFRESH

-- name: alter neither table nor dynamic table
ALTER VIEW v ADD x INT
-- error: line 1, column 7: expected DYNAMIC or TABLE but found VIEW

-- name: add column without a type
ALTER TABLE t ADD COLUMN x
-- error: line 1, column 27: expected a type name but found end of input

-- name: show tables
SHOW TABLES
-- error: line 1, column 6: expected DYNAMIC but found TABLES

-- name: drop without table
DROP d
-- error: line 1, column 6: expected DYNAMIC or TABLE but found d

-- name: drop if without exists
DROP TABLE IF t
-- error: line 1, column 15: expected EXISTS but found t

-- name: create table without columns
CREATE TABLE t ()
-- error: line 1, column 17: expected a column name but found )

-- name: create table column without type
CREATE TABLE t (a, b INT)
-- error: line 1, column 18: expected a type name but found ,

-- name: create table not without null
CREATE TABLE t (a INT NOT, b INT)
-- error: line 1, column 26: expected NULL but found ,

-- name: insert without into
INSERT t VALUES (1)
-- error: line 1, column 8: expected INTO but found t

-- name: insert without values
INSERT INTO t (1)
-- error: line 1, column 16: expected a column name but found 1

-- name: insert rows of different widths
INSERT INTO t VALUES (1, 2), (3)
-- error: line 1, column 30: VALUES row has 1 values but the first row has 2

-- name: insert row not matching the column list
INSERT INTO t (a, b) VALUES (1, 2, 3)
-- error: line 1, column 29: VALUES row has 3 values but 2 columns are named

-- name: delete without from
DELETE t WHERE a = 1
-- error: line 1, column 8: expected FROM but found t

-- name: explain of a drop
EXPLAIN DROP TABLE t
-- error: line 1, column 9: expected DYNAMIC TABLE, CREATE DYNAMIC TABLE or SELECT but found DROP

-- name: explain of create table
EXPLAIN CREATE TABLE t (a INT)
-- error: line 1, column 16: expected DYNAMIC but found TABLE

-- name: union all followed by something else
SELECT 1 UNION ALL DELETE FROM t
-- error: line 1, column 20: expected SELECT but found DELETE

-- name: error after a valid statement
SELECT 1;
SELECT 2 +;
-- error: line 2, column 11: expected an expression but found ;

-- name: comparison operator needs a right side
SELECT * FROM t WHERE a >
-- error: line 1, column 26: expected an expression but found end of input

-- name: not cannot follow a comparison
SELECT * FROM t WHERE a = NOT b
-- error: line 1, column 27: expected an expression but found NOT

-- name: lone pipe
SELECT a | b FROM t
-- error: line 1, column 10: unexpected character '|' (did you mean '||'?)

-- name: table function without closing parenthesis
SELECT * FROM read_parquet('x' WHERE a
-- error: line 1, column 32: expected ',' or ')' but found WHERE

-- name: long token in message is shortened
SELECT a FROM t 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
-- error: line 1, column 17: expected ';' or end of input but found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...
