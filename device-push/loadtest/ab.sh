#!/usr/bin/env bash
# Two device-push binaries (or one binary under two environments) back to back, alternated, the way
# docs/BENCHMARKS.md measures each change: a fresh data directory per run, DEVICES websockets held HOLD,
# one max-rate phase of DUR, one line per run: label, delivered msg/s, server CPU per message, p99.
# Usage: device-push/loadtest/ab.sh [-n RUNS] LABEL=BIN[:ENV=V,ENV=V] LABEL=BIN[:...] ...
#   e.g. ab.sh -n 2 old=/tmp/dp-old new=bin/device-push mem=bin/device-push:DEVICE_PUSH_DATA_DIR=
#   BIN may carry arguments (split on spaces): 'floor=bin/pushload floor -store files' (the floor server).
# Env: DEVICES (5000), HOLD (5s), DUR (15s), RATES (max), PORT (28161), OUT (.run/pushload/ab).
# Run from the repository root after `make build` (needs python3 for the summary lines). Loopback only; each
# server is stopped by its own pid.
set -euo pipefail
runs=1
if [[ ${1:-} == -n ]]; then runs=$2; shift 2; fi
[[ $# -ge 1 ]] || { sed -n 2,8p "$0" >&2; exit 2; }
DEVICES=${DEVICES:-5000}; HOLD=${HOLD:-5s}; DUR=${DUR:-15s}; RATES=${RATES:-max}
PORT=${PORT:-28161}; OUT=${OUT:-.run/pushload/ab}
mkdir -p "$OUT"
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

for ((r = 1; r <= runs; r++)); do
  for spec in "$@"; do
    label=${spec%%=*}; rest=${spec#*=}; read -r -a cmd <<< "${rest%%:*}"; envs=()
    if [[ $rest == *:* ]]; then IFS=, read -r -a envs <<< "${rest#*:}"; fi
    data=$(mktemp -d "${TMPDIR:-/tmp}/dp-ab-XXXXXX")
    env DEVICE_PUSH_ADDR=127.0.0.1:$PORT DEVICE_PUSH_DATA_DIR="$data" "${envs[@]}" "${cmd[@]}" > "$OUT/$label.log" 2>&1 & pid=$!
    ready=
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && { ready=1; break; }; sleep 0.1; done
    [[ -n $ready ]] || { echo "$label: no answer from :$PORT/readyz (see $OUT/$label.log)" >&2; exit 1; }
    bin/pushload run -target device-push -opt "url=http://127.0.0.1:$PORT" -server-pid "$pid" -devices "$DEVICES" \
      -hold "$HOLD" -rates "$RATES" -dur "$DUR" -progress never -out "$OUT/$label-$r.json" > /dev/null
    cleanup; pid=; rm -rf "$data"
    python3 - "$label" "$OUT/$label-$r.json" <<'P'
import json, sys
for p in json.load(open(sys.argv[2]))["phases"]:
    rate = p.get("rate") or "max"
    print(f"{sys.argv[1]}\t{rate}\t{p['deliveredPerS']:.0f} msg/s\t{p['serverCpuPerMsgMs']:.3f} ms CPU/msg\tp99 {p['p99Ms']:.2f} ms")
P
  done
done
