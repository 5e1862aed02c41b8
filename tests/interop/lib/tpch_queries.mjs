// tpch_queries.mjs — TPC-H Q1, Q3, Q5, Q6, Q10 and Q12 with the specification's validation
// parameters (TPC-H 2.x, clause 2.4), written in the dialect Floe and DuckDB share (DESIGN.md,
// "SQL"): date literals DATE '...', every `date + interval` bound pre-computed as a date literal,
// comma joins with the join conditions in WHERE. The tables are named tpch.<table>; the DuckDB
// side of a test defines views of those names over the same Parquet files.
//
// minRows: the fewest rows a query must return over SF 0.01 data shaped like dbgen's, so a
// generator that drifts into empty answers (every comparison trivially equal) is caught.

export const tpchQueries = [
  {
    name: 'Q1 pricing summary report',
    minRows: 4,
    sql: `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty,
       sum(l_extendedprice) AS sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
       avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc,
       count(*) AS count_order
FROM tpch.lineitem
WHERE l_shipdate <= DATE '1998-09-02'
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`,
  },
  {
    name: 'Q3 shipping priority',
    minRows: 10,
    sql: `SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate,
       o_shippriority
FROM tpch.customer, tpch.orders, tpch.lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate
LIMIT 10`,
  },
  {
    name: 'Q5 local supplier volume',
    minRows: 5,
    sql: `SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM tpch.customer, tpch.orders, tpch.lineitem, tpch.supplier, tpch.nation, tpch.region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
  AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
  AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01'
GROUP BY n_name
ORDER BY revenue DESC`,
  },
  {
    name: 'Q6 forecasting revenue change',
    minRows: 1,
    sql: `SELECT sum(l_extendedprice * l_discount) AS revenue
FROM tpch.lineitem
WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`,
  },
  {
    name: 'Q10 returned item reporting',
    minRows: 20,
    sql: `SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal,
       n_name, c_address, c_phone, c_comment
FROM tpch.customer, tpch.orders, tpch.lineitem, tpch.nation
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate >= DATE '1993-10-01' AND o_orderdate < DATE '1994-01-01'
  AND l_returnflag = 'R' AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
ORDER BY revenue DESC
LIMIT 20`,
  },
  {
    name: 'Q12 shipping modes and order priority',
    minRows: 2,
    sql: `SELECT l_shipmode,
       sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END)
         AS high_line_count,
       sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END)
         AS low_line_count
FROM tpch.orders, tpch.lineitem
WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP')
  AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate
  AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01'
GROUP BY l_shipmode
ORDER BY l_shipmode`,
  },
];

// Q6 over another lineitem table, named by its directory (DESIGN.md: FROM '/path/to/table').
export function q6Over(tableReference) {
  return tpchQueries.find((q) => q.name.startsWith('Q6')).sql.replace('tpch.lineitem', tableReference);
}

export const tpchTables = ['region', 'nation', 'supplier', 'customer', 'orders', 'lineitem'];
