#!/usr/bin/env bash
# Measures how long `make run` takes to print READY on a fresh clone of HEAD:
# cold (empty Go build/module caches and npm cache, no node_modules) and warm
# (everything built). Uses ports that do not clash with a running stack.
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'pkill -INT -f "$work/clone/bin/stack" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"
export GOCACHE=$work/gocache GOMODCACHE=$work/gomod npm_config_cache=$work/npm GOFLAGS=-modcacherw
export DYNAMODB_ADDR=127.0.0.1:18000 LAMBDA_ADDR=127.0.0.1:13001 DEVICE_API_ADDR=127.0.0.1:13000 \
  DEVICE_PUSH_ADDR=127.0.0.1:18200 ALEXA_SIM_ADDR=127.0.0.1:18300 TVAPP_ADDR=127.0.0.1:18400

measure() {
  local label=$1 out=$work/$1.out
  local start end pid
  start=$(date +%s.%N)
  make run >"$out" 2>&1 &
  pid=$!
  until grep -q '^READY$' "$out"; do
    kill -0 "$pid" 2>/dev/null || { echo "$label: make run exited:"; cat "$out"; exit 1; }
    sleep 0.1
  done
  end=$(date +%s.%N)
  printf '%s make run: READY after %.1f s\n' "$label" "$(echo "$end - $start" | bc)"
  pkill -INT -f "$work/clone/bin/stack"
  wait "$pid" || true
}
measure cold
measure warm
