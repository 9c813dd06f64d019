#!/usr/bin/env bash
# Runs every test of a built tree: ctest (unit, conformance on all three
# store backends, end-to-end). The MongoDB conformance run needs a
# MongoDB-wire server: WAGATE_TEST_MONGODB_URI when set, else a FerretDB this
# script starts on 127.0.0.1 and stops when done.
# Usage: scripts/run-tests.sh BUILD_DIR
set -euo pipefail

build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)

# Node test folders: dependencies from their committed lockfiles, installed
# again only when the lockfile changed since the last install.
for dir in tests/interop tests/socketio; do
  [ -f "$root/$dir/package-lock.json" ] || continue
  stamp="$root/$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$root/$dir/package-lock.json" -nt "$stamp" ]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

ferret_dir=""
cleanup() {
  if [ -n "$ferret_dir" ]; then
    "$root/scripts/ferretdb.sh" stop "$ferret_dir" || true
    rm -rf "$ferret_dir"
  fi
}
trap cleanup EXIT

if [ -z "${WAGATE_TEST_MONGODB_URI:-}" ]; then
  ferret_dir=$(mktemp -d /tmp/wagate-ferretdb.XXXXXX)
  WAGATE_TEST_MONGODB_URI=$("$root/scripts/ferretdb.sh" start "$ferret_dir")
  export WAGATE_TEST_MONGODB_URI
  echo "run-tests: FerretDB at $WAGATE_TEST_MONGODB_URI"
fi
# A run without a MongoDB-wire server must fail, never pass by skipping.
export WAGATE_TEST_REQUIRE_MONGODB=1

cd "$build_dir"
ctest --output-on-failure --timeout 600 -j2
