#!/usr/bin/env bash
# test_airflow_dag.sh: the Airflow DAG files of the docs, as far as a test
# can check them without Airflow.  Loads examples/shop/airflow/shop_dag.py
# and the DAG of docs/orchestration.md ("Calling kiln from Airflow") with a
# small stand-in for Airflow's DAG, BashOperator and pendulum (written
# here), which records the tasks, their commands and the `>>` edges; then:
#   - the tasks are the project's jobs and the edges exactly those of
#     `kiln dag --format dot` (for the docs' DAG: the dot graph the page
#     shows for its project);
#   - each shop task's command, rendered as Airflow would ({{ ds }} -> the
#     date, the project folder -> a copy of examples/shop, `kiln` on the
#     PATH -> $KILN), run in dependency order for a generated day, exits 0
#     and `kiln status` shows every job succeeded;
#   - the exit codes the docs promise to Airflow: 6 when a job fails (the
#     day's export is missing; kiln history has the error), 2 for a bad date;
#   - the one-line BashOperator of docs/guide.md renders to the same command
#     as the DAG files.
# Needs python3 (scripts/install-deps.sh).  Exits 0 when all holds.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-airflow.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v python3 >/dev/null 2>&1 || { echo "FAIL: python3 is missing (bash scripts/install-deps.sh)"; exit 1; }

