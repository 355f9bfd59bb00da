#!/usr/bin/env bash
# The README's benchmark table: pgbench's tpcb-like against the same PostgreSQL with the same client
# count, and `timebank bench` (the ledger directly, spread and hot account, and through the HTTP API:
# an in-process server, and `timebank serve` in a process of its own driven from the benchmark's).
# Each timebank transaction is a two-account transfer (two postings); the table compares transactions
# per second with pgbench's tps, and the raw lines (with postings/s and latencies) go to
# bench-lines.txt. The machine may be shared and noisy, so the runs are interleaved in ROUNDS rounds,
# each ratio is taken within a round, and the table shows the median of each ratio with every
# round's value. The table is also written to bench-results.md.
#
#   CLIENTS=16 DURATION=20 ROUNDS=3 bash scripts/bench.sh     (after `make build`; `make bench` does both)
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
BENCH=bench
. scripts/bench_lib.sh
positive CLIENTS DURATION ROUNDS
[ -x bin/timebank ] || die "bin/timebank not found; run 'make build' (or 'make bench')"
command -v pgbench >/dev/null 2>&1 || die "pgbench not found; run 'bash scripts/services.sh --bench'"

echo "bench: preparing timebank_pgbench (pgbench -i -s 16) and timebank_bench" >&2
sql "DROP DATABASE IF EXISTS timebank_pgbench WITH (FORCE)"
sql "CREATE DATABASE timebank_pgbench"
quiet pgbench "${PG[@]}" -i -s 16 -q timebank_pgbench
# The timebank runs get a fresh database of their own, so the service's data is left alone.
fresh_db timebank_bench bench:
quiet ./bin/timebank migrate up

# pgb prints pgbench's tps: the figure without the initial connection time (PostgreSQL 14+), or
# "excluding connections establishing" (older pgbench), or else the only tps line.
pgb() {
  local out tps
  out=$(pgbench "${PG[@]}" -b tpcb-like -c "$CLIENTS" -j 2 -T "$DURATION" -n timebank_pgbench 2>&1) \
    || { echo "$out" >&2; die "pgbench failed"; }
  tps=$(awk '/^tps = / && /without initial connection time|excluding connections establishing/ { print $3; exit }' <<<"$out")
  [ -n "$tps" ] || tps=$(awk '/^tps = / { print $3; exit }' <<<"$out")
  [ -n "$tps" ] || { echo "$out" >&2; die "no tps figure in pgbench's output"; }
  printf '%.0f\n' "$tps"
}
# tb prints the tx/s figure of one `timebank bench` run and appends its line to bench-lines.txt.
tb() {
  local out tps
  out=$(./bin/timebank bench "$@" --clients "$CLIENTS" --duration "${DURATION}s" 2>&1) \
    || { echo "$out" >&2; die "timebank bench $* failed"; }
  echo "$out" >>bench-lines.txt
  tps=$(sed -n 's/.* tx\/s=\([0-9.]*\).*/\1/p' <<<"$out" | head -n 1)
  [ -n "$tps" ] || { echo "$out" >&2; die "no tx/s figure in the output of timebank bench $*"; }
  grep -q 'postings/s=' <<<"$out" || echo "bench: warning: no postings/s in: $out" >&2
  printf '%.0f\n' "$tps"
}

# The service in a process of its own, as production runs it, for the HTTP load from a separate
# process (`timebank bench http --url`): the load generator and the server do not share a process.
optoken=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
serve bench-serve.log TIMEBANK_OPERATOR_TOKEN="$optoken" TIMEBANK_DB_MAX_CONNS=$((CLIENTS + 8))

: >bench-lines.txt
rows=()
for round in $(seq 1 "$ROUNDS"); do
  pg=$(pgb)
  spread=$(tb ledger)
  hot=$(tb ledger --hot)
  http=$(tb http)
  ext=$(tb http --url "$base" --token "$optoken")
  r=$(awk -v a="$spread" -v b="$pg" 'BEGIN { printf "%.2f", a / b }')
  echo "bench: round $round/$ROUNDS: pgbench=$pg ledger=$spread hot=$hot http=$http http-separate=$ext ledger/pgbench=$r" >&2
  rows+=("$pg $spread $hot $http $ext")
done

med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | med; }
ratios() { printf '%s\n' "${rows[@]}" | awk -v a="$1" -v b="$2" '{ printf "%.2f\n", $a / $b }'; }
ratio() { echo "$(ratios "$1" "$2" | med)× of $3 ($(ratios "$1" "$2" | paste -sd' ' | sed 's/ /, /g'))"; }
{
  echo "| benchmark ($CLIENTS clients, ${DURATION}s, $ROUNDS interleaved rounds) | median tx/s | median ratio (each round) |"
  echo "|---|---|---|"
  echo "| pgbench -b tpcb-like -c $CLIENTS -j 2 | $(col 1) | 1.00× |"
  echo "| timebank bench ledger | $(col 2) | $(ratio 2 1 pgbench) |"
  echo "| timebank bench ledger --hot | $(col 3) | $(ratio 3 2 spread) |"
  echo "| timebank bench http (in-process server) | $(col 4) | $(ratio 4 1 pgbench) |"
  echo "| timebank bench http --url (load from a separate process) | $(col 5) | $(ratio 5 1 pgbench) |"
} | tee bench-results.md
