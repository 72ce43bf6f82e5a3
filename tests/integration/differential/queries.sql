-- Queries run by test_differential_duckdb.sh on kiln and on DuckDB over the
-- same generated Parquet files (views orders and customers).  Each starts
-- with `-- query NAME`; `-- differs: REASON` before one marks a known,
-- legitimate difference between PostgreSQL (kiln's reference) and DuckDB.

-- query count_all
SELECT count(*), count(customer_id), count(status), count(note) FROM orders

-- query aggregates_with_nulls
SELECT status, count(*), count(customer_id), sum(amount), min(amount), max(amount), avg(amount)
FROM orders GROUP BY status

-- query sum_of_empty_group_is_null
SELECT sum(amount), max(note), count(*) FROM orders WHERE id < 0

-- query group_by_expression
SELECT id % 7 AS bucket, date_trunc('month', ordered_at) AS month, count(*), sum(score)
FROM orders GROUP BY 1, 2

-- query having_and_filter
SELECT customer_id, count(*) FILTER (WHERE rush) AS rush_orders, sum(amount) AS total
FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id HAVING count(*) > 20

-- query count_distinct
SELECT status, count(DISTINCT customer_id), count(DISTINCT note) FROM orders GROUP BY status

-- query distinct_aggregates_of_one_argument
SELECT status, count(DISTINCT customer_id), sum(DISTINCT customer_id), avg(DISTINCT customer_id),
       count(*), sum(amount), min(note), max(amount) FILTER (WHERE rush)
FROM orders GROUP BY status

-- query distinct_aggregates_without_group_by
SELECT count(DISTINCT customer_id), sum(DISTINCT customer_id), count(*), count(customer_id), avg(score) FROM orders

-- query distinct_aggregate_of_empty_input
SELECT count(DISTINCT customer_id), sum(DISTINCT customer_id), count(*) FROM orders WHERE id < 0

-- query bool_aggregates
SELECT customer_id % 10 AS k, bool_and(rush), bool_or(rush), bool_and(amount > 1) FROM orders GROUP BY 1

-- query string_agg_length
SELECT region, length(string_agg(name, ',')) AS chars FROM customers WHERE id < 40 GROUP BY region

-- query stddev_variance
SELECT status, stddev_samp(score), var_pop(score), stddev_pop(amount::double precision) FROM orders GROUP BY status

-- query percentiles
SELECT status, percentile_cont(0.5) WITHIN GROUP (ORDER BY score), percentile_disc(0.9) WITHIN GROUP (ORDER BY amount)
FROM orders GROUP BY status

-- query inner_join
SELECT c.region, count(*), sum(o.amount) FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.region

-- query left_join_unmatched
SELECT c.id, c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL

-- query right_join
SELECT o.customer_id, count(c.id) FROM customers c RIGHT JOIN orders o ON o.customer_id = c.id AND c.region = 'north'
GROUP BY o.customer_id

-- query full_join
SELECT a.k, b.k FROM (SELECT DISTINCT customer_id % 1100 AS k FROM orders) a
FULL JOIN (SELECT id AS k FROM customers WHERE id % 3 = 0) b ON a.k = b.k

-- query join_residual_condition
SELECT count(*), sum(o.amount) FROM orders o JOIN customers c ON o.customer_id = c.id AND o.ordered_at::date > c.created + 300

-- query cross_join
SELECT count(*), sum(a.id * b.id) FROM customers a CROSS JOIN (SELECT id FROM customers WHERE id < 5) b

-- query semi_join_in
SELECT count(*) FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE region = 'east')

-- query anti_join_not_in_with_null
SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)

-- query anti_join_not_exists
SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)

-- query multi_key_join
SELECT count(*) FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.status = b.status AND a.id < b.id
WHERE a.id < 3000 AND b.id < 3000

-- query window_row_number_latest
SELECT customer_id, id, amount FROM (
  SELECT customer_id, id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at DESC) AS rn FROM orders
) t WHERE rn = 1

-- query latest_row_top3
SELECT customer_id, id, amount, rn FROM (
  SELECT customer_id, id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC, id) AS rn FROM orders
) t WHERE rn <= 3

-- query latest_row_ties_key_and_order_only
SELECT customer_id, amount, rn FROM (
  SELECT customer_id, amount, row_number() OVER (PARTITION BY customer_id % 100 ORDER BY amount) AS rn FROM orders
) t WHERE rn < 6

-- query latest_row_null_order_keys_first
SELECT status, id, note, rn FROM (
  SELECT status, id, note, row_number() OVER (PARTITION BY status ORDER BY note NULLS FIRST, id) AS rn FROM orders
) t WHERE rn < 40

-- query latest_row_null_order_keys_last_two_keys
SELECT customer_id, status, id, note FROM (
  SELECT customer_id, status, id, note,
         row_number() OVER (PARTITION BY customer_id % 10, status ORDER BY note DESC NULLS LAST, id DESC) AS rn
  FROM orders
) t WHERE 2 >= rn AND id % 3 <> 0

