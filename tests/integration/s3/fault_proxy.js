// fault_proxy.js: an HTTP proxy between kiln and the test S3 server that
// injects the failures kiln's S3 client must survive or report
// (tests/integration/test_s3.sh).
//
//   node fault_proxy.js <target port> <port file> <mode> <n> <log file>
//
// modes:
//   first  the first n requests fail, in turn: 503 SlowDown, 500
//          InternalError, a connection dropped without an answer; then every
//          request passes
//   after  the first n requests pass; every later one gets 500, except
//          DELETEs (so the abort of a failed upload can be checked)
// Each request is logged to <log file> as "<method> <url> -> <outcome>".
'use strict';

const fs = require('fs');
const http = require('http');

const [targetPort, portFile, mode, nText, logFile] = process.argv.slice(2);
const n = Number(nText);
if (!targetPort || !portFile || !['first', 'after'].includes(mode) || !(n >= 0) || !logFile) {
  console.error('usage: node fault_proxy.js <target port> <port file> first|after <n> <log file>');
  process.exit(2);
}

let count = 0;

function log(req, outcome) {
  fs.appendFileSync(logFile, `${req.method} ${req.url} -> ${outcome}\n`);
}

function s3Error(res, status, code) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by fault_proxy.js</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  count++;
  const failing = mode === 'first' ? count <= n : count > n && req.method !== 'DELETE';
  if (failing) {
    // drain the request body first, so the client sees the answer, not a broken pipe
    req.resume();
    req.on('end', () => {
      const kind = mode === 'after' ? 1 : (count - 1) % 3;
      if (kind === 0) {
        log(req, '503');
        s3Error(res, 503, 'SlowDown');
      } else if (kind === 1) {
        log(req, '500');
        s3Error(res, 500, 'InternalError');
      } else {
        log(req, 'dropped');
        req.socket.destroy();
      }
    });
    return;
  }
  const upstream = http.request(
    { host: '127.0.0.1', port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
    up => {
      log(req, String(up.statusCode));
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    log(req, 'upstream error');
    req.socket.destroy();
  });
  req.pipe(upstream);
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
