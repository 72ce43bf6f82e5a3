// duckdb_run.mjs - runs a SQL workload file in DuckDB (through @duckdb/node-api)
// with a given thread count and prints how long each run and each statement took.
//
// Usage: node bench/duckdb_run.mjs --sql FILE [--threads N] [--repeat R]
//                                  [--param name=value ...]
//   {{ name }} placeholders in FILE are replaced by the --param values (the
//   same spelling as kiln's job parameters; values are inserted as they are,
//   with single quotes doubled, so use them inside string literals).
//   Each run uses a fresh in-memory DuckDB instance: `SET threads = N`, then
//   the statements of FILE one by one.  The time of a run covers parsing,
//   planning and running the statements (not Node's start-up, loading DuckDB
//   or the SET); a statement's time excludes its planning.
// Output: one JSON object per run on stdout, e.g.
//   {"engine":"duckdb","version":"v1.5.6","threads":2,"run":1,"seconds":1.234,
//    "statements":[{"statement":1,"seconds":1.234,"rows":430000}],
//    "peak_mb":412.5,"node_mb":48.1}
//   (rows: the count a COPY or INSERT reports, or the number of rows a query returned;
//   peak_mb: the process's peak resident memory so far; node_mb: its resident
//   memory before the first run, Node and the DuckDB library loaded, so that
//   peak_mb - node_mb is what DuckDB itself used at its peak)
// Exit status: 0, or 1 with the DuckDB error on stderr, or 2 for bad usage.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

function usage(message) {
  if (message) console.error(`duckdb_run: ${message}`);
  console.error('usage: node duckdb_run.mjs --sql FILE [--threads N] [--repeat R] [--param name=value ...]');
  process.exit(2);
}

function parseArguments(argv) {
  const options = { sql: null, threads: null, repeat: 1, params: {} };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--sql': options.sql = value; i++; break;
      case '--threads': options.threads = Number.parseInt(value, 10); i++; break;
      case '--repeat': options.repeat = Number.parseInt(value, 10); i++; break;
      case '--param': {
        const equals = value === undefined ? -1 : value.indexOf('=');
        if (equals <= 0) usage(`--param needs name=value, got "${value}"`);
        options.params[value.slice(0, equals)] = value.slice(equals + 1);
        i++;
        break;
      }
      default: usage(`unknown argument "${argv[i]}"`);
    }
    if (i >= argv.length) usage(`${argv[i - 1]} needs a value`);
  }
  if (!options.sql) usage('--sql is required');
  if (options.threads !== null && !(options.threads >= 1)) usage('--threads must be a positive integer');
  if (!(options.repeat >= 1)) usage('--repeat must be a positive integer');
  return options;
}

function substituteParameters(text, params) {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (match, name) => {
    if (!(name in params)) throw new Error(`unknown parameter "${name}" (pass --param ${name}=...)`);
    return params[name].replaceAll("'", "''");
  });
}

async function runOnce(sqlText, threads, runNumber) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    if (threads !== null) await connection.run(`SET threads = ${threads}`);
    const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0][0];
    const runStart = process.hrtime.bigint();
    const extracted = await connection.extractStatements(sqlText);
    const statements = [];
    for (let index = 0; index < extracted.count; index++) {
      const prepared = await extracted.prepare(index);
      const start = process.hrtime.bigint();
      const result = await prepared.runAndReadAll();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      statements.push({ statement: index + 1, seconds, rows: firstCount(result) });
    }
    const seconds = Number(process.hrtime.bigint() - runStart) / 1e9;
    const peak_mb = process.resourceUsage().maxRSS / 1024;
    return { engine: 'duckdb', version, threads, run: runNumber, seconds, statements, peak_mb, node_mb };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// COPY returns one row with the number of rows written; a query returns its rows.
function firstCount(reader) {
  const rows = reader.getRows();
  if (rows.length === 1 && rows[0].length === 1 && typeof rows[0][0] === 'bigint') return Number(rows[0][0]);
  return rows.length;
}

const options = parseArguments(process.argv.slice(2));
const node_mb = process.memoryUsage().rss / (1024 * 1024);
let sqlText;
try {
  sqlText = substituteParameters(readFileSync(options.sql, 'utf8'), options.params);
} catch (error) {
  console.error(`duckdb_run: ${error.message}`);
  process.exit(error.code === 'ENOENT' ? 2 : 1);
}
for (let run = 1; run <= options.repeat; run++) {
  try {
    const report = await runOnce(sqlText, options.threads, run);
    console.log(JSON.stringify(report));
  } catch (error) {
    console.error(`duckdb_run: ${options.sql}: ${error.message}`);
    process.exit(1);
  }
}
