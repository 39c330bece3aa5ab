#!/usr/bin/env bash
# Installs what is missing, builds the release preset (the daemon and the `stemedb` CLI) and
# starts stemedb-api on 127.0.0.1:18180 with its data in ./data. Extra arguments go to
# stemedb-api.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target stemedb-api stemedb  # the daemon and its CLI
mkdir -p data
# Development defaults: loopback only, so the admin routes stay open (auth.mode = admin
# protects them with the root key written to ./data/root.key).
exec ./build/release/src/tools/stemedb-api --bind 127.0.0.1:18180 --data-dir ./data "$@"
