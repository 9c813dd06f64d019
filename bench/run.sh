#!/usr/bin/env bash
# Runs the benchmarks against a built tree; starts FerretDB for the MongoDB
# runs unless WAGATE_TEST_MONGODB_URI is set. Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ferret_dir=""
cleanup() {
  if [ -n "$ferret_dir" ]; then "$root/scripts/ferretdb.sh" stop "$ferret_dir" || true; rm -rf "$ferret_dir"; fi
}
trap cleanup EXIT
if [ -z "${WAGATE_TEST_MONGODB_URI:-}" ]; then
  ferret_dir=$(mktemp -d /tmp/wagate-ferretdb.XXXXXX)
  WAGATE_TEST_MONGODB_URI=$("$root/scripts/ferretdb.sh" start "$ferret_dir")
  export WAGATE_TEST_MONGODB_URI
fi
python3 "$root/bench/http_messages.py" --wagate "$build_dir/src/app/wagate"
# Socket.IO fan-out (issue 3): needs tests/socketio/node_modules (npm ci).
if [ ! -d "$root/tests/socketio/node_modules" ]; then
  (cd "$root/tests/socketio" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The C++ load generator takes the full rates (a million deliveries a
# second); socket.io-client in node is the cross-check at lower rates.
"$build_dir/bench/socketio_load" --server "$build_dir/tests/socketio/wagate-testserver" \
  --out "$root/bench/results/socketio_load.json"
node "$root/bench/socketio_fanout.mjs" --server "$build_dir/tests/socketio/wagate-testserver" \
  --rates 1000:20,1000:100,5000:20,10000:10
