-- clicks: the day's click events (JSON Lines) -> clean events in the lake.

CREATE TABLE clicks (
  event_id    text PRIMARY KEY,
  ts          timestamp NOT NULL,
  session_id  text NOT NULL,
  customer_id bigint,
  event       text NOT NULL CHECK (event IN ('view', 'add_to_cart', 'checkout')),
  page        text
) WITH (on_violation = 'quarantine', max_error_rate = 0.01);

-- Crawlers are not customers; an event delivered twice (the collector
-- delivers at least once) counts once.
INSERT INTO clicks
SELECT DISTINCT event_id, ts::timestamp, session_id, customer_id, event, page
FROM read_json('{{ source }}/clicks_{{ ds }}.jsonl')
WHERE user_agent NOT ILIKE '%bot%';

CALL kiln_check('null_rate_drift', 'clicks.customer_id', max_change => '10%', level => 'warn');

COPY (SELECT *, ts::date AS event_date FROM clicks)
  TO 'lake:clicks' WITH (FORMAT parquet, PARTITION_BY (event_date), MODE overwrite_partitions);
