-- daily_revenue: the day's revenue per country and currency, from the
-- lake, loaded into the warehouse.  replace_partitions deletes the day's
-- rows and inserts the new ones in one transaction: reruns are idempotent.
COPY (
  SELECT o.order_date, c.country, o.currency,
         count(*) AS orders,
         count(DISTINCT o.customer_id) AS customers,
         sum(o.amount) AS revenue,
         round(avg(o.amount), 2) AS avg_order
  FROM lake.orders AS o
  JOIN lake.customers AS c USING (customer_id)
  WHERE o.order_date = {{ ds }}::date
  GROUP BY o.order_date, c.country, o.currency
  ORDER BY c.country, o.currency
) TO 'warehouse:daily_revenue' WITH (MODE replace_partitions, KEY (order_date));