# ---- the stand-in for Airflow ----
mkdir -p "$tmp/stub/airflow/operators"
cat >"$tmp/stub/airflow/__init__.py" <<'PY'
class DAG:
    """Records the tasks created inside `with DAG(...)` and their edges."""
    instances = []
    current = None

    def __init__(self, dag_id=None, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = {}
        self.edges = set()
        DAG.instances.append(self)

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None
        return False
PY
: >"$tmp/stub/airflow/operators/__init__.py"
cat >"$tmp/stub/airflow/operators/bash.py" <<'PY'
from airflow import DAG


def _tasks(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class BashOperator:
    def __init__(self, task_id, bash_command, **kwargs):
        if DAG.current is None:
            raise RuntimeError("BashOperator %s outside a DAG" % task_id)
        if task_id in DAG.current.tasks:
            raise RuntimeError("duplicate task_id %s" % task_id)
        self.task_id, self.bash_command, self.dag = task_id, bash_command, DAG.current
        self.dag.tasks[task_id] = self

    def _before(self, other):
        for t in _tasks(other):
            self.dag.edges.add((self.task_id, t.task_id))

    def __rshift__(self, other):   # self >> other
        self._before(other)
        return other

    def __lshift__(self, other):   # self << other
        for t in _tasks(other):
            t._before(self)
        return other

    def __rrshift__(self, other):  # [a, b] >> self
        for t in _tasks(other):
            t._before(self)
        return self

    def __rlshift__(self, other):  # [a, b] << self
        self._before(other)
        return self
PY
cat >"$tmp/stub/pendulum.py" <<'PY'
import datetime as _dt


def datetime(year, month, day, hour=0, minute=0, second=0, tz="UTC"):
    return _dt.datetime(year, month, day, hour, minute, second, tzinfo=_dt.timezone.utc)
PY
# describe FILE: "task ID<TAB>COMMAND" lines, then "edge A B" lines
cat >"$tmp/describe.py" <<'PY'
import runpy, sys
from airflow import DAG
runpy.run_path(sys.argv[1])
if len(DAG.instances) != 1:
    sys.exit("expected one DAG, found %d" % len(DAG.instances))
dag = DAG.instances[0]
for task_id, task in dag.tasks.items():
    print("task %s\t%s" % (task_id, task.bash_command))
for a, b in sorted(dag.edges):
    print("edge %s %s" % (a, b))
PY
describe() { PYTHONPATH="$tmp/stub" python3 "$tmp/describe.py" "$1"; }
# dot_edges: "edge A B" lines of a `kiln dag --format dot` graph on stdin
dot_edges() { sed -nE 's/^ *"([^"]+)" -> "([^"]+)";$/edge \1 \2/p' | sort; }

# ---- examples/shop/airflow/shop_dag.py against the project ----
shop_dag=$root/examples/shop/airflow/shop_dag.py
describe "$shop_dag" >"$tmp/shop.txt" 2>"$tmp/shop.err" || { fail "shop_dag.py does not load: $(cat "$tmp/shop.err")"; }
(cd "$root/examples/shop" && "$KILN" dag --format dot) >"$tmp/shop.dot" || fail "kiln dag failed for examples/shop"
dot_edges <"$tmp/shop.dot" >"$tmp/want_edges"
grep '^edge ' "$tmp/shop.txt" | sort >"$tmp/got_edges"
[ -s "$tmp/want_edges" ] || fail "kiln dag shows no edges for examples/shop"
diff "$tmp/want_edges" "$tmp/got_edges" >"$tmp/diff" || { fail "shop_dag.py's dependencies differ from kiln dag's:"; cat "$tmp/diff"; }
want_tasks=$(sed -nE 's/^ *"([^"]+)";$/\1/p' "$tmp/shop.dot" | sort | tr '\n' ' ')
got_tasks=$(sed -nE 's/^task ([^\t]+)\t.*/\1/p' "$tmp/shop.txt" | sort | tr '\n' ' ')
[ "$want_tasks" = "$got_tasks" ] || fail "shop_dag.py's tasks are \"$got_tasks\", the project's jobs \"$want_tasks\""

# run the tasks as Airflow's workers would, in dependency order
shop=$tmp/shop
mkdir -p "$shop" "$tmp/bin"
cp -r "$root/examples/shop/kiln.yaml" "$root/examples/shop/jobs" "$shop/"
# the failing task below need not wait for kiln's retry
sed -i 's/^  retry_delay: .*/  retry_delay: 100ms/' "$shop/kiln.yaml"
ln -s "$KILN" "$tmp/bin/kiln"
generate=$(dirname "$KILN")/shop-generate
if [ ! -x "$generate" ]; then
    generate=$tmp/shop-generate
    # shellcheck disable=SC2046
    cc -std=c17 -O1 -o "$generate" "$root/examples/shop/generate.c" $(pkg-config --cflags --libs zlib sqlite3) ||
        { echo "FAIL: could not build the generator"; exit 1; }
fi
ds=2026-11-24
(cd "$shop" && "$generate" --rows 500 --ds "$ds" --out data >/dev/null) || fail "the generator failed"
mkdir -p "$shop/lake"
# render TASK DATE: the task's command as Airflow runs it
render() {
    local cmd
    cmd=$(sed -nE "s/^task $1\t(.*)/\1/p" "$tmp/shop.txt")
    cmd=${cmd//"{{ ds }}"/$2}
    printf '%s' "${cmd//\/srv\/shop/$shop}"
}
order=$(python3 - "$tmp/shop.txt" <<'PY'
import sys
tasks, edges = [], []
for line in open(sys.argv[1]):
    kind, rest = line.rstrip("\n").split(" ", 1)
    if kind == "task":
        tasks.append(rest.split("\t")[0])
    else:
        edges.append(tuple(rest.split(" ")))
done = []
while len(done) < len(tasks):
    ready = [t for t in tasks if t not in done and all(a in done for a, b in edges if b == t)]
    if not ready:
        sys.exit("cycle")
    done.append(ready[0])
print(" ".join(done))
PY
) || fail "the DAG has a cycle"
for task in $order; do
    cmd=$(render "$task" "$ds")
    case $cmd in "cd $shop && kiln run --jobs $task --ds $ds --quiet") ;; *) fail "task $task renders to \"$cmd\"" ;; esac
    PATH="$tmp/bin:$PATH" bash -c "$cmd" >"$tmp/task.out" 2>&1
    code=$?
    [ "$code" -eq 0 ] || { fail "task $task exited $code"; cat "$tmp/task.out"; }
done
got=$(cd "$shop" && "$KILN" status --ds "$ds" | awk 'NR > 1 { print $2 "=" $4 }' | sort | tr '\n' ' ')
[ "$got" = "clicks=success customers=success daily_funnel=success daily_revenue=success orders=success " ] ||
    fail "after the Airflow tasks, kiln status shows: $got"
got=$(cd "$shop" && "$KILN" query --format csv "SELECT count(*) FROM read_sqlite('warehouse.db', 'daily_revenue') WHERE order_date = DATE '$ds'" | tail -n 1)
[ "${got:-0}" -gt 0 ] || fail "the Airflow tasks loaded no daily_revenue rows for $ds"

# exit codes: 6 when the job fails (no export for the day), 2 for a bad date
cmd=$(render orders 2026-11-25)
PATH="$tmp/bin:$PATH" bash -c "$cmd" >"$tmp/task.out" 2>&1
code=$?
[ "$code" -eq 6 ] || fail "a failing orders task exited $code, want 6"
(cd "$shop" && "$KILN" history --job orders --ds 2026-11-25 --json) >"$tmp/history.json" 2>&1
grep -q 'orders_2026-11-25.csv.gz' "$tmp/history.json" || fail "kiln history does not name the missing file: $(head -c 300 "$tmp/history.json")"
cmd=$(render orders 2026-11-31)
PATH="$tmp/bin:$PATH" bash -c "$cmd" >"$tmp/task.out" 2>&1
code=$?
[ "$code" -eq 2 ] || fail "a task for 2026-11-31 exited $code, want 2"

# ---- the DAG of docs/orchestration.md against the page's own graph ----
page=$root/docs/orchestration.md
awk '/^## Calling kiln from Airflow/ { s = 1 } s && /^```python/ { b = 1; next } b && /^```/ { exit } b' "$page" >"$tmp/doc_dag.py"
[ -s "$tmp/doc_dag.py" ] || fail "no python block under \"Calling kiln from Airflow\" in docs/orchestration.md"
describe "$tmp/doc_dag.py" >"$tmp/doc.txt" 2>"$tmp/doc.err" || fail "the DAG of docs/orchestration.md does not load: $(cat "$tmp/doc.err")"
# the dot graph the page shows for its project (kiln dag --format dot)
awk '/^\$ kiln dag --format dot$/ { s = 1; next } s && /^```/ { exit } s' "$page" | dot_edges >"$tmp/want_edges"
grep '^edge ' "$tmp/doc.txt" | sort >"$tmp/got_edges"
[ -s "$tmp/want_edges" ] || fail "no kiln dag --format dot output found in docs/orchestration.md"
diff "$tmp/want_edges" "$tmp/got_edges" >"$tmp/diff" || { fail "docs/orchestration.md: the Airflow DAG's dependencies differ from the page's kiln dag:"; cat "$tmp/diff"; }
doc_cmd=$(sed -nE 's/^task report\t(.*)/\1/p' "$tmp/doc.txt")
[ "$doc_cmd" = "cd /srv/shop && kiln run --jobs report --ds {{ ds }} --quiet" ] ||
    fail "docs/orchestration.md: the report task runs \"$doc_cmd\""

# ---- the one-line BashOperator of docs/guide.md ----
guide_cmd=$(tr '\n' ' ' <"$root/docs/guide.md" | sed -nE 's/.*BashOperator\(task_id="report", bash_command="([^"]*)"\).*/\1/p' | tr -s ' ')
[ "$guide_cmd" = "$doc_cmd" ] || fail "docs/guide.md's BashOperator runs \"$guide_cmd\", orchestration.md's \"$doc_cmd\""

if [ "$failures" -ne 0 ]; then
    echo "test_airflow_dag: $failures failures"
    exit 1
fi
echo "test_airflow_dag: both DAG files match their projects; the tasks ran; exit codes 6 and 2 as documented"
exit 0
