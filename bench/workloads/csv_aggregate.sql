-- csv_aggregate (kiln): TPC-H query 1 over lineitem.csv: a scan of the whole
-- file, a filter that keeps ~98% of the rows, and a grouped aggregate with
-- decimal sums and averages into 4 groups.  Measures: CSV parsing, decimal
-- arithmetic, hash aggregation with thread-local states and their merge.
--
-- As in csv_filter_project.sql, the decimal columns are cast to
-- numeric(15,2) in the inner SELECT (kiln infers them as double); the DuckDB
-- twin declares the types in read_csv.  Averages are cast to numeric(15,4)
-- because DuckDB's avg(decimal) is a double while PostgreSQL's (and kiln's)
-- is an exact numeric: the cast makes both print the same text.
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
    FROM (SELECT CAST(l_quantity AS numeric(15,2)) AS l_quantity,
                 CAST(l_extendedprice AS numeric(15,2)) AS l_extendedprice,
                 CAST(l_discount AS numeric(15,2)) AS l_discount,
                 CAST(l_tax AS numeric(15,2)) AS l_tax,
                 l_returnflag,
                 l_linestatus,
                 l_shipdate
          FROM read_csv('{{ data }}/lineitem.csv', header => true)) AS lineitem
    WHERE l_shipdate <= DATE '1998-09-02'
    GROUP BY l_returnflag, l_linestatus
    ORDER BY l_returnflag, l_linestatus
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
