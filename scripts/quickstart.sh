#!/usr/bin/env bash
# quickstart.sh: the README's first command.  Installs what kiln needs
# (Debian packages), builds ./kiln, and runs the quick-start job on the
# embedded defaults: local files in, local files out, no server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
make -j"$(nproc)"

echo
echo "== kiln run examples/quickstart/orders_daily.sql --param ds=2026-11-24"
./kiln run examples/quickstart/orders_daily.sql --param ds=2026-11-24
echo
echo "The job read   examples/quickstart/data/orders_2026-11-24.csv"
echo "and wrote      examples/quickstart/out/daily_revenue_2026-11-24.csv:"
cat examples/quickstart/out/daily_revenue_2026-11-24.csv
