-- csv_aggregate (DuckDB twin of csv_aggregate.sql): the same outer query;
-- column types are declared in read_csv.
COPY (
    SELECT l_returnflag,
           l_linestatus,
           sum(l_quantity) AS sum_qty,
           sum(l_extendedprice) AS sum_base_price,
           sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
           sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
           CAST(avg(l_quantity) AS numeric(15,4)) AS avg_qty,
           CAST(avg(l_extendedprice) AS numeric(15,4)) AS avg_price,
           CAST(avg(l_discount) AS numeric(15,4)) AS avg_disc,
           count(*) AS count_order
    FROM read_csv('{{ data }}/lineitem.csv', header = true, columns = {
             'l_orderkey': 'BIGINT', 'l_partkey': 'BIGINT', 'l_suppkey': 'BIGINT',
             'l_linenumber': 'BIGINT', 'l_quantity': 'DECIMAL(15,2)',
             'l_extendedprice': 'DECIMAL(15,2)', 'l_discount': 'DECIMAL(15,2)',
             'l_tax': 'DECIMAL(15,2)', 'l_returnflag': 'VARCHAR', 'l_linestatus': 'VARCHAR',
             'l_shipdate': 'DATE', 'l_commitdate': 'DATE', 'l_receiptdate': 'DATE',
             'l_shipinstruct': 'VARCHAR', 'l_shipmode': 'VARCHAR', 'l_comment': 'VARCHAR'}) AS lineitem
    WHERE l_shipdate <= DATE '1998-09-02'
    GROUP BY l_returnflag, l_linestatus
    ORDER BY l_returnflag, l_linestatus
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
