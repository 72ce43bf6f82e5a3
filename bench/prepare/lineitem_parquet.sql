-- Writes {{ data }}/lineitem.parquet from lineitem.csv for the parquet_*
-- workloads (bench/run.sh runs it with kiln once, when the file is missing).
-- Typed as TPC-H declares the columns (decimals as numeric(15,2), dates as
-- date), ZSTD, kiln's default row groups of 122,880 rows: the rows stay in
-- the generator's order, which is by order key, so row groups cover narrow
-- l_orderkey ranges and their statistics can rule most of them out.
COPY (
    SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber,
           CAST(l_quantity AS numeric(15,2)) AS l_quantity,
           CAST(l_extendedprice AS numeric(15,2)) AS l_extendedprice,
           CAST(l_discount AS numeric(15,2)) AS l_discount,
           CAST(l_tax AS numeric(15,2)) AS l_tax,
           l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate,
           l_shipinstruct, l_shipmode, l_comment
    FROM read_csv('{{ data }}/lineitem.csv', header => true)
) TO '{{ data }}/lineitem.parquet.tmp' WITH (FORMAT parquet, COMPRESSION zstd);
