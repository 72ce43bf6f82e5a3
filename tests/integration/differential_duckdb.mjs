// differential_duckdb.mjs - runs each query of a query file on kiln and on
// DuckDB (the @duckdb/node-api pinned in bench/package.json) over the same
// Parquet files, and compares the results (test_differential_duckdb.sh).
//
// Usage: node differential_duckdb.mjs KILN QUERIES.sql SETUP_KILN.sql SETUP_DUCKDB.sql
//   QUERIES.sql: queries separated by lines of `-- query NAME`; a query
//   preceded by `-- differs: REASON` is one where PostgreSQL (which kiln
//   follows) and DuckDB legitimately differ: it still runs on both, and the
//   difference is reported with the reason instead of failing.
//   SETUP_*.sql: statements run before each query (views over the files).
// Comparison: both results as multisets of rows (sorted), each value
// normalised: NULL, booleans, numbers compared with a relative tolerance of
// 1e-9 (exact for integers), everything else as text.
// Output: one line per query (ok / FAIL / known difference), then on a FAIL
// the first differing rows.  Exit status: 0 when no query FAILs, else 1.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchRequire = createRequire(path.join(here, '..', '..', 'bench', 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(benchRequire.resolve('@duckdb/node-api')).href);

const [kiln, queryFile, setupKilnFile, setupDuckFile] = process.argv.slice(2);
const setupKiln = readFileSync(setupKilnFile, 'utf8');
const setupDuck = readFileSync(setupDuckFile, 'utf8');

// Parse the query file into {name, sql, differs}.
function parseQueries(text) {
  const queries = [];
  let current = null;
  let differs = null;
  for (const line of text.split('\n')) {
    const q = line.match(/^-- query (\S+)/);
    const d = line.match(/^-- differs: (.*)/);
    if (q) {
      if (current) queries.push(current);
      current = { name: q[1], sql: '', differs };
      differs = null;
    } else if (d) {
      if (current) { queries.push(current); current = null; }
      differs = d[1];
    } else if (current && !line.startsWith('--')) {
      current.sql += line + '\n';
    }
  }
  if (current) queries.push(current);
  return queries.filter((q) => q.sql.trim() !== '');
}

// Split one CSV line set (RFC 4180, kiln's --format csv) into rows of fields;
// an unquoted empty field is NULL, a quoted one the empty string.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, inQuotes = false, i = 0;
  const endField = () => { row.push(field === '' && !quoted ? null : field); field = ''; quoted = false; };
  while (i < text.length) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { inQuotes = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { inQuotes = true; quoted = true; i++; continue; }
    if (c === ',') { endField(); i++; continue; }
    if (c === '\n') { endField(); rows.push(row); row = []; i++; continue; }
    if (c === '\r') { i++; continue; }
    field += c; i++;
  }
  if (field !== '' || quoted || row.length > 0) { endField(); rows.push(row); }
  return rows;
}

const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
function normalise(v) {
  if (v === null || v === undefined) return 'NULL';
  let s = typeof v === 'string' ? v : String(v);
  if (s === 't') s = 'true';
  if (s === 'f') s = 'false';
  if (numberPattern.test(s)) {
    const n = Number(s);
    if (Number.isInteger(n) && Math.abs(n) < 2 ** 53 && !/[.eE]/.test(s)) return String(BigInt(s));
    return 'n:' + n.toPrecision(12);
  }
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity' || s === 'inf' || s === '-inf') return 'n:' + s.replace('inf', 'Infinity');
  return s;
}

function sameValue(a, b) {
  if (a === b) return true;
  if (a.startsWith('n:') || b.startsWith('n:')) {
    const x = Number(a.replace(/^n:/, '')), y = Number(b.replace(/^n:/, ''));
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  }
  return false;
}

function compare(kRows, dRows) {
  const key = (r) => r.join('\u0001');
  const ks = kRows.map((r) => r.map(normalise)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const ds = dRows.map((r) => r.map(normalise)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (ks.length !== ds.length) return `kiln returned ${ks.length} rows, DuckDB ${ds.length}` + sample(ks, ds, 0);
  for (let i = 0; i < ks.length; i++) {
    if (ks[i].length !== ds[i].length) return `row ${i}: kiln has ${ks[i].length} columns, DuckDB ${ds[i].length}`;
    for (let c = 0; c < ks[i].length; c++)
      if (!sameValue(ks[i][c], ds[i][c])) return `sorted row ${i} differs` + sample(ks, ds, i);
  }
  return null;
}

function sample(ks, ds, from) {
  const lines = [];
  for (let i = from; i < from + 3; i++) {
    if (i < ks.length) lines.push(`    kiln:   ${ks[i].join(' | ')}`);
    if (i < ds.length) lines.push(`    duckdb: ${ds[i].join(' | ')}`);
  }
  return lines.length ? '\n' + lines.join('\n') : '';
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const statement of setupDuck.split(';').map((s) => s.trim()).filter(Boolean)) await connection.run(statement);

let failed = 0, passed = 0, known = 0;
for (const q of parseQueries(readFileSync(queryFile, 'utf8'))) {
  let kRows, dRows, problem = null;
  try {
    const out = execFileSync(kiln, ['query', '--format', 'csv', setupKiln + '\n' + q.sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    kRows = parseCsv(out).slice(1); // without the header
  } catch (e) {
    problem = `kiln failed: ${(e.stderr || e.message).toString().trim()}`;
  }
  if (!problem) {
    try {
      const result = await connection.runAndReadAll(q.sql);
      dRows = result.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
    } catch (e) {
      problem = `DuckDB failed: ${e.message}`;
    }
  }
  if (!problem) problem = compare(kRows, dRows);
  if (problem === null) {
    if (q.differs) console.log(`ok (though listed as differing: ${q.differs}): ${q.name}`);
    else console.log(`ok: ${q.name}`);
    passed++;
  } else if (q.differs) {
    console.log(`known difference: ${q.name}: ${q.differs}\n    ${problem.split('\n')[0]}`);
    known++;
  } else {
    console.log(`FAIL: ${q.name}: ${problem}`);
    failed++;
  }
}
console.log(`${passed} same, ${known} known differences, ${failed} different`);
process.exit(failed ? 1 : 0);
