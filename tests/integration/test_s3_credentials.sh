#!/usr/bin/env bash
# test_s3_credentials.sh: the temporary-credential providers of the chain,
# against tests/integration/s3/fake_imds.js (a fake EC2 instance metadata
# service and STS, which also passes S3 requests on to the test server and
# logs the session token each one carries):
#   - IMDSv2: token, role, credentials; fetched once per process while
#     fresh, fetched again when within 5 minutes of their Expiration (the
#     S3 requests then carry the new session token); turned off by
#     AWS_EC2_METADATA_DISABLED;
#   - web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (and the
#     profile's role_arn + web_identity_token_file) -> STS
#     AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS; a token STS refuses
#     gives STS's code and message;
#   - the order: environment keys, then web identity, then the profile
#     files, then instance metadata;
#   - no secret (session tokens, the web identity token) in any output,
#     with the request trace on.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/integration/s3/server.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-s3-creds.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
s3_start "$tmp"
rc=$?
[ "$rc" = 77 ] && exit 0
[ "$rc" = 0 ] || exit 1
pids+=("$S3_SERVER_PID")

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
pass() { echo >>"$tmp/passes"; } # a file, so that checks in subshells count too
# kiln_run NAME SQL: run with the request trace; all output in $tmp/out (stdout) and $tmp/err
kiln_run() {
    local name=$1
    shift
    KILN_S3_TRACE=1 "$KILN" query --format csv "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    cat "$tmp/out" "$tmp/err" >>"$tmp/all_output"
    return $rc
}
kiln_ok() {
    local name=$1
    kiln_run "$@" && pass || fail "$name: kiln failed: $(cat "$tmp/err")"
}
expect_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$3', got '$2'"; fi
}
# start_fake NAME TTL: a fake on its own log; sets fake_endpoint and fake_log
start_fake() {
    fake_log="$tmp/$1.log"
    : >"$fake_log"
    FAKE_TTL_SECONDS=$2 FAKE_WEB_TOKEN=web-identity-token-VALUE-7f3 \
        node "$S3_DIR/fake_imds.js" "$S3_PORT" "$tmp/$1.port" "$fake_log" 2>>"$tmp/fake.err" &
    pids+=($!)
    local p
    p=$(s3_wait_port "$tmp/$1.port") || { fail "the fake credentials server did not start: $(cat "$tmp/fake.err")"; return 1; }
    fake_endpoint="http://127.0.0.1:$p"
}
count() { grep -c "$1" "$fake_log"; }

mkdir -p "$tmp/data/kiln"
awk 'BEGIN { print "i"; for (i = 1; i <= 100; i++) print i }' >hundred.csv
kiln_ok "upload" "COPY (SELECT * FROM read_csv('$tmp/hundred.csv')) TO 's3://kiln/c.csv' (HEADER)"
twice="SELECT count(*) FROM read_csv('s3://kiln/c.csv'); SELECT sum(i) FROM read_csv('s3://kiln/c.csv')"

start_fake fresh 3600
fresh_endpoint=$fake_endpoint
fresh_log=$fake_log

# ---- instance metadata ----
(
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED
    export AWS_ENDPOINT_URL="$fresh_endpoint" AWS_EC2_METADATA_SERVICE_ENDPOINT="$fresh_endpoint/"
    failures=0
    kiln_ok "imds" "$twice"
    expect_eq "imds result" "$(cat "$tmp/out")" "sum
5050"
    # fresh credentials: one token, one role, one fetch for both queries
    expect_eq "imds token requests" "$(count '^IMDS token ttl=21600$')" 1
    expect_eq "imds role requests" "$(count '^IMDS role$')" 1
    expect_eq "imds credential fetches" "$(count '^IMDS credentials')" 1
    expect_eq "imds refused" "$(count '^IMDS refused')" 0
    [ "$(count '^S3 ')" -ge 2 ] && pass || fail "imds: the S3 requests did not go through the fake: $(cat "$fake_log")"
    expect_eq "imds session tokens" "$(grep '^S3 ' "$fake_log" | grep -vc 'session=IMDS-SESSION-TOKEN-SECRET-1$')" 0

    # turned off: nothing asked, and the error says why
    export AWS_EC2_METADATA_DISABLED=true
    before=$(count '^IMDS')
    kiln_run "imds disabled" "$twice" && fail "imds disabled: kiln found credentials" || pass
    grep -q "no S3 credentials found" "$tmp/err" && grep -q "AWS_EC2_METADATA_DISABLED" "$tmp/err" && pass ||
        fail "imds disabled: $(cat "$tmp/err")"
    expect_eq "imds disabled: no request" "$(count '^IMDS')" "$before"

    # the profile's keys come before the instance's role
    unset AWS_EC2_METADATA_DISABLED
    mkdir -p "$HOME/.aws"
    printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >"$HOME/.aws/credentials"
    before=$(count '^IMDS')
    kiln_ok "profile before imds" "$twice"
    expect_eq "profile before imds: no IMDS request" "$(count '^IMDS')" "$before"
    rm -f "$HOME/.aws/credentials"
    exit "$failures"
) || failures=$((failures + $?))

