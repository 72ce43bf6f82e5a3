-- csv_join_aggregate (DuckDB twin of csv_join_aggregate.sql): the same
-- outer query; column types are declared in read_csv.
COPY (
    SELECT o_orderpriority,
           count(*) AS line_count,
           sum(l_extendedprice * (1 - l_discount)) AS revenue,
           min(o_orderdate) AS first_order,
           max(l_shipdate) AS last_ship
    FROM read_csv('{{ data }}/lineitem.csv', header = true, columns = {
             'l_orderkey': 'BIGINT', 'l_partkey': 'BIGINT', 'l_suppkey': 'BIGINT',
             'l_linenumber': 'BIGINT', 'l_quantity': 'DECIMAL(15,2)',
             'l_extendedprice': 'DECIMAL(15,2)', 'l_discount': 'DECIMAL(15,2)',
             'l_tax': 'DECIMAL(15,2)', 'l_returnflag': 'VARCHAR', 'l_linestatus': 'VARCHAR',
             'l_shipdate': 'DATE', 'l_commitdate': 'DATE', 'l_receiptdate': 'DATE',
             'l_shipinstruct': 'VARCHAR', 'l_shipmode': 'VARCHAR', 'l_comment': 'VARCHAR'}) AS lineitem
    JOIN read_csv('{{ data }}/orders.csv', header = true, columns = {
             'o_orderkey': 'BIGINT', 'o_custkey': 'BIGINT', 'o_orderstatus': 'VARCHAR',
             'o_totalprice': 'DECIMAL(15,2)', 'o_orderdate': 'DATE',
             'o_orderpriority': 'VARCHAR', 'o_clerk': 'VARCHAR', 'o_shippriority': 'INTEGER',
             'o_comment': 'VARCHAR'}) AS orders
      ON l_orderkey = o_orderkey
    WHERE o_orderdate < DATE '1995-03-15'
      AND l_shipdate > DATE '1995-03-15'
    GROUP BY o_orderpriority
    ORDER BY o_orderpriority
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
