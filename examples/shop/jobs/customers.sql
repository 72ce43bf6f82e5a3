-- customers: the customer dimension, extracted from the shop's database.
--
-- The database is the SQLite file the generator writes; with PostgreSQL,
-- kiln.postgres.yaml runs jobs/customers_postgres.sql instead, which reads
-- read_postgres('shop', 'public.customers') with the same contract.

-- The contract of the dimension.  No on_violation: the default policy is
-- 'fail', because a customer that breaks it is a bug in the source to fix,
-- not a row to lose (orders of a lost customer would be quarantined too).
CREATE TABLE customers (
  customer_id bigint PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL CHECK (email ~ '^[^@ ]+@[^@ ]+$'),
  country     text NOT NULL CHECK (country IN ('US', 'DE', 'GB', 'FR', 'NL', 'ES')),
  signup_date date NOT NULL
);

-- Hand-typed emails come with capitals and stray blanks.
INSERT INTO customers
SELECT customer_id, trim(name), lower(trim(email)), upper(country), signup_date
FROM read_sqlite('{{ source }}/customers.db', 'customers');

-- A small dimension: replaced whole every night, in the lake and the warehouse.
COPY customers TO 'lake:customers' WITH (FORMAT parquet, MODE overwrite);
COPY customers TO 'warehouse:dim_customers' WITH (MODE upsert, KEY (customer_id));
