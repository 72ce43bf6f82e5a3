-- The rows of {{ ds }} that the contracts of orders and clicks turned
-- away, per rule, with the file and first line they came from (rows read
-- from JSON have no line, only their row number in the statement's input).
SELECT 'orders' AS "table", _rules AS rule, count(*) AS rows,
       min(_source_file) AS file, min(_source_line) AS first_line_or_row
FROM read_parquet('lake/_quarantine/orders')
WHERE _logical_date = {{ ds }}
GROUP BY _rules
UNION ALL
SELECT 'clicks', _rules, count(*), min(_source_file), min(_source_row)
FROM read_parquet('lake/_quarantine/clicks')
WHERE _logical_date = {{ ds }}
GROUP BY _rules
ORDER BY 1 DESC, 3 DESC, 2;
