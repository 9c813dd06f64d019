#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in their
# own build dir and runs each for SECONDS (default 60). The corpus persists in
# BUILD/corpus/<target>, seeded from tests/fuzz/seeds/<target>.hex (one hex
# input per line); crashes land in BUILD/artifacts/<target>/ and fail the run.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Env: WAGATE_FUZZ_BUILD_DIR (default build-fuzz), JOBS (default 2),
#      WAGATE_SOURCE_DIR (default this checkout).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=${WAGATE_SOURCE_DIR:-$root}
build=${WAGATE_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # Every tests/fuzz/<target>.cc is a target of the same name.
  for f in "$root"/tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWAGATE_FUZZ=ON -DWAGATE_TESTS=OFF -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
fi
ninja -C "$build" -j"${JOBS:-2}" "${targets[@]}"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  seeds="$root/tests/fuzz/seeds/$target.hex"
  if [ -f "$seeds" ]; then
    python3 - "$seeds" "$corpus" <<'PY'
import hashlib, pathlib, sys
for line in pathlib.Path(sys.argv[1]).read_text().split('\n'):
    line = line.split('#')[0].strip().replace(' ', '')
    if line:
        data = bytes.fromhex(line)
        (pathlib.Path(sys.argv[2]) / ('seed-' + hashlib.sha1(data).hexdigest())).write_bytes(data)
PY
  fi
  echo "fuzz: $target for ${seconds}s"
  # libFuzzer reports every new input; the full log goes to a file and only
  # its summary (or, on a failure, its end with the crash) to the console.
  log="$build/$target.log"
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" \
      >"$log" 2>&1; then
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done )" "$log" || tail -n 3 "$log"
  else
    tail -n 60 "$log" >&2
    echo "fuzz: $target FAILED; reproducer in $artifacts, log in $log" >&2
    status=1
  fi
done
exit $status
