-- orders_daily.sql: the quick-start job.
-- Run from the repository root:
--   ./kiln run examples/quickstart/orders_daily.sql --param ds=2026-11-24
--
-- Reads one day of raw orders (CSV), cleans them (trimmed upper-case
-- currency, exact money as numeric, timestamps), keeps the valid rows, and
-- writes the daily revenue per currency as CSV.

CREATE TEMP VIEW raw_orders AS
  SELECT * FROM read_csv('examples/quickstart/data/orders_{{ ds }}.csv', header => true);

CREATE TABLE orders AS
SELECT order_id,
       customer_id,
       amount::numeric(12,2)        AS amount,
       upper(trim(currency))        AS currency,
       ordered_at::timestamp        AS ordered_at,
       ordered_at::date             AS order_date
FROM raw_orders
WHERE amount IS NOT NULL AND amount >= 0;

COPY (SELECT order_date, currency, count(*) AS orders, sum(amount) AS revenue
      FROM orders
      GROUP BY order_date, currency
      ORDER BY order_date, currency)
  TO 'examples/quickstart/out/daily_revenue_{{ ds }}.csv' WITH (FORMAT csv, HEADER);

-- What the run produced (printed by `kiln run`).
SELECT order_date, currency, count(*) AS orders, sum(amount) AS revenue
FROM orders
GROUP BY order_date, currency
ORDER BY order_date, currency;
