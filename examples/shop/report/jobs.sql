-- What each job of the latest run for {{ ds }} did: its status, the rows
-- its contract checked, kept and quarantined, the malformed lines it
-- rejected, the lake files it committed, the rows of its last COPY, and its
-- time.  Everything comes from what kiln records: the run state
-- (.kiln/state.db, with each attempt's quality report) and the lake's
-- commit records.  One row per attempt: a retried job shows its failed
-- attempts too (their commits are not theirs: only the successful attempt
-- gets the lake figures).
WITH attempts AS (
  SELECT id, job, status, seconds, rows
  FROM read_sqlite('.kiln/state.db', 'attempts')
  WHERE ds = {{ ds }}
    AND run_id = (SELECT max(run_id) FROM read_sqlite('.kiln/state.db', 'attempts') WHERE ds = {{ ds }})
), quality AS (
  SELECT attempt_id, report::json -> 'tables' -> 0 AS t
  FROM read_sqlite('.kiln/state.db', 'quality_reports')
), commits AS (
  -- the latest commit of each dataset for this date
  SELECT DISTINCT ON (dataset) dataset, job, files_added, rows_added
  FROM (SELECT 'customers' AS dataset, * FROM lake_commits('lake/customers')
        UNION ALL SELECT 'orders', * FROM lake_commits('lake/orders')
        UNION ALL SELECT 'orders_rejects', * FROM lake_commits('lake/orders_rejects')
        UNION ALL SELECT '_quarantine/orders', * FROM lake_commits('lake/_quarantine/orders')
        UNION ALL SELECT 'clicks', * FROM lake_commits('lake/clicks')) AS c
  WHERE logical_date = {{ ds }}
  ORDER BY dataset, version DESC
), per_job AS (
  SELECT job, sum(files_added) AS files,
         sum(rows_added) FILTER (WHERE dataset = 'orders_rejects') AS rejected
  FROM commits GROUP BY job
)
SELECT a.job, a.status,
       (q.t ->> 'rows_in')::bigint AS rows_in,
       (q.t ->> 'passed')::bigint AS rows_out,
       (q.t ->> 'quarantined')::bigint AS quarantined,
       p.rejected,
       p.files AS lake_files,
       a.rows AS last_copy,
       round(a.seconds::numeric, 2) AS seconds
FROM attempts AS a
LEFT JOIN quality AS q ON q.attempt_id = a.id
LEFT JOIN per_job AS p ON p.job = a.job AND a.status = 'success'
ORDER BY a.id;
