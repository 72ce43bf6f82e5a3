-- The warehouse's daily revenue for {{ ds }}, per currency (summed over
-- the countries of daily_revenue).
SELECT currency, sum(orders) AS orders, sum(customers) AS customers, sum(revenue) AS revenue
FROM read_sqlite('warehouse.db', 'daily_revenue')
WHERE order_date = {{ ds }}::date
GROUP BY currency
ORDER BY revenue DESC;
