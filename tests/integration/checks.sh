# checks.sh: the check helpers the database integration tests share (sourced,
# not a test: it is not named test_*.sh).  Each check prints PASS or FAIL
# with what differed; `failures` counts the FAILs for the script's exit status.
failures=0

# fail NAME: count a failed check.
fail() {
    echo "FAIL: $1"
    failures=$((failures + 1))
}

# expect NAME EXPECTED ACTUAL
expect() {
    if [ "$2" != "$3" ]; then
        fail "$1"
        echo "--- expected"; printf '%s\n' "$2"
        echo "--- got"; printf '%s\n' "$3"
    else
        echo "PASS: $1"
    fi
}

# expect_has NAME SUBSTRING ACTUAL
expect_has() {
    case "$3" in
    *"$2"*) echo "PASS: $1" ;;
    *) fail "$1"; echo "--- expected to contain: $2"; echo "--- got"; printf '%s\n' "$3" ;;
    esac
}
