#!/usr/bin/env bash
# test_docs_reference.sh: the reference parts of the docs and the README's
# quick start stay complete and true.
#   - docs/guide.md's configuration reference names every setting `SHOW ALL`
#     lists, and every setting it names is one kiln knows (SHOW works);
#   - docs/s3.md names every S3 setting of src/io/s3/s3_config.c;
#   - the guide names every kiln.yaml key that kiln accepts (the known keys
#     kiln lists when it refuses an unknown one: project, defaults, job);
#   - the README's two quick-start commands exist as written
#     (scripts/quickstart.sh, `make test`), quickstart.sh installs, builds
#     and runs the demo, and the guide's installation block names commands
#     that exist;
#   - on a fresh Debian machine install-deps.sh installs every library the
#     Makefile links: each pkg-config package and -l library is owned
#     (dpkg -S) by a package of its list.
# Exits 0 when all holds.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-docs-ref.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
guide=$root/docs/guide.md

# the guide's "Configuration reference" section
awk '/^## Configuration reference/ { s = 1; next } s && /^## / { exit } s' "$guide" >"$tmp/config.md"
[ -s "$tmp/config.md" ] || fail "docs/guide.md has no Configuration reference section"
# its two tables: the settings, then (from "The keys of `kiln.yaml`") the
# project file's keys
awk '/^The keys of `kiln.yaml`/ { exit } 1' "$tmp/config.md" >"$tmp/settings.md"
awk '/^The keys of `kiln.yaml`/ { s = 1 } s' "$tmp/config.md" >"$tmp/yaml.md"
[ -s "$tmp/yaml.md" ] || fail "the guide's configuration reference has no table of kiln.yaml keys"
# table_names FILE: the names written as `name` in the first column of its tables
table_names() { sed -nE 's/^\| *([^|]*)\|.*/\1/p' "$1" | grep -oE '`[a-z_0-9]+`' | tr -d '`' | sort -u; }

# ---- settings: SHOW ALL <-> the guide ----
"$KILN" query --format csv "SHOW ALL" >"$tmp/show_all" 2>&1 || fail "SHOW ALL failed: $(cat "$tmp/show_all")"
settings=$(tail -n +2 "$tmp/show_all" | cut -d, -f1)
[ "$(echo "$settings" | wc -w)" -ge 8 ] || fail "SHOW ALL lists only: $settings"
for name in $settings; do
    table_names "$tmp/settings.md" | grep -qx "$name" || fail "the guide's configuration reference does not describe the setting \"$name\""
done
# shows NAME...: every name is a setting SHOW knows (one process; one per
# name only to say which failed)
shows() {
    local name all=""
    for name in "$@"; do all="$all SHOW $name;"; done
    "$KILN" query "$all" >/dev/null 2>&1 && return 0
    for name in "$@"; do
        "$KILN" query "SHOW $name" >/dev/null 2>&1 || echo "$name"
    done
}
for name in $(shows $(table_names "$tmp/settings.md" | grep -v '^s3_')); do
    # (the S3 settings are checked against s3.md below)
    fail "the guide describes the setting \"$name\", which SHOW does not know"
done

# ---- S3 settings: the source's list <-> docs/s3.md ----
s3_names=$(sed -n '/s3_setting_names\|static const char \*const names/,/NULL/p' "$root/src/io/s3/s3_config.c" | grep -oE '"s3_[a-z_0-9]+"' | tr -d '"' | sort -u)
[ "$(echo "$s3_names" | wc -w)" -ge 10 ] || fail "found only these S3 settings in src/io/s3/s3_config.c: $s3_names"
for name in $s3_names; do
    grep -qF "\`$name\`" "$root/docs/s3.md" || fail "docs/s3.md does not describe the S3 setting \"$name\""
done
for name in $(shows $s3_names); do
    fail "SHOW $name fails, though s3_config.c lists it"
done

# ---- kiln.yaml keys: what kiln accepts <-> the guide ----
# known_keys YAML: the "(known: ...)" list of kiln's error for an unknown key
known_keys() {
    printf '%s' "$1" >"$tmp/keys.yaml"
    "$KILN" dag --project "$tmp/keys.yaml" 2>&1 | sed -nE 's/.*\(known: ([^)]*)\).*/\1/p' | tr -d ',' | tr ' ' '\n'
}
project_keys=$(known_keys $'bogus_key: 1\njobs:\n  a: {}\n')
defaults_keys=$(known_keys $'defaults:\n  bogus_key: 1\njobs:\n  a: {}\n')
job_keys=$(known_keys $'jobs:\n  a: {bogus_key: 1}\n')
for list in project_keys defaults_keys job_keys; do
    [ "$(echo "${!list}" | wc -w)" -ge 4 ] || fail "kiln's error for an unknown key gave no list of known keys ($list)"
