#!/usr/bin/env bash
# device-push vs Centrifugo v6.9.1 (memory engine), one server at a time, same pushload settings:
# DEVICES websockets held HOLD, then send phases RATES with SENDERS concurrent HTTP senders, 128 B payloads.
# Writes $OUT/centrifugo.json and $OUT/device-push.json and prints the comparison table.
# Env: ORDER (cf dp; "dp" alone skips Centrifugo; add floor and floorjs for `pushload floor`, the least any
#      server does per message, without and with device-push's JetStream append), DEVICES (10000), HOLD (30s), RATES (5000,10000,max), DUR (10s), OUT (.run/pushload),
#      CF_PORT (28150), DP_PORT (28151), DP_ENV (extra env for device-push, e.g. its data directory).
# Run from the repository root after `make build`. Loopback only; each server is stopped by its own pid.
set -euo pipefail
DEVICES=${DEVICES:-10000}; HOLD=${HOLD:-30s}; RATES=${RATES:-5000,10000,max}; DUR=${DUR:-10s}
OUT=${OUT:-.run/pushload}; CF_PORT=${CF_PORT:-28150}; DP_PORT=${DP_PORT:-28151}
CF_BIN=${CF_BIN:-$(go env GOPATH)/bin/centrifugo}
mkdir -p "$OUT"
case " ${ORDER:-cf dp} " in *" cf "*) [ -x "$CF_BIN" ] || go install github.com/centrifugal/centrifugo/v6@v6.9.1 ;; esac
common=(-devices "$DEVICES" -hold "$HOLD" -rates "$RATES" -dur "$DUR" -warmup 2s -drain 10s -settle 2s
        -senders 8 -size 128 -src-n 4 -progress "${PROGRESS:-auto}")
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

run_cf() {
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); apikey=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$OUT/centrifugo.config.json" <<J
{"http_server": {"address": "127.0.0.1", "port": $CF_PORT}, "log": {"level": "warn"},
 "usage_stats": {"disabled": true}, "client": {"token": {"hmac_secret_key": "$secret"}},
 "http_api": {"key": "$apikey"}, "health": {"enabled": true}, "channel": {"namespaces": [{"name": "dev"}]}}
J
"$CF_BIN" -c "$OUT/centrifugo.config.json" > "$OUT/centrifugo.log" 2>&1 & pid=$!
wait_http "http://127.0.0.1:$CF_PORT/health"
bin/pushload run -target centrifugo -server-pid "$pid" -opt "secret=$secret" -opt "apikey=$apikey" \
  -opt "ws=ws://127.0.0.1:$CF_PORT/connection/websocket" -opt "api=http://127.0.0.1:$CF_PORT/api" \
  "${common[@]}" -out "$OUT/centrifugo.json" > /dev/null
cleanup; pid=
}

run_dp() {
env DEVICE_PUSH_ADDR=127.0.0.1:$DP_PORT ${DP_ENV:-} bin/device-push > "$OUT/device-push.log" 2>&1 & pid=$!
wait_http "http://127.0.0.1:$DP_PORT/healthz"
bin/pushload run -target device-push -server-pid "$pid" -opt "url=http://127.0.0.1:$DP_PORT" \
  "${common[@]}" -out "$OUT/device-push.json" > /dev/null
cleanup; pid=
}

run_floor() { run_floor_store floor none; }
run_floorjs() { run_floor_store floorjs files; }
run_floor_store() {
dir=$(mktemp -d "${TMPDIR:-/tmp}/floor-XXXXXX")
bin/pushload floor -addr "127.0.0.1:$DP_PORT" -store "$2" -dir "$dir" > "$OUT/$1.log" 2>&1 & pid=$!
wait_http "http://127.0.0.1:$DP_PORT/readyz"
bin/pushload run -target device-push -server-pid "$pid" -opt "url=http://127.0.0.1:$DP_PORT" \
  "${common[@]}" -out "$OUT/$1.json" > /dev/null
cleanup; pid=; rm -rf "$dir"
}

# ORDER="dp cf" runs device-push first (the box's load drifts: alternate the order between runs).
ran=
for s in ${ORDER:-cf dp}; do echo "$(date -u +%T) $s, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2; "run_$s"; ran="$ran $s"; done

# The comparison needs both (ORDER=dp runs device-push alone).
if [[ " $ran " == *" cf "* && " $ran " == *" dp "* ]]; then bin/pushload compare "$OUT/centrifugo.json" "$OUT/device-push.json"; fi
for f in floor floorjs; do
  if [[ " $ran " == *" cf "* && " $ran " == *" $f "* ]]; then echo; echo "Centrifugo against $f:"; bin/pushload compare "$OUT/centrifugo.json" "$OUT/$f.json"; fi
done
