# s3/server.sh: sourced by the S3 integration tests (test_s3*.sh) and
# bench/s3.sh.  s3_start DIR starts the test server (server.js: s3rver with
# the operations it lacks) on 127.0.0.1 at a free port, storing objects in
# DIR/data, and exports the environment every kiln and aws run starts from:
# s3rver's fixed keys, the endpoint, and HOME=DIR/home (no real ~/.aws).
# Sets S3_PORT, S3_ENDPOINT and S3_SERVER_PID (the caller kills it); defines
# awscli (the AWS CLI on that endpoint) and s3_wait_port.  Returns 77 when
# node or npm is missing (the caller skips), 1 when the server did not start.
# Installs the pinned npm packages (npm ci) when they are missing.

S3_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# s3_wait_port FILE: the port a started server wrote, or fail after 20 s
s3_wait_port() {
    for _ in $(seq 1 200); do
        if [ -s "$1" ]; then cat "$1"; return 0; fi
        sleep 0.1
    done
    return 1
}

s3_start() {
    local dir=$1
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
        return 77
    fi
    if [ ! -d "$S3_DIR/node_modules/s3rver" ]; then
        (cd "$S3_DIR" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "FAIL: npm ci in tests/integration/s3 failed"; return 1; }
    fi
    mkdir -p "$dir/data" "$dir/home"
    rm -f "$dir/server.port"
    node "$S3_DIR/server.js" "$dir/data" "$dir/server.port" 2>"$dir/server.log" &
    S3_SERVER_PID=$!
    S3_PORT=$(s3_wait_port "$dir/server.port") || { echo "FAIL: the S3 test server did not start"; cat "$dir/server.log"; return 1; }
    S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
    export HOME="$dir/home"
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_ENDPOINT_URL_S3 AWS_DEFAULT_REGION
    unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_ENDPOINT_URL_STS
    export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$S3_ENDPOINT"
    export AWS_EC2_METADATA_DISABLED=true
    return 0
}

awscli() { aws --endpoint-url "$S3_ENDPOINT" --region us-east-1 "$@"; }
