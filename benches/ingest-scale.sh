#!/usr/bin/env bash
# Ingestion at scale, end to end (extract, tag, index, commit): a generated call of N
# synthetic submissions (DOCX and PDF) ingested by the release `cfi` with 1 and 2 reader
# threads, under /usr/bin/time -v for the peak memory. Prints one table.
#
#   benches/ingest-scale.sh              # 1,000 and 10,000 submissions
#   benches/ingest-scale.sh 500          # any sizes
#   JOBS="2" benches/ingest-scale.sh     # only these thread counts
#
# The corpora and indexes go to ${SCALE_DIR:-target/scale-ingest} (reused across runs).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
read -r -a jobs <<< "${JOBS:-1 2}"
dir=${SCALE_DIR:-target/scale-ingest}
mkdir -p "$dir"
cargo build --release --quiet -p cfi -p cfi-benches
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 1; }

printf '%-8s %-5s %9s %8s %8s %10s %10s %10s %12s %10s\n' \
  submissions jobs seconds files/s pages/s passages/s "peak RSS" "index MB" "text MB" index/text
for n in "${sizes[@]}"; do
  call="$dir/call-$n"
  if [ ! -f "$call/manifest.csv" ]; then
    rm -rf "$call"
    target/release/scale "$n" "$call" > "$dir/call-$n.json"
  fi
  text=$(sed -E 's/.*"textBytes":([0-9]+).*/\1/' "$dir/call-$n.json")
  for j in "${jobs[@]}"; do
    index="$dir/index-$n-j$j"
    rm -rf "$index"
    /usr/bin/time -v target/release/cfi ingest "$call" --index "$index" --jobs "$j" --json \
      > "$dir/report-$n-j$j.json" 2> "$dir/time-$n-j$j.txt"
    wall=$(grep 'Elapsed (wall clock)' "$dir/time-$n-j$j.txt" | awk '{print $NF}' \
      | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(grep 'Maximum resident set size' "$dir/time-$n-j$j.txt" | awk '{print $NF}')
    read -r files pages passages < <(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
ok=[f for f in r["files"] if not f.get("error")]
print(len(ok), sum(f.get("pages") or 0 for f in ok), sum(f["passages"] for f in ok))' "$dir/report-$n-j$j.json")
    size=$(du -sb "$index" | cut -f1)
    awk -v n="$n" -v j="$j" -v w="$wall" -v f="$files" -v p="$pages" -v s="$passages" \
        -v r="$rss" -v i="$size" -v t="$text" 'BEGIN {
      printf "%-8s %-5s %9.1f %8.1f %8.1f %10.0f %8.0f MB %10.1f %12.1f %10.2f\n",
        n, j, w, f/w, p/w, s/w, r/1024, i/1e6, t/1e6, i/t }'
  done
done
