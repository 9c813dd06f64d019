#!/usr/bin/env bash
# Installs what wagate needs on Debian 12, only what is missing, so a second
# run is quick. Usage: scripts/deps.sh build|test
#   build: compiler, CMake/Ninja and the libraries of the server
#   test:  build + GoogleTest, Google Benchmark, pytest, wrk
set -euo pipefail

mode=${1:-build}
build_pkgs=(
  g++ cmake ninja-build pkg-config ccache make git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libmongoc-dev libjwt-dev libspdlog-dev zlib1g-dev
  libsignal-protocol-c-dev libprotobuf-dev protobuf-compiler libqrencode-dev libpng-dev
)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pytest wrk clang-format)

pkgs=("${build_pkgs[@]}")
if [ "$mode" = test ]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