done
printf '%s\n' $project_keys $defaults_keys $job_keys | sort -u >"$tmp/known_keys"
for key in $(cat "$tmp/known_keys"); do
    table_names "$tmp/yaml.md" | grep -qx "$key" || fail "the guide's configuration reference does not describe the kiln.yaml key \"$key\""
done
for key in $(table_names "$tmp/yaml.md"); do
    grep -qx "$key" "$tmp/known_keys" || fail "the guide describes a kiln.yaml key \"$key\" that kiln does not accept"
done

# ---- the README's quick start and the guide's installation block ----
grep -qxF 'bash scripts/quickstart.sh     # install packages, build ./kiln, run the example project' "$root/README.md" ||
    fail "README.md's first quick-start command changed: update this test and check it"
grep -qxF 'make test                      # the whole test suite; ends with "N passed, N failed"' "$root/README.md" ||
    fail "README.md's second quick-start command changed: update this test and check it"
bash -n "$root/scripts/quickstart.sh" || fail "scripts/quickstart.sh does not parse"
for step in 'bash scripts/install-deps.sh' 'make -j' 'bash examples/shop/demo.sh'; do
    grep -qF "$step" "$root/scripts/quickstart.sh" || fail "scripts/quickstart.sh does not run \"$step\""
done
make -C "$root" -n test demo >/dev/null 2>&1 || fail "make -n test demo fails"
grep -q 'bash scripts/test.sh' <(make -C "$root" -n test 2>/dev/null) || fail "make test does not run scripts/test.sh"
awk '/^## Installing/ { s = 1 } s && /^```sh/ { b = 1; next } b && /^```/ { exit } b' "$guide" | sed 's/ *#.*//' >"$tmp/install"
[ "$(wc -l <"$tmp/install")" -ge 2 ] || fail "no installation block found in docs/guide.md"
while read -r cmd; do
    case $cmd in
        "bash "*) [ -f "$root/${cmd#bash }" ] || fail "docs/guide.md: $cmd: no such script" ;;
        make*) make -C "$root" -n ${cmd#make} >/dev/null 2>&1 || fail "docs/guide.md: $cmd: no such target" ;;
        *) fail "docs/guide.md's installation block has an unexpected command: $cmd" ;;
    esac
done <"$tmp/install"

# ---- install-deps.sh installs what the Makefile links ----
if command -v dpkg-query >/dev/null 2>&1; then
    sed -n '/^packages=(/,/^)/p' "$root/scripts/install-deps.sh" | sed 's/#.*//' | tr ' ' '\n' |
        grep -E '^[a-z0-9][a-z0-9.+-]+$' | sort -u >"$tmp/packages"
    pkgs=$(sed -nE 's/^PKGS *:= *//p' "$root/Makefile")
    [ -n "$pkgs" ] || fail "no PKGS line in the Makefile"
    # what="file" lines: each pkg-config file and library the build uses
    : >"$tmp/files"
    for pc in $pkgs; do
        echo "pkg-config package $pc=$(pkg-config --variable=pcfiledir "$pc" 2>/dev/null)/$pc.pc" >>"$tmp/files"
    done
    for lib in $(make -s -C "$root" print-libs | tr ' ' '\n' | sed -n 's/^-l//p' | sort -u); do
        case $lib in pthread | m | dl | rt | c) continue ;; esac
        echo "library -l$lib=$(realpath -s "$(cc -print-file-name="lib$lib.so")")" >>"$tmp/files"
    done
    # one dpkg -S for all (it reads every package's file list each time)
    dpkg -S $(cut -d= -f2 "$tmp/files") >"$tmp/owners" 2>/dev/null
    while IFS== read -r what file; do
        pkg=$(grep -F ": $file" "$tmp/owners" | grep -E ": $file\$" | head -n 1 | cut -d: -f1 | cut -d, -f1)
        [ -n "$pkg" ] && grep -qx "$pkg" "$tmp/packages" ||
            fail "the Makefile's $what ($file) comes from \"${pkg:-no installed package}\", which scripts/install-deps.sh does not install"
    done <"$tmp/files"
else
    fail "dpkg-query is missing: this test expects Debian"
fi

if [ "$failures" -ne 0 ]; then
    echo "test_docs_reference: $failures failures"
    exit 1
fi
echo "test_docs_reference: settings, S3 settings, kiln.yaml keys, quick start and packages checked"
exit 0
