#!/usr/bin/env bash
# FerretDB (a MongoDB wire-protocol server on SQLite) for the mongo store tests.
#
#   scripts/ferretdb.sh start <dir>   start on 127.0.0.1:<free port>, data in <dir>/data;
#                                     prints mongodb://127.0.0.1:PORT/ on stdout
#   scripts/ferretdb.sh stop <dir>    stop the server started with that <dir> (by its PID)
#   scripts/ferretdb.sh install       only build the binary
#
# Files in <dir>: ferretdb.pid, ferretdb.uri (the printed URI), ferretdb.log, data/ (one
# SQLite file per database), state/. No authentication: the URI needs no credentials.
#
# The binary: $FERRETDB_BIN if set, else <repo>/.deps/bin/ferretdb (git-ignored),
# built on first use from FerretDB v1.24.2 with the Go toolchain.
#
# Why not plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the
# module as published lacks the generated build/version/version.txt, so a binary built
# that way panics at start ("Invalid build/version/version.txt file content"). We
# download the same module, write version.txt into a copy of it and `go build` there.
#
# Example:
#   uri=$(scripts/ferretdb.sh start /tmp/wagate-ferret)
#   WAGATE_TEST_MONGODB_URI=$uri ./build/tests/conformance/mongo_conformance_test
#   scripts/ferretdb.sh stop /tmp/wagate-ferret
set -euo pipefail

readonly kVersion="v1.24.2"
readonly kModule="github.com/FerretDB/FerretDB"
readonly kStartTimeoutS=20
readonly kStopTimeoutS=10

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ferretdb_bin="${FERRETDB_BIN:-${repo_root}/.deps/bin/ferretdb}"

die() {
  echo "ferretdb.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start <dir> | stop <dir> | install" >&2
  exit 2
}

install_ferretdb() {
  if [[ -x "${ferretdb_bin}" ]] && "${ferretdb_bin}" --version >/dev/null 2>&1; then
    return 0
  fi
  command -v go >/dev/null || die "go is needed to build FerretDB ${kVersion}"
  echo "ferretdb.sh: building FerretDB ${kVersion} into ${ferretdb_bin} (about a minute)" >&2
  local module_dir work
  # `go mod download` outside any module: runs from / so a go.mod above the cwd is ignored.
  module_dir="$(cd / && GOFLAGS=-mod=mod go mod download -json "${kModule}@${kVersion}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  [[ -d "${module_dir}" ]] || die "go mod download ${kModule}@${kVersion} failed"
  work="$(mktemp -d)"
  # Removed when this function returns, also on failure (the trap then clears itself).
  # shellcheck disable=SC2064  # expand now: `work` is local
  trap "rm -rf '${work}'; trap - RETURN" RETURN
  cp -r "${module_dir}/." "${work}/"
  chmod -R u+w "${work}"
  echo "${kVersion}" >"${work}/build/version/version.txt"
  mkdir -p "$(dirname "${ferretdb_bin}")"
  (cd "${work}" && go build -p 2 -trimpath -buildvcs=false -o "${ferretdb_bin}.tmp" ./cmd/ferretdb)
  mv "${ferretdb_bin}.tmp" "${ferretdb_bin}"
  "${ferretdb_bin}" --version >/dev/null || die "the built ${ferretdb_bin} does not run"
}

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when $1 is a live process running our ferretdb binary (guards against PID reuse).
is_ferretdb_pid() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q ferretdb
}

start() {
  local dir="$1"
  mkdir -p "${dir}/data" "${dir}/state"
  dir="$(cd "${dir}" && pwd)"
  local pid_file="${dir}/ferretdb.pid"
  if [[ -f "${pid_file}" ]] && is_ferretdb_pid "$(cat "${pid_file}")"; then
    die "already running in ${dir} (pid $(cat "${pid_file}")); stop it first"
  fi
  install_ferretdb

  # The port is free when picked but could be taken before FerretDB binds it: retry.
  local attempt port pid deadline
  for attempt in 1 2 3; do
    port="$(free_port)"
    # stdin/stdout/stderr detached so `uri=$(ferretdb.sh start d)` does not wait for it.
    # synchronous(normal): WAL without an fsync per commit; test data need not survive a
    # power cut, and every FerretDB write is its own SQLite transaction. Debug/metrics
    # HTTP listener off (--debug-addr=-), telemetry off, loopback only.
    "${ferretdb_bin}" \
      --handler=sqlite --sqlite-url="file:${dir}/data/?_pragma=synchronous(normal)" \
      --listen-addr="127.0.0.1:${port}" \
      --debug-addr=- --state-dir="${dir}/state" \
      --telemetry=disable --log-level=WARN \
      </dev/null >>"${dir}/ferretdb.log" 2>&1 &
    pid=$!
    echo "${pid}" >"${pid_file}"
    deadline=$((SECONDS + kStartTimeoutS))
    while ((SECONDS < deadline)); do
      if ! kill -0 "${pid}" 2>/dev/null; then
        break
      fi
      if port_open "${port}"; then
        echo "mongodb://127.0.0.1:${port}/" >"${dir}/ferretdb.uri"
        echo "mongodb://127.0.0.1:${port}/"
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "${pid}" 2>/dev/null; then
      kill "${pid}" 2>/dev/null || true
      wait "${pid}" 2>/dev/null || true
      rm -f "${pid_file}"
      die "FerretDB did not accept connections within ${kStartTimeoutS}s; see ${dir}/ferretdb.log"
    fi
    wait "${pid}" 2>/dev/null || true
    rm -f "${pid_file}"
    echo "ferretdb.sh: attempt ${attempt} on port ${port} failed, retrying" >&2
  done
  tail -n 20 "${dir}/ferretdb.log" >&2 || true
  die "FerretDB failed to start; see ${dir}/ferretdb.log"
}

stop() {
  local dir="$1"
  local pid_file="${dir}/ferretdb.pid"
  if [[ ! -f "${pid_file}" ]]; then
    echo "ferretdb.sh: no ${pid_file}; nothing to stop" >&2
    return 0
  fi
  local pid
  pid="$(cat "${pid_file}")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || die "bad pid file ${pid_file}"
  if ! is_ferretdb_pid "${pid}"; then
    echo "ferretdb.sh: pid ${pid} is not running FerretDB; removing stale ${pid_file}" >&2
    rm -f "${pid_file}" "${dir}/ferretdb.uri"
    return 0
  fi
  kill -TERM "${pid}"
  local deadline=$((SECONDS + kStopTimeoutS))
  while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    echo "ferretdb.sh: pid ${pid} ignored SIGTERM for ${kStopTimeoutS}s; sending SIGKILL" >&2
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "${pid_file}" "${dir}/ferretdb.uri"
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || usage; start "$2" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  install) [[ $# -eq 1 ]] || usage; install_ferretdb ;;
  *) usage ;;
esac
