#!/usr/bin/env bash
# Measures catalog-exporter's bars with the binary timed as a whole process
# (GNU time for wall time and peak RSS). Results go to docs/BENCHMARKS.md.
#
#   catalog-exporter/bench.sh full N        # one full CDF export of N synthetic works
#   catalog-exporter/bench.sh incremental N # full export + index, then revision 1 (1% changed) + index
#
# The incremental mode needs dynalite (make deps) and runs itself under
# infra/local/with-dynalite.sh on $DYNALITE_PORT (default 8100).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-full}
n=${2:-120000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/catalog-exporter" "$root/catalog-exporter"

timed() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %M KB peak RSS, exit %x" "$@" >"$work/out.txt" 2>"$work/err.txt" || true
  tail -1 "$work/err.txt"
  grep -E "^(works|diff|index|pages|bytes)" "$work/out.txt" | sed 's/^/    /'
}

case $mode in
full)
  timed "full CDF, $n works" "$work/catalog-exporter" --synthetic "$n" --out "$work/out"
  ;;
incremental)
  if [ -z "${DYNAMODB_TEST_ENDPOINT:-}" ]; then
    exec "$root/infra/local/with-dynalite.sh" "$0" "$@"
  fi
  table=bench-catalog-$$
  curl -sf -o /dev/null -X POST "$DYNAMODB_TEST_ENDPOINT/" \
    -H 'X-Amz-Target: DynamoDB_20120810.CreateTable' -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Date: $(date -u +%Y%m%dT%H%M%SZ)" -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{"TableName":"'"$table"'","BillingMode":"PAY_PER_REQUEST",
         "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],
         "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}'
  export CATALOG_TABLE=$table DYNAMODB_ENDPOINT=$DYNAMODB_TEST_ENDPOINT
  args=(--out "$work/out" --index --format cdf,ember --page-size 5000)
  timed "full export + index, $n works" "$work/catalog-exporter" --synthetic "$n" "${args[@]}"
  timed "incremental (revision 1) + index" "$work/catalog-exporter" --synthetic "$n" --synthetic-revision 1 "${args[@]}"
  ;;
*)
  echo "usage: $0 full|incremental [N]" >&2; exit 2
  ;;
esac
