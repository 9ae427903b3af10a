#!/usr/bin/env bash
# Runs a command with dynalite listening on 127.0.0.1:$DYNALITE_PORT, and
# stops dynalite afterwards whatever the command's outcome. Used by `make test`.
# DYNAMODB_TEST_ENDPOINT is exported for the command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${DYNALITE_PORT:-8100}
node "$here/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"${TMPDIR:-/tmp}/dynalite-test.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
# Wait until it answers HTTP (any status), or fail if it died.
for _ in $(seq 1 200); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "dynalite exited; log:" >&2; cat "${TMPDIR:-/tmp}/dynalite-test.log" >&2; exit 1
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then break; fi
  sleep 0.05
done
export DYNAMODB_TEST_ENDPOINT="http://127.0.0.1:$port"
"$@"
