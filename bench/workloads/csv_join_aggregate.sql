-- csv_join_aggregate (kiln): lineitem.csv joined with orders.csv on the
-- order key (a TPC-H query 3 without the customer table), with filters on
-- both sides and a grouped aggregate into 5 groups.  Measures: reading two
-- CSV files, a hash join whose build side (the ~730,000 qualifying orders
-- at SF 1) is built in parallel and probed by ~3.2 million lineitem rows,
-- and hash aggregation.
--
-- The decimal columns of lineitem are cast to numeric(15,2) in the inner
-- SELECT (kiln infers them as double); the DuckDB twin declares the types.
COPY (
    SELECT o_orderpriority,
           count(*) AS line_count,
           sum(l_extendedprice * (1 - l_discount)) AS revenue,
           min(o_orderdate) AS first_order,
           max(l_shipdate) AS last_ship
    FROM (SELECT l_orderkey,
                 CAST(l_extendedprice AS numeric(15,2)) AS l_extendedprice,
                 CAST(l_discount AS numeric(15,2)) AS l_discount,
                 l_shipdate
          FROM read_csv('{{ data }}/lineitem.csv', header => true)) AS lineitem
    JOIN read_csv('{{ data }}/orders.csv', header => true) AS orders
      ON l_orderkey = o_orderkey
    WHERE o_orderdate < DATE '1995-03-15'
      AND l_shipdate > DATE '1995-03-15'
    GROUP BY o_orderpriority
    ORDER BY o_orderpriority
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
