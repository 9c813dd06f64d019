#!/usr/bin/env bash
# Installs what wagate needs on Debian 12, only what is missing, so a second
# run is quick. Usage: scripts/deps.sh build|test
#   build: compiler, CMake/Ninja and the libraries of the server
#   test:  build + GoogleTest, Google Benchmark, pytest, wrk, ffmpeg (the
#          video-thumbnail tests make their video with it; at run time
#          ffmpeg is optional: without it videos go without a thumbnail)
set -euo pipefail

mode=${1:-build}
build_pkgs=(
  g++ cmake ninja-build pkg-config ccache make git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libmongoc-dev libspdlog-dev zlib1g-dev
  libsignal-protocol-c-dev libprotobuf-dev protobuf-compiler libqrencode-dev libpng-dev
  libstb-dev
)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pytest python3-pymongo wrk clang-format
  ffmpeg
  clang libclang-rt-14-dev)

pkgs=("${build_pkgs[@]}")
if [ "$mode" = test ]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node may come from another packaging (NodeSource's nodejs carries npm), so
# look for the commands, not for Debian's package names.
if [ "$mode" = test ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# FerretDB (the MongoDB-wire server of the tests) is built with Go by
# scripts/ferretdb.sh; it needs Go 1.22 or newer, which Debian 12's golang-go
# (1.19) is not. Say so clearly instead of failing deep inside a build.
if [ "$mode" = test ] && [ -z "${WAGATE_TEST_MONGODB_URI:-}" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "deps: Go 1.22+ is needed to build FerretDB for the MongoDB tests" \
      "(or set WAGATE_TEST_MONGODB_URI to a MongoDB-wire server)" >&2
    exit 1
  fi
fi
