-- parquet_join_aggregate: a TPC-H query 3 shape over lineitem.parquet and
-- orders.parquet (see bench/prepare/): lineitem joined with orders on the
-- order key, filters on both sides, grouped into the 5 order priorities.
-- Measures: Parquet reads of 4 + 3 columns, filter pushdown into both scans,
-- a hash join whose build side is the ~730,000 qualifying orders at SF 1
-- (probed by ~3.2 million lineitem rows), and hash aggregation.  The same
-- text runs in DuckDB (no twin).
COPY (
    SELECT o_orderpriority,
           count(*) AS line_count,
           sum(l_extendedprice * (1 - l_discount)) AS revenue,
           min(o_orderdate) AS first_order,
           max(l_shipdate) AS last_ship
    FROM read_parquet('{{ data }}/lineitem.parquet') AS lineitem
    JOIN read_parquet('{{ data }}/orders.parquet') AS orders
      ON l_orderkey = o_orderkey
    WHERE o_orderdate < DATE '1995-03-15'
      AND l_shipdate > DATE '1995-03-15'
    GROUP BY o_orderpriority
    ORDER BY o_orderpriority
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
