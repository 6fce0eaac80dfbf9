#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time: CI runs it with the default 15
# seconds a target; a longer hunt is `FUZZ_SECONDS=600 fuzz/run.sh [TARGET...]`.
# A crash, a hang past 10 s on one input, or 2 GB of memory fails the run; libFuzzer leaves the
# input in fuzz/artifacts/<target>/. Keep each one, as the file a submitter would send, in
# crates/extract/tests/regressions/ (or as a test beside the reader it broke) once it is fixed.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the stable toolchain does, with
# RUSTC_BOOTSTRAP for the flags cargo-fuzz passes.
# Built with -O, as release builds are (no overflow checks): a wrapping overflow inside a
# dependency (calamine's cell references, kept in crates/extract/tests/regressions/) is not a
# crash of cfi, whose readers also catch any panic and report it as an error for the file.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-15}"
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(pdf docx odt rtf spreadsheet manifest call query call_page)

cargo fuzz build -O --sanitizer none
./seed.sh
for target in "${targets[@]}"; do
  dict=()
  [ -f "dict/$target.dict" ] && dict=("-dict=dict/$target.dict")
  log="$(mktemp)"
  if ! cargo fuzz run -O --sanitizer none "$target" -- -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  echo "fuzz: $target: ${runs:-?} inputs in ${seconds} s, no crash"
  rm -f "$log"
done
