# pg_server.sh: sourced by the PostgreSQL integration tests.  pg_start
# creates a throw-away PostgreSQL cluster (initdb) in a temporary folder,
# starts it on 127.0.0.1 at a free port with password (scram) auth for the
# superuser $PG_USER / $PG_PASSWORD, and registers a trap that stops it and
# removes the folder when the test exits, whether it passed or not.
# Sets PG_PORT, PG_URL (without password), PG_URL_PW (with it) and PSQL
# (a psql command connected as the superuser).  Returns 77 when no
# PostgreSQL server binaries are installed.

PG_USER=kiln_test
PG_PASSWORD='Sec-ret_9f3b'

pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

# Run a command as the cluster's owner (initdb and postgres refuse root).
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_stop() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}

pg_start() {
    PG_BIN=$(pg_bin_dir) || return 77
    PG_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        if id postgres >/dev/null 2>&1; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
    fi
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kiln-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    trap 'pg_stop' EXIT
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pw"
    [ "$(id -u)" -eq 0 ] && chown -R "$PG_OWNER" "$PG_DIR"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/pw" \
        --auth=scram-sha-256 -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
    local try port
    for try in 1 2 3 4 5 6 7 8 9 10; do
        port=$((20000 + RANDOM % 40000))
        if pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 30 -l "$PG_DIR/server.log" \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_DIR -c fsync=off" start >/dev/null 2>&1; then
            PG_PORT=$port
            PG_URL="postgresql://$PG_USER@127.0.0.1:$PG_PORT/postgres"
            PG_URL_PW="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
            PSQL="env PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U $PG_USER -d postgres"
            return 0
        fi
    done
    cat "$PG_DIR/server.log"
    return 1
}
