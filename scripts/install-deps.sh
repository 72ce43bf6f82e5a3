#!/usr/bin/env bash
# install-deps.sh: installs every Debian package that building and testing
# kiln needs.  Idempotent and quick when all is there: it asks dpkg first and
# runs apt-get (update + install, non-interactive) only for what is missing.
# Works as root, or through sudo otherwise.
#
#   bash scripts/install-deps.sh
#
# Keep the list in step with the Makefile's PKGS (pkg-config names) and LIBS.
set -euo pipefail

# Compiler, build tools and the libraries of the Makefile's PKGS and LIBS
# (libpg_query; pcre2, protobuf-c, zstd, zlib, utf8proc, xxhash; snappy and lz4
# for Parquet; yaml for kiln.yaml and sqlite3 for the orchestration state;
# libpq for read_postgres; the sqlite3 shell and a PostgreSQL 15 server for
# the database integration tests; libcurl (OpenSSL flavour) and OpenSSL for
# the S3 client, the AWS CLI for the S3 interoperability tests; libmariadb
# for read_mysql and MySQL warehouse loads, a MariaDB server and client for
# their integration tests; GNU time for the lake writer's peak-memory test;
# tzdata for the scheduler's time zones; python3 to load the Airflow DAG
# files of the docs in tests/integration/test_airflow_dag.sh).
# libpq, libcurl, libcrypto, libmariadb and libsnappy are opened with dlopen
# on first use (src/common/dynlib.h), so the build needs only their -dev
# packages' headers and nothing pulls their runtime packages in by linking:
# libpq5, libcurl4 (the OpenSSL flavour libcurl4-openssl-dev builds
# against), libssl3, libmariadb3 and libsnappy1v5 are named explicitly.
packages=(
    build-essential pkg-config make git clang
    libpg-query-dev libprotobuf-c-dev protobuf-c-compiler
    libpcre2-dev libzstd-dev zlib1g-dev libutf8proc-dev libssl-dev libxxhash-dev
    libsnappy-dev
    libbz2-dev liblz4-dev
    libyaml-dev libsqlite3-dev
    libpq-dev sqlite3 postgresql-15
    libcurl4-openssl-dev awscli
    libmariadb-dev mariadb-server mariadb-client
    libpq5 libcurl4 libssl3 libmariadb3 libsnappy1v5
    time
    tzdata
    python3
)

# clang's sanitizer runtime matches clang's major version (14 on bookworm).
clang_major() {
    local version
    version=$(dpkg-query -W -f='${Depends}' clang 2>/dev/null | grep -o 'clang-[0-9][0-9]*' | head -n1 || true)
    echo "${version#clang-}"
}

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-deps: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

apt_updated=0
install_missing() {
    local missing=()
    local package
    for package in "$@"; do
        is_installed "$package" || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "install-deps: installing ${missing[*]}"
    if [ "$apt_updated" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_missing "${packages[@]}"

major=$(clang_major)
install_missing "libclang-rt-${major:-14}-dev"

# Node.js and npm drive the DuckDB comparison tests and benchmarks (bench/);
# a node that is already on the PATH from elsewhere is good enough.
node_packages=()
command -v node >/dev/null 2>&1 || node_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || node_packages+=(npm)
if [ "${#node_packages[@]}" -gt 0 ]; then
    install_missing "${node_packages[@]}"
fi

echo "install-deps: all build and test dependencies are installed"