# credentials inside the 5-minute margin are fetched again for every operation
start_fake expiring 60
(
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED
    export AWS_ENDPOINT_URL="$fake_endpoint" AWS_EC2_METADATA_SERVICE_ENDPOINT="$fake_endpoint"
    failures=0
    kiln_ok "imds refresh" "$twice"
    [ "$(count '^IMDS credentials')" -ge 2 ] && pass || fail "imds refresh: fetched once: $(cat "$fake_log")"
    [ "$(grep '^S3 ' "$fake_log" | sed 's/.*session=//' | sort -u | wc -l)" -ge 2 ] && pass ||
        fail "imds refresh: every S3 request carried the same session token: $(cat "$fake_log")"
    expect_eq "imds refresh: only fetched tokens" "$(grep '^S3 ' "$fake_log" | grep -vc 'session=IMDS-SESSION-TOKEN-SECRET-')" 0
    exit "$failures"
) || failures=$((failures + $?))

# ---- web identity ----
fake_endpoint=$fresh_endpoint
fake_log=$fresh_log
printf 'web-identity-token-VALUE-7f3\n' >"$tmp/web-token"
printf 'not-the-token-VALUE-9a1\n' >"$tmp/wrong-token"
(
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED
    export AWS_ENDPOINT_URL="$fake_endpoint" AWS_ENDPOINT_URL_STS="$fake_endpoint"
    export AWS_EC2_METADATA_SERVICE_ENDPOINT="$fake_endpoint"
    export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/kiln-test AWS_ROLE_SESSION_NAME=kiln-session
    export AWS_WEB_IDENTITY_TOKEN_FILE="$tmp/web-token"
    failures=0
    : >"$fake_log"
    kiln_ok "web identity" "$twice"
    expect_eq "web identity result" "$(cat "$tmp/out")" "sum
5050"
    expect_eq "web identity: one STS call" "$(count '^STS AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role/kiln-test session=kiln-session token=ok$')" 1
    # web identity comes before the instance's role
    expect_eq "web identity before imds" "$(count '^IMDS')" 0
    expect_eq "web identity session tokens" "$(grep '^S3 ' "$fake_log" | grep -vc 'session=STS-SESSION-TOKEN-SECRET-')" 0

    # a token STS refuses: its code and message, never the token
    export AWS_WEB_IDENTITY_TOKEN_FILE="$tmp/wrong-token"
    kiln_run "web identity refused" "$twice" && fail "web identity refused: kiln found credentials" || pass
    grep -q "InvalidIdentityToken" "$tmp/err" && grep -q "kiln-test" "$tmp/err" && pass || fail "web identity refused: $(cat "$tmp/err")"
    # a refusal is not retried (3 attempts per fetch would show as 3 or more)
    n=$(count 'token=bad$')
    [ "$n" -ge 1 ] && [ "$n" -lt 3 ] && pass || fail "web identity refused: $n STS calls"

    # environment keys come before the web identity
    export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
    : >"$fake_log"
    kiln_ok "environment before web identity" "$twice"
    expect_eq "environment before web identity: no STS call" "$(count '^STS')" 0
    expect_eq "environment: no session token" "$(grep '^S3 ' "$fake_log" | grep -vc 'session=none$')" 0
    exit "$failures"
) || failures=$((failures + $?))
# the web identity of a profile in ~/.aws/config
(
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
    export AWS_ENDPOINT_URL="$fake_endpoint" AWS_ENDPOINT_URL_STS="$fake_endpoint" AWS_PROFILE=wi
    mkdir -p "$HOME/.aws"
    printf '[profile wi]\nrole_arn = arn:aws:iam::123456789012:role/from-profile\nweb_identity_token_file = %s\n' \
        "$tmp/web-token" >"$HOME/.aws/config"
    failures=0
    : >"$fake_log"
    kiln_ok "profile web identity" "$twice"
    expect_eq "profile web identity: STS call" "$(count 'role=arn:aws:iam::123456789012:role/from-profile .*token=ok$')" 1
    rm -f "$HOME/.aws/config"
    exit "$failures"
) || failures=$((failures + $?))

# ---- no secret in any output ----
for secret in SESSION-TOKEN-SECRET web-identity-token-VALUE not-the-token-VALUE; do
    grep -q -- "$secret" "$tmp/all_output" && fail "a secret ($secret) appears in kiln's output" || pass
done
grep -q '^kiln-s3-trace: GET' "$tmp/all_output" && pass || fail "the trace was not on: the secret check proves nothing"

echo "$(wc -l <"$tmp/passes") checks passed, $failures failed"
[ "$failures" -eq 0 ]
