#!/usr/bin/env bash
# Crash safety of ingestion: `cfi ingest` of the demo call SIGKILLed at many seeded-random
# moments (half anywhere in a run, half around its commit). After each kill the index must
# open, search, and hold exactly the previous commit or the new one; then an ingest to the
# end must equal a clean one. Prints the runs and the failures.
#
#   benches/kill-test.sh [RUNS=200] [SEED=random]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
seed=${2:-$(( (RANDOM << 16) | RANDOM ))}

cargo build --locked -q -p cfi || exit 1
cargo test --locked -q -p cfi --test kill --no-run || exit 1
# A copy of the binary: a build running meanwhile in this checkout cannot swap it mid-test.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/debug/cfi "$work/cfi"

CFI_KILL_BIN="$work/cfi" CFI_KILL_RUNS="$runs" CFI_KILL_SEED="$seed" \
  cargo test --locked -q -p cfi --test kill -- --nocapture >"$work/out" 2>&1
status=$?
summary=$(grep -m1 '^kill test:' "$work/out")
if [ -z "$summary" ]; then
  cat "$work/out"
  echo "kill test did not run to its summary"
  exit 1
fi
echo "$summary"
grep '^run [0-9]' "$work/out"
failures=$(sed -E 's/.*, ([0-9]+) failures.*/\1/' <<<"$summary")
if [ "$status" -ne 0 ] && [ "$failures" -eq 0 ]; then
  # The kills passed and a later check (ingest to the end, re-ingest, one file changed) did not.
  grep -A5 'panicked' "$work/out"
  failures=1
fi
echo "runs: $runs  failures: $failures  seed: $seed"
exit "$status"
