// server.js: the S3-compatible test server of tests/integration/test_s3.sh,
// test_s3_lake.sh and bench/s3.sh: s3rver (pinned in package.json) on
// 127.0.0.1, with paginated listings repaired on Node 17+ (below), plus the
// four S3 operations s3rver 3.7.1 lacks and kiln relies on, implemented here
// on s3rver's own file store:
//   AbortMultipartUpload     DELETE /bucket/key?uploadId=X  (s3rver: 405)
//   ListMultipartUploads     GET /bucket?uploads            (s3rver: 501), with prefix
//                            and key-marker/upload-id-marker pagination
//   CompleteMultipartUpload of an unknown upload id -> 404 NoSuchUpload (s3rver: 500)
//   conditional PUT          If-None-Match: * on an existing key -> 412 (s3rver: ignored)
// These run before s3rver's signature check, which the other requests get.
//
//   node server.js <directory> <port-file>
// Listens on a free port, writes it to <port-file>, serves until killed.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

// s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node 17+
// (OpenSSL 3) no longer has: every truncated listing (more keys than
// max-keys, or than 1000) then answers 500.  The token is opaque to clients,
// so a reversible stand-in (the plain bytes) is enough; installed before
// s3rver takes its reference to the crypto module's functions.
function desAvailable() {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch (e) {
    return false;
  }
}
if (!desAvailable()) {
  const plain = () => ({ update: (data, enc) => Buffer.from(data, enc), final: () => Buffer.alloc(0) });
  const createCipheriv = crypto.createCipheriv;
  const createDecipheriv = crypto.createDecipheriv;
  crypto.createCipheriv = (alg, ...rest) => (alg === 'des' ? plain() : createCipheriv(alg, ...rest));
  crypto.createDecipheriv = (alg, ...rest) => (alg === 'des' ? plain() : createDecipheriv(alg, ...rest));
}

const S3rver = require('s3rver');

const [directory, portFile] = process.argv.slice(2);
if (!directory || !portFile) {
  console.error('usage: node server.js <directory> <port-file>');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });

function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

function uploadsDir(bucket) {
  return server.store.getResourcePath(bucket, undefined, 'uploads');
}

function splitPath(ctx) {
  const parts = ctx.path.split('/').filter((p, i) => i > 0);
  const bucket = decodeURIComponent(parts[0] || '');
  const key = parts.slice(1).map(decodeURIComponent).join('/');
  return { bucket, key };
}

server.middleware.unshift(async (ctx, next) => {
  const { bucket, key } = splitPath(ctx);
  const q = ctx.query;
  if (ctx.method === 'DELETE' && key && 'uploadId' in q) {
    const dir = path.join(uploadsDir(bucket), q.uploadId);
    if (!q.uploadId || q.uploadId.includes('/') || !fs.existsSync(dir)) {
      return s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    fs.rmSync(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && key && 'uploadId' in q) {
    const dir = path.join(uploadsDir(bucket), q.uploadId || '-');
    if (!q.uploadId || q.uploadId.includes('/') || !fs.existsSync(dir)) {
      return s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
  }
  if (ctx.method === 'GET' && !key && bucket && 'uploads' in q) {
    // sorted by key, then upload id; prefix, max-uploads and the
    // key-marker / upload-id-marker pagination; Initiated is when the
    // upload started (its key file's modification time)
    const dir = uploadsDir(bucket);
    const prefix = q.prefix || '';
    // S3_TEST_MAX_UPLOADS (environment) shortens every page, so that tests see the pagination
    const cap = parseInt(process.env.S3_TEST_MAX_UPLOADS || '1000', 10) || 1000;
    const max = Math.max(1, Math.min(cap, parseInt(q['max-uploads'] || '1000', 10) || 1000));
    const keyMarker = q['key-marker'] || '';
    const idMarker = q['upload-id-marker'] || '';
    const uploads = [];
    for (const id of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      try {
        const file = path.join(dir, id, 'key');
        uploads.push({ key: fs.readFileSync(file, 'utf8'), id, initiated: fs.statSync(file).mtime });
      } catch (e) {
        continue;
      }
    }
    const after = (u) => u.key > keyMarker || (u.key === keyMarker && idMarker !== '' && u.id > idMarker);
    const page = uploads
      .filter((u) => u.key.startsWith(prefix) && (keyMarker === '' || after(u)))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const truncated = page.length > max;
    const shown = page.slice(0, max);
    let body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xmlEscape(bucket)}</Bucket>`;
    body += `<Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>${max}</MaxUploads>`;
    for (const u of shown) {
      body += `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`;
    }
    if (truncated) {
      const last = shown[shown.length - 1];
      body += `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextUploadIdMarker>${last.id}</NextUploadIdMarker>`;
    }
    body += `<IsTruncated>${truncated}</IsTruncated></ListMultipartUploadsResult>`;
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body = body;
    return;
  }
  if (ctx.method === 'PUT' && key && !('uploadId' in q) && ctx.get('if-none-match') === '*') {
    try {
      if (await server.store.existsObject(bucket, key)) {
        return s3Error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      }
    } catch (e) {
      // unknown bucket: let s3rver answer NoSuchBucket
    }
  }
  return next();
});

server.run().then(({ port }) => {
  fs.writeFileSync(portFile, String(port));
});
