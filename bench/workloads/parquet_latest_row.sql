-- parquet_latest_row: the ETL idiom "latest row per key" over
-- lineitem.parquet, written out: for each order, its line shipped last
-- (ties broken by the line number), 1.5 million rows at SF 1.  Measures:
-- a window row_number() over a partitioned sort of 6 million rows (or the
-- engine's rewrite of it) and writing a large CSV.  The same text runs in
-- DuckDB (no twin).
COPY (
    SELECT l_orderkey, l_linenumber, l_shipdate, l_extendedprice, l_shipmode
    FROM (SELECT l_orderkey, l_linenumber, l_shipdate, l_extendedprice, l_shipmode,
                 row_number() OVER (PARTITION BY l_orderkey ORDER BY l_shipdate DESC, l_linenumber DESC) AS rn
          FROM read_parquet('{{ data }}/lineitem.parquet')) AS ranked
    WHERE rn = 1
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
