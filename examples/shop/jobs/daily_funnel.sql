-- daily_funnel: sessions, funnel steps and orders of the day, one row per
-- day in the warehouse (upsert on the day).
COPY (
  WITH funnel AS (
    SELECT count(DISTINCT session_id) AS sessions,
           count(*) FILTER (WHERE event = 'view') AS views,
           count(*) FILTER (WHERE event = 'add_to_cart') AS carts,
           count(*) FILTER (WHERE event = 'checkout') AS checkouts,
           count(DISTINCT customer_id) AS signed_in_customers
    FROM lake.clicks
    WHERE event_date = {{ ds }}::date
  ), sales AS (
    SELECT count(*) AS orders, count(DISTINCT customer_id) AS buyers
    FROM lake.orders
    WHERE order_date = {{ ds }}::date
  )
  SELECT {{ ds }}::date AS day, sessions, views, carts, checkouts,
         round(checkouts::numeric / nullif(sessions, 0), 4) AS checkout_rate,
         signed_in_customers, orders, buyers
  FROM funnel CROSS JOIN sales
) TO 'warehouse:daily_funnel' WITH (MODE upsert, KEY (day));
