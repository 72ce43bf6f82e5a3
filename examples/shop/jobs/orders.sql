-- orders: the day's order export (gzip CSV) -> clean, deduplicated orders
-- in the lake, partitioned by order date.

-- Every field as text: the contract below does the conversions, so a bad
-- value quarantines its row instead of failing the job.  Malformed lines
-- (a field too many or too few) are set aside as rejects at read time.
CREATE TEMP VIEW raw_orders AS
SELECT * FROM read_csv('{{ source }}/orders_{{ ds }}.csv.gz', header => true, all_varchar => true,
                       rejects => 'orders_csv');

-- The contract: rows that break it go to lake/_quarantine/orders with the
-- rule, the value and the file and line they came from.  An order of a
-- customer missing from tonight's dimension in the lake (written by the
-- customers job) is quarantined too.  If more than 5% of the day breaks
-- it, the export is broken: the job fails, nothing is written.
CREATE TABLE orders (
  order_id    bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES lake.customers (customer_id),
  ordered_at  timestamp NOT NULL,
  amount      numeric(12,2) NOT NULL CHECK (amount >= 0),
  currency    text NOT NULL CHECK (currency IN ('USD', 'EUR', 'GBP')),
  status      text NOT NULL CHECK (status IN ('placed', 'paid', 'shipped')),
  updated_at  timestamp NOT NULL
) WITH (on_violation = 'quarantine', max_error_rate = 0.05);

-- An order exported again after an update: the latest version wins.
INSERT INTO orders
SELECT DISTINCT ON (order_id)
       order_id, customer_id, ordered_at, amount, upper(trim(currency)), status, updated_at
FROM raw_orders
ORDER BY order_id, updated_at DESC;

-- The malformed lines, for whoever fixes the export.
COPY (SELECT {{ ds }}::date AS ds, _source_file, _source_line, _error, _raw FROM rejects('orders_csv'))
  TO 'lake:orders_rejects' WITH (FORMAT parquet, PARTITION_BY (ds), MODE overwrite_partitions);

-- Stop before publishing if the day looks wrong against the previous one.
CALL kiln_check('row_count_change', 'orders', max_change => '50%');
CALL kiln_check('freshness', 'orders.ordered_at', max_age => '1 day');

-- Publish: overwrite_partitions replaces exactly the days this run wrote,
-- so a rerun of the same date gives the same lake.
COPY (SELECT *, ordered_at::date AS order_date FROM orders)
  TO 'lake:orders' WITH (FORMAT parquet, PARTITION_BY (order_date), MODE overwrite_partitions);
