// parquet_duckdb.mjs - runs SQL statements in an in-memory DuckDB (the
// @duckdb/node-api pinned in bench/package.json) for the Parquet
// interoperability test (test_parquet_duckdb.sh).
//
// Usage: node tests/integration/parquet_duckdb.mjs STATEMENT...
//   Runs the statements in order and prints the rows of the last one, one
//   line per row, values separated by '|', NULL as NULL.
// Exit status: 0, or 1 with DuckDB's error on stderr.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchRequire = createRequire(path.join(here, '..', '..', 'bench', 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(benchRequire.resolve('@duckdb/node-api')).href);

try {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let result = null;
  for (const statement of process.argv.slice(2)) result = await connection.runAndReadAll(statement);
  if (result) {
    for (const row of result.getRows())
      console.log(row.map((v) => (v === null ? 'NULL' : String(v))).join('|'));
  }
} catch (e) {
  console.error(`duckdb: ${e.message}`);
  process.exit(1);
}
