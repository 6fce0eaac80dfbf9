#!/usr/bin/env bash
# Requests per second over HTTP: `cfi serve --read-only` on loopback with an index of N
# generated passages (built by the compare bench into target/scale-search), hit by wrk with
# the compare bench's 200 queries in turn for a fixed time. Prints wrk's summary: requests/s,
# latency percentiles, and the count of non-2xx answers (which must be zero).
#
#   benches/http-load.sh [passages] [seconds] [connections]    # default 100000 20 16
# Needs wrk (Debian package wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
seconds=${2:-20}
connections=${3:-16}
command -v wrk >/dev/null || { echo "http-load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet -p cfi -p cfi-benches
dir=target/scale-search
if [ ! -f "$dir/cfi-$n/meta.json" ]; then
  CFI_SKIP_FTS5=1 target/release/compare "$n" "$dir" >/dev/null
fi
queries=$(mktemp)
CFI_WRITE_QUERIES="$queries" target/release/compare "$n" "$dir"
port=$((20000 + RANDOM % 20000))
target/release/cfi serve --read-only --index "$dir/cfi-$n" --addr "127.0.0.1:$port" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$queries"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "cfi serve, $n passages, $connections connections, 2 wrk threads, ${seconds}s, the compare bench's 200 queries in turn"
CFI_QUERIES="$queries" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s benches/http-load.lua \
  "http://127.0.0.1:$port"
