#!/usr/bin/env bash
# The README's read benchmark: what every phone and counter asks again and again, driven from a
# separate process (wrk) against `timebank serve` on this machine, beside redis-benchmark's GET with
# the same connection count, in the same rounds. `/healthz` is the cost of the common middleware;
# `GET /api/v1/me/balance` with an app's bearer token is a signed-in read (session, principal and
# the balance). Each ratio is taken within a round; the table shows the median and every round's
# value, and wrk's p99. The table is also written to bench-read-results.md.
#
#   CONNS=50 DURATION=10 ROUNDS=3 bash scripts/bench_read.sh     (after `make build`; `make bench` does both)
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-50}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
BENCH=bench-read
. scripts/bench_lib.sh
positive CONNS DURATION ROUNDS
[ -x bin/timebank ] || die "bin/timebank not found; run 'make build' (or 'make bench')"
for c in wrk redis-benchmark; do
  command -v $c >/dev/null 2>&1 || die "$c not found; run 'bash scripts/services.sh --bench'"
done

echo "bench-read: preparing timebank_bench_read (migrated, demo data)" >&2
fresh_db timebank_bench_read benchread:
quiet ./bin/timebank migrate up
quiet ./bin/timebank demo

# The service in a process of its own, as production runs it.
serve bench-read-serve.log
token=$(curl -fs "$base/api/v1/login" -H 'Content-Type: application/json' \
  -d '{"phone":"13900000001","password":"Xiashi-2026","token":true}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "signing in the demo volunteer failed"
curl -fs -H "Authorization: Bearer $token" "$base/api/v1/me/balance" | grep -q '"available"' || die "the balance does not answer"

# redis_get prints redis-benchmark's GET requests per second.
redis_get() {
  redis-benchmark -h 127.0.0.1 -p "${REDIS_PORT:-6379}" -t get -c "$CONNS" -n $((CONNS * 4000)) --csv 2>/dev/null |
    awk -F'"' '$2 == "GET" { printf "%.0f\n", $4; exit }'
}
# wrkrun URL [wrk args]: prints "rps p99_ms" of one wrk run and fails on any non-2xx answer.
wrkrun() {
  local url=$1 out; shift
  out=$(wrk -t2 -c "$CONNS" -d "${DURATION}s" --latency "$@" "$url" 2>&1) || { echo "$out" >&2; die "wrk failed"; }
  if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; die "non-2xx answers from $url"; fi
  awk '/Requests\/sec:/ { rps = $2 }
       $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                     ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
       END { printf "%.0f %.1f\n", rps, ms }' <<<"$out"
}

rows=()
for round in $(seq 1 "$ROUNDS"); do
  rg=$(redis_get)
  [ -n "$rg" ] || die "no figure from redis-benchmark"
  read -r hz hz99 < <(wrkrun "$base/healthz")
  read -r bal bal99 < <(wrkrun "$base/api/v1/me/balance" -H "Authorization: Bearer $token")
  echo "bench-read: round $round/$ROUNDS: redis GET=$rg healthz=$hz (p99 ${hz99} ms) balance=$bal (p99 ${bal99} ms)" >&2
  rows+=("$rg $hz $bal $hz99 $bal99")
done

med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | med; }
ratios() { printf '%s\n' "${rows[@]}" | awk -v a="$1" '{ printf "%.2f\n", $a / $1 }'; }
ratio() { echo "$(ratios "$1" | med)× ($(ratios "$1" | paste -sd' ' | sed 's/ /, /g'))"; }
p99s() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | paste -sd' ' | sed 's/ /, /g'; }
{
  echo "| read ($CONNS connections, ${DURATION}s, $ROUNDS interleaved rounds) | median rps | median ratio to redis GET (each round) | p99 ms (each round) |"
  echo "|---|---|---|---|"
  echo "| redis-benchmark -t get -c $CONNS | $(col 1) | 1.00× | |"
  echo "| wrk GET /healthz | $(col 2) | $(ratio 2) | $(p99s 4) |"
  echo "| wrk GET /api/v1/me/balance (bearer) | $(col 3) | $(ratio 3) | $(p99s 5) |"
} | tee bench-read-results.md
