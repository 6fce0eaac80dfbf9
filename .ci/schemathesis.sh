#!/usr/bin/env bash
# The API judged by an outside client against its own OpenAPI description: schemathesis
# runs every check (status codes, content types, schemas, valid requests accepted, invalid
# ones refused) on `cfi serve` over the demo call, as an anonymous caller and as staff.
# Any failure fails. Needs python3 with venv (PyPI reachable) and a built `cfi`.
#   .ci/schemathesis.sh                    # builds target/debug/cfi when it is missing
#   CFI=target/release/cfi .ci/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv=${SCHEMATHESIS_VENV:-target/schemathesis-$version}
# Per run and per caller: examples per operation, and seconds.
examples=${SCHEMATHESIS_EXAMPLES:-60}
seconds=${SCHEMATHESIS_SECONDS:-80}

if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
cfi=${CFI:-target/debug/cfi}
[ -x "$cfi" ] || cargo build --locked -p cfi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
CFI_STAFF_TOKEN=$token "$cfi" serve --addr "127.0.0.1:$port" --index "$work/index" >"$work/serve.log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

# The first start builds the demo index; wait until it answers.
ready() {
  python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$base/readyz" 2>/dev/null
}
for _ in $(seq 600); do
  ready && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$work/serve.log" >&2
    echo "schemathesis: cfi serve stopped before answering" >&2
    exit 1
  fi
  sleep 1
done
ready || { cat "$work/serve.log" >&2; echo "schemathesis: cfi serve never answered" >&2; exit 1; }

# Run from the scratch folder, where schemathesis keeps its cache of failures.
config=$PWD/.ci/schemathesis.toml
st=$(cd "$(dirname "$venv/bin/st")" && pwd)/st
run() {
  (cd "$work" && "$st" --config-file "$config" run "$base/api/v1/openapi.json" --checks all \
    --max-examples "$examples" --max-time "$seconds" --seed 18 \
    --warnings off --output-truncate true "$@")
}
echo "schemathesis $version: anonymous caller"
run
echo "schemathesis $version: staff"
run --header "Authorization: Bearer $token"
