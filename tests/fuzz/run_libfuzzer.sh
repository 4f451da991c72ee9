#!/bin/sh
# Builds every tests/fuzz/fuzz_<name>.cpp with clang++ and libFuzzer (plus ASan/UBSan) in a
# nested build of the repository and runs each for TERN_FUZZ_SECONDS (default 20) over a copy of
# its seed corpus. Exit 77 (ctest: skipped) when clang++ is not installed (1 under CI=true).
#   usage: run_libfuzzer.sh <source dir> <build dir>
set -eu
src=$1
build=$2
seconds=${TERN_FUZZ_SECONDS:-20}

cxx=$(command -v clang++ || command -v clang++-14 || true)
cc=$(command -v clang || command -v clang-14 || true)
if [ -z "$cxx" ] || [ -z "$cc" ]; then
  echo "clang++ not found: libFuzzer run skipped"
  # In CI a skip is a failure: the run would otherwise pass with nothing fuzzed.
  case "${CI:-}" in true|TRUE|True|1) echo "FAIL: CI is set and clang++ is missing"; exit 1 ;; esac
  exit 77
fi

mkdir -p "$build"
# Absolute paths: the launcher path is stored in the nested build's cache.
src=$(cd "$src" && pwd)
build=$(cd "$build" && pwd)
# Our code is built with -Werror; a different compiler may warn differently, and a warning must
# not stop fuzzing, so this launcher drops -Werror for the nested build only.
launcher="$build/no-werror.sh"
cat > "$launcher" <<'LAUNCH'
#!/bin/sh
cmd=$1; shift
for a in "$@"; do
  shift
  [ "$a" = "-Werror" ] || set -- "$@" "$a"
done
exec "$cmd" "$@"
LAUNCH
chmod +x "$launcher"

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DTERN_SANITIZE=ON -DTERN_FUZZ_LIBFUZZER=ON -DTERN_BENCH=OFF > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }

status=0
for f in "$src"/tests/fuzz/fuzz_*.cpp; do
  target=$(basename "$f" .cpp)
  name=${target#fuzz_}
  cmake --build "$build" -j2 --target "$target" > "$build/build-$target.log" 2>&1 \
    || { tail -50 "$build/build-$target.log"; exit 1; }
  work="$build/corpus-$name"
  rm -rf "$work" && mkdir -p "$work" "$build/artifacts"
  echo "== $target: ${seconds}s"
  if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 \
      "$work" "$src/tests/fuzz/corpus/$name" 2>&1 | tail -25; then
    status=1
  fi
  # The pipe hides the fuzzer's exit code; a crash leaves an artifact behind.
  if ls "$build/artifacts/$target-"* > /dev/null 2>&1; then
    echo "crash input(s) kept in $build/artifacts"
    status=1
  fi
done
exit $status
