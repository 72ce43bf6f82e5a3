# mariadb_server.sh: sourced by the MySQL/MariaDB integration tests.
# my_start creates a throw-away MariaDB data folder (mariadb-install-db) in a
# temporary folder, starts mariadbd on 127.0.0.1 at a free port (no
# --skip-grant-tables: the tests connect as $MY_USER with password
# $MY_PASSWORD, created here) and registers a trap that stops the server and
# removes the folder when the test exits, whether it passed or not.  As
# root (CI) the server runs as the mysql user, or nobody.
# Sets MY_PORT, MY_URL (without password), MY_URL_PW (with it), MY_DB (the
# database kiln_test) and MYSQL (a client command connected as $MY_USER to
# $MY_DB).  Returns 77 when no MariaDB server is installed.

MY_USER=kiln_test
MY_PASSWORD='Sec-ret_7c2d'
MY_DB=kiln_test

# Run a command as the data folder's owner.
my_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$MY_OWNER" -- "$@"
    else
        "$@"
    fi
}

# The server's own pid (as root, $! is runuser's, which a SIGKILL would not pass on).
my_server_pid() {
    [ -s "$MY_DIR/pid" ] && cat "$MY_DIR/pid"
}

my_stop() {
    my_stop_server_only
    if [ -n "${MY_DIR:-}" ] && [ -d "$MY_DIR" ]; then
        rm -rf "$MY_DIR"
    fi
}

# my_start_server: (re)start mariadbd on the data folder made by my_start.
my_start_server() {
    my_as_owner mariadbd --no-defaults --datadir="$MY_DIR/data" --socket="$MY_DIR/sock" \
        --bind-address=127.0.0.1 --port="$MY_PORT" --pid-file="$MY_DIR/pid" \
        --log-error="$MY_DIR/server.log" --general-log=1 --general-log-file="$MY_DIR/general.log" \
        --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 \
        --skip-name-resolve --max-connections=200 >/dev/null 2>&1 &
    MY_PID=$!
    local i
    for i in $(seq 1 300); do
        if [ -s "$MY_DIR/pid" ] && mariadb-admin --no-defaults --socket="$MY_DIR/sock" -uroot ping >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$MY_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

my_start() {
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || return 77
    export PATH="$PATH:/usr/sbin"
    command -v mariadb-install-db >/dev/null 2>&1 || return 77
    MY_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        if id mysql >/dev/null 2>&1; then MY_OWNER=mysql; else MY_OWNER=nobody; fi
    fi
    MY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kiln-my.XXXXXX")
    chmod 755 "$MY_DIR"
    trap 'my_stop' EXIT
    [ "$(id -u)" -eq 0 ] && chown -R "$MY_OWNER" "$MY_DIR"
    # root connects over the socket as the Unix user running the test
    # (unix_socket auth as root; as another user the test user's own root)
    my_as_owner mariadb-install-db --no-defaults --datadir="$MY_DIR/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$MY_DIR/install.log" 2>&1 || { cat "$MY_DIR/install.log"; return 1; }
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
        MY_PORT=$((20000 + RANDOM % 40000))
        if my_start_server; then
            mariadb --no-defaults --socket="$MY_DIR/sock" -uroot <<SQL || return 1
CREATE DATABASE $MY_DB CHARACTER SET utf8mb4;
CREATE USER '$MY_USER'@'127.0.0.1' IDENTIFIED BY '$MY_PASSWORD';
CREATE USER '$MY_USER'@'localhost' IDENTIFIED BY '$MY_PASSWORD';
GRANT ALL ON *.* TO '$MY_USER'@'127.0.0.1';
GRANT ALL ON *.* TO '$MY_USER'@'localhost';
SQL
            MY_URL="mysql://$MY_USER@127.0.0.1:$MY_PORT/$MY_DB"
            MY_URL_PW="mysql://$MY_USER:$MY_PASSWORD@127.0.0.1:$MY_PORT/$MY_DB"
            MYSQL="mariadb --no-defaults --default-character-set=utf8mb4 -h127.0.0.1 -P$MY_PORT -u$MY_USER -p$MY_PASSWORD --batch --skip-column-names $MY_DB"
            return 0
        fi
        my_stop_server_only
    done
    cat "$MY_DIR/server.log"
    return 1
}

# Stop the server (kill -9, as a crash) but keep the data folder (a port
# clash, or a test that stops the server mid-load and starts it again).
my_stop_server_only() {
    local pid i
    pid=$(my_server_pid)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    if [ -n "${MY_PID:-}" ]; then
        kill -9 "$MY_PID" 2>/dev/null
        wait "$MY_PID" 2>/dev/null
        MY_PID=
    fi
    for i in $(seq 1 100); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "${MY_DIR:-}" ] && rm -f "$MY_DIR/pid"
    return 0
}
