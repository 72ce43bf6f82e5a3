// fake_imds.js: a stand-in for the AWS services that hand out temporary
// credentials (tests/integration/test_s3_credentials.sh), on 127.0.0.1:
//   - the EC2 instance metadata service, IMDSv2 only:
//       PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds)
//       GET /latest/meta-data/iam/security-credentials/[role] (needs the token)
//   - STS: POST / with Action=AssumeRoleWithWebIdentity (form body); the
//     WebIdentityToken must be $FAKE_WEB_TOKEN;
//   - every other request is passed on to the S3 test server, and logged
//     with the session token it carries, so the test sees which
//     credentials signed it.
// Credentials: key id S3RVER (the one s3rver accepts), session tokens
// "IMDS-SESSION-TOKEN-SECRET-<n>" / "STS-SESSION-TOKEN-SECRET-<n>" (n counts
// the credentials handed out), valid for $FAKE_TTL_SECONDS (default 3600).
//
//   node fake_imds.js <s3 port> <port file> <log file>
'use strict';

const fs = require('fs');
const http = require('http');

const [s3Port, portFile, logFile] = process.argv.slice(2);
if (!s3Port || !portFile || !logFile) {
  console.error('usage: node fake_imds.js <s3 port> <port file> <log file>');
  process.exit(2);
}
const ttl = Number(process.env.FAKE_TTL_SECONDS || 3600);
const webToken = process.env.FAKE_WEB_TOKEN || '';
const tokens = new Set();
let issued = 0;

function log(line) {
  fs.appendFileSync(logFile, line + '\n');
}

function expiration() {
  return new Date(Date.now() + ttl * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function imds(req, res) {
  if (req.method === 'PUT' && req.url === '/latest/api/token') {
    const ttlHeader = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    if (!ttlHeader) return send(res, 400, 'text/plain', 'missing ttl');
    const token = `imds-api-token-${tokens.size + 1}`;
    tokens.add(token);
    log(`IMDS token ttl=${ttlHeader}`);
    return send(res, 200, 'text/plain', token);
  }
  if (req.method !== 'GET' || !tokens.has(req.headers['x-aws-ec2-metadata-token'])) {
    log(`IMDS refused ${req.method} ${req.url}`);
    return send(res, 401, 'text/plain', 'Unauthorized');
  }
  const base = '/latest/meta-data/iam/security-credentials/';
  if (req.url === base) {
    log('IMDS role');
    return send(res, 200, 'text/plain', 'kiln-role');
  }
  if (req.url === base + 'kiln-role') {
    issued++;
    log(`IMDS credentials ${issued}`);
    return send(res, 200, 'application/json', JSON.stringify({
      Code: 'Success', LastUpdated: new Date().toISOString(), Type: 'AWS-HMAC', AccessKeyId: 'S3RVER',
      SecretAccessKey: 'S3RVER', Token: `IMDS-SESSION-TOKEN-SECRET-${issued}`, Expiration: expiration(),
    }));
  }
  return send(res, 404, 'text/plain', 'Not Found');
}

function sts(req, res, body) {
  const form = new URLSearchParams(body);
  if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('Version') !== '2011-06-15') {
    return send(res, 400, 'text/xml', '<ErrorResponse><Error><Code>InvalidAction</Code><Message>bad action</Message></Error></ErrorResponse>');
  }
  const ok = webToken !== '' && form.get('WebIdentityToken') === webToken;
  log(`STS AssumeRoleWithWebIdentity role=${form.get('RoleArn')} session=${form.get('RoleSessionName')} token=${ok ? 'ok' : 'bad'}`);
  if (!ok) {
    return send(res, 400, 'text/xml', '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>' +
      '<Message>Couldn\'t retrieve verification key from your identity provider</Message></Error></ErrorResponse>');
  }
  issued++;
  return send(res, 200, 'text/xml',
    '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
    `<Credentials><AccessKeyId>S3RVER</AccessKeyId><SecretAccessKey>S3RVER</SecretAccessKey>` +
    `<SessionToken>STS-SESSION-TOKEN-SECRET-${issued}</SessionToken><Expiration>${expiration()}</Expiration></Credentials>` +
    `<AssumedRoleUser><Arn>${form.get('RoleArn')}/x</Arn></AssumedRoleUser></AssumeRoleWithWebIdentityResult>` +
    '</AssumeRoleWithWebIdentityResponse>');
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/latest/')) {
    req.resume();
    return req.on('end', () => imds(req, res));
  }
  if (req.method === 'POST' && req.url === '/' && (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    return req.on('end', () => sts(req, res, Buffer.concat(chunks).toString()));
  }
  log(`S3 ${req.method} ${req.url.split('?')[0]} session=${req.headers['x-amz-security-token'] || 'none'}`);
  const upstream = http.request(
    { host: '127.0.0.1', port: Number(s3Port), method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => req.socket.destroy());
  req.pipe(upstream);
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