-- query distinct_on_null_order_keys
SELECT DISTINCT ON (status) status, id, note FROM orders ORDER BY status, note DESC NULLS LAST, id

-- query window_rank_dense_rank
SELECT id, rank() OVER (PARTITION BY status ORDER BY amount), dense_rank() OVER (PARTITION BY status ORDER BY amount)
FROM orders WHERE id < 500

-- query window_running_sum_rows
SELECT id, sum(amount) OVER (PARTITION BY customer_id ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW),
       count(*) OVER (PARTITION BY customer_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING)
FROM orders WHERE customer_id < 50

-- query window_range_frame
SELECT id, sum(amount) OVER (ORDER BY ordered_at RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW)
FROM orders WHERE id < 2000

-- query window_lag_lead_first_last
SELECT id, lag(amount) OVER w, lead(amount, 2, 0) OVER w, first_value(id) OVER w,
       last_value(id) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
FROM orders WHERE customer_id < 30 WINDOW w AS (PARTITION BY customer_id ORDER BY id)

-- query window_ntile_avg
SELECT id, ntile(4) OVER (ORDER BY id), avg(score) OVER (PARTITION BY status) FROM orders WHERE id <= 1000

-- query distinct_on
SELECT DISTINCT ON (customer_id) customer_id, id, amount FROM orders ORDER BY customer_id, amount DESC, id

-- query distinct
SELECT DISTINCT status, rush FROM orders

-- query union_intersect_except
SELECT customer_id FROM orders WHERE id < 3000 UNION SELECT id FROM customers WHERE id > 1000
EXCEPT SELECT id FROM customers WHERE id % 2 = 0

-- query union_all_intersect_all
SELECT status FROM orders WHERE id < 100 INTERSECT ALL SELECT status FROM orders WHERE id BETWEEN 50 AND 400

-- query except_all
SELECT customer_id % 5 FROM orders WHERE id < 200 EXCEPT ALL SELECT id % 5 FROM customers WHERE id < 100

-- query cte_chain
WITH per_customer AS (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id),
     ranked AS (SELECT customer_id, total, rank() OVER (ORDER BY total DESC) AS r FROM per_customer)
SELECT * FROM ranked WHERE r <= 10

-- query scalar_subquery
SELECT count(*) FROM orders WHERE amount > (SELECT avg(amount) FROM orders)

-- query subquery_in_from_with_filter
SELECT region, n FROM (SELECT region, count(*) AS n FROM customers GROUP BY region) t WHERE n > 200

-- query string_functions
SELECT id, upper(name), length(name), substring(name FROM 3 FOR 4), replace(name, 'customer', 'c'),
       split_part(name, ' ', 2), lpad(id::text, 6, '0'), left(name, 3), right(name, 2), position('9' IN name),
       concat(region, '-', id), coalesce(region, 'none') || '!'
FROM customers WHERE id < 60

-- query like_and_regex
SELECT count(*) FILTER (WHERE note LIKE 'note 1%'), count(*) FILTER (WHERE note ILIKE 'NOTE _'),
       count(*) FILTER (WHERE note ~ '^note [23]$') FROM orders

-- query date_functions
SELECT id, created, extract(year FROM created), extract(dow FROM created), date_trunc('week', created)::date,
       created + 30, created - DATE '2020-01-01', created + INTERVAL '1 month'
FROM customers WHERE id < 50

-- query timestamp_functions
SELECT id, date_trunc('hour', ordered_at), extract(hour FROM ordered_at), ordered_at + INTERVAL '90 minutes',
       ordered_at::date
FROM orders WHERE id < 100

-- query numeric_functions
SELECT id, round(amount, 1), round(score::numeric, 3), floor(score), ceil(score), abs(amount - 50), mod(id, 7),
       power(score, 2), sqrt(score), greatest(amount, 10), least(score, 0.5)
FROM orders WHERE id < 300

-- query case_and_nullif
SELECT id, CASE WHEN amount > 50 THEN 'big' WHEN amount > 10 THEN 'mid' ELSE 'small' END,
       nullif(status, 'new'), status IS DISTINCT FROM 'paid'
FROM orders WHERE id < 200

-- query integer_division_and_casts
SELECT id, id % 7, id::double precision / 7, (amount * 3)::integer, amount::text
FROM orders WHERE id < 100

-- query order_by_limit_offset
SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 25 OFFSET 10

-- query nulls_ordering
SELECT status, note FROM orders WHERE id < 60 ORDER BY note NULLS FIRST, status DESC NULLS LAST LIMIT 40

-- query avg_integer
SELECT customer_id % 3, avg(id) FROM orders GROUP BY 1

-- differs: integer / integer is integer division in PostgreSQL (truncating), a double in DuckDB
-- query integer_division_semantics
SELECT id, id / 7, -id / 7 FROM orders WHERE id < 20

-- differs: to_char is PostgreSQL's formatting function; DuckDB has none (it spells it strftime, with other patterns)
-- query to_char
SELECT to_char(ordered_at, 'YYYY-MM-DD HH24:MI'), to_char(created, 'Day') FROM orders JOIN customers ON customer_id = customers.id WHERE orders.id < 5
