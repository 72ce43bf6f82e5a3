-- The warehouse's funnel for {{ ds }}.
SELECT day, sessions, views, carts, checkouts, checkout_rate, orders, buyers
FROM read_sqlite('warehouse.db', 'daily_funnel')
WHERE day = {{ ds }}::date;
