#!/usr/bin/env bash
# quickstart.sh: the README's first command.  Installs what kiln needs
# (Debian packages), builds ./kiln, and runs the example project
# (examples/shop, `make demo`): a day of generated orders, customers and
# clicks through the whole DAG, on the embedded defaults (a local folder
# as the lake, a SQLite file as the warehouse), no server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
make -j"$(nproc)"

bash examples/shop/demo.sh "$@"
