CREATE TEMP VIEW orders AS SELECT * FROM read_parquet('orders.parquet');
CREATE TEMP VIEW customers AS SELECT * FROM read_parquet('customers.parquet');
