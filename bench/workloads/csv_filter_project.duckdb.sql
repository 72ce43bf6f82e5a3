-- csv_filter_project (DuckDB twin of csv_filter_project.sql): the same
-- outer query; column types are declared in read_csv (DuckDB's `columns`
-- map, which PostgreSQL's grammar, and so kiln, cannot parse).
COPY (
    SELECT l_orderkey,
           l_linenumber,
           l_quantity,
           l_extendedprice,
           l_discount,
           l_tax,
           l_extendedprice * (1 - l_discount) AS disc_price,
           l_extendedprice * (1 - l_discount) * (1 + l_tax) AS charge,
           l_returnflag || l_linestatus AS status,
           lower(l_shipmode) AS ship_mode,
           CAST(date_trunc('month', l_shipdate) AS date) AS ship_month,
           l_receiptdate - l_shipdate AS transit_days
    FROM read_csv('{{ data }}/lineitem.csv', header = true, columns = {
             'l_orderkey': 'BIGINT', 'l_partkey': 'BIGINT', 'l_suppkey': 'BIGINT',
             'l_linenumber': 'BIGINT', 'l_quantity': 'DECIMAL(15,2)',
             'l_extendedprice': 'DECIMAL(15,2)', 'l_discount': 'DECIMAL(15,2)',
             'l_tax': 'DECIMAL(15,2)', 'l_returnflag': 'VARCHAR', 'l_linestatus': 'VARCHAR',
             'l_shipdate': 'DATE', 'l_commitdate': 'DATE', 'l_receiptdate': 'DATE',
             'l_shipinstruct': 'VARCHAR', 'l_shipmode': 'VARCHAR', 'l_comment': 'VARCHAR'}) AS lineitem
    WHERE l_shipdate >= DATE '1995-01-01'
      AND l_discount BETWEEN 0.05 AND 0.07
      AND l_quantity < 24
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
