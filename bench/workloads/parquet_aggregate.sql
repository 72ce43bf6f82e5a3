-- parquet_aggregate: TPC-H query 1 over lineitem.parquet (written by kiln,
-- see bench/prepare/lineitem_parquet.sql): every row group is read (the
-- filter keeps ~98% of the rows), 7 of the 16 columns.  Measures: Parquet
-- decoding (ZSTD, dictionaries, definition levels) of the needed column
-- chunks only, parallel reads by row group, decimal arithmetic and
-- two-phase hash aggregation.  The same text runs in DuckDB (no twin).
-- Averages are cast to numeric(15,4) as in csv_aggregate.sql.
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
    FROM read_parquet('{{ data }}/lineitem.parquet')
    WHERE l_shipdate <= DATE '1998-09-02'
    GROUP BY l_returnflag, l_linestatus
    ORDER BY l_returnflag, l_linestatus
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
