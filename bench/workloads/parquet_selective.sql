-- parquet_selective: a narrow range of order keys (about 1% of lineitem)
-- from lineitem.parquet, with expressions over the rows found.  The file is
-- in order-key order, so the row groups' min/max statistics rule out all but
-- one or two of them: measures row-group pruning (kiln: SHOW
-- row_groups_pruned) against DuckDB's own statistics-based skipping.  The
-- same text runs in DuckDB (no twin).
COPY (
    SELECT l_orderkey,
           l_linenumber,
           l_extendedprice * (1 - l_discount) AS disc_price,
           l_returnflag || l_linestatus AS status,
           l_shipmode,
           l_receiptdate - l_shipdate AS transit_days
    FROM read_parquet('{{ data }}/lineitem.parquet')
    WHERE l_orderkey BETWEEN 3000000 AND 3060000
      AND l_quantity < 40
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
