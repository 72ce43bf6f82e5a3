-- csv_filter_project (kiln): scan lineitem.csv, keep ~7% of the rows with a
-- selective filter, compute decimal, date and string expressions, and write
-- the result as CSV.  Measures: CSV parsing and type conversion, filter
-- (selection vectors), vectorized expression evaluation, CSV writing.
--
-- kiln infers types from the CSV (decimals like 12.50 infer as double, as in
-- DuckDB), so the decimal columns are cast to numeric(15,2) in the inner
-- SELECT: money is never a double.  The DuckDB twin
-- (csv_filter_project.duckdb.sql) declares the column types in read_csv
-- instead; the outer SELECT is the same text in both files.
--
-- {{ data }} and {{ out }} are filled in by bench/run.sh (they are also kiln
-- job parameters: kiln run csv_filter_project.sql --param data=... --param out=...).
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
    FROM (SELECT l_orderkey,
                 l_linenumber,
                 CAST(l_quantity AS numeric(15,2)) AS l_quantity,
                 CAST(l_extendedprice AS numeric(15,2)) AS l_extendedprice,
                 CAST(l_discount AS numeric(15,2)) AS l_discount,
                 CAST(l_tax AS numeric(15,2)) AS l_tax,
                 l_returnflag,
                 l_linestatus,
                 l_shipdate,
                 l_receiptdate,
                 l_shipmode
          FROM read_csv('{{ data }}/lineitem.csv', header => true)) AS lineitem
    WHERE l_shipdate >= DATE '1995-01-01'
      AND l_discount BETWEEN 0.05 AND 0.07
      AND l_quantity < 24
) TO '{{ out }}' WITH (FORMAT csv, HEADER true);
