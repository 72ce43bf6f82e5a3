-- Writes {{ data }}/orders.parquet from orders.csv for the parquet_*
-- workloads (bench/run.sh runs it with kiln once, when the file is missing).
-- Typed as TPC-H declares the columns, ZSTD, kiln's default row groups.
COPY (
    SELECT o_orderkey, o_custkey, o_orderstatus,
           CAST(o_totalprice AS numeric(15,2)) AS o_totalprice,
           o_orderdate, o_orderpriority, o_clerk,
           CAST(o_shippriority AS integer) AS o_shippriority, o_comment
    FROM read_csv('{{ data }}/orders.csv', header => true)
) TO '{{ data }}/orders.parquet.tmp' WITH (FORMAT parquet, COMPRESSION zstd);
