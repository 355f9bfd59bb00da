#!/usr/bin/env bash
# The README's benchmark table: pgbench's tpcb-like against the same PostgreSQL with the same client
# count, and `timebank bench` (the ledger directly, spread and hot account, and through the HTTP API).
# The machine is shared and noisy, so the runs are interleaved in ROUNDS rounds, each ratio is taken
# within a round, and the table shows the median of each ratio with every round's value.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
DB_USER=${TIMEBANK_DB_USER:-timebank}
export PGPASSWORD=${TIMEBANK_DB_PASSWORD:-timebank}
admin() { psql -h 127.0.0.1 -U "$DB_USER" -d "${TIMEBANK_DB_NAME:-timebank}" -qXc "$1" 2>/dev/null; }

admin "DROP DATABASE IF EXISTS timebank_pgbench"
admin "CREATE DATABASE timebank_pgbench"
pgbench -h 127.0.0.1 -U "$DB_USER" -i -s 16 -q timebank_pgbench >/dev/null 2>&1
# The timebank runs get a fresh database of their own, so the service's data is left alone.
admin "DROP DATABASE IF EXISTS timebank_bench"
admin "CREATE DATABASE timebank_bench"
export TIMEBANK_DATABASE_URL="postgres://$DB_USER:$PGPASSWORD@127.0.0.1:5432/timebank_bench?sslmode=disable"
export TIMEBANK_REDIS_PREFIX="bench:"
redis-cli --scan --pattern 'bench:*' | xargs -r redis-cli del >/dev/null
./bin/timebank migrate up >/dev/null

pgb() {
  pgbench -h 127.0.0.1 -U "$DB_USER" -b tpcb-like -c "$CLIENTS" -j 2 -T "$DURATION" -n timebank_pgbench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' | cut -d. -f1
}
tb() {
  ./bin/timebank bench "$@" --clients "$CLIENTS" --duration "${DURATION}s" | tee -a bench-lines.txt \
    | sed -n 's/.* tx\/s=\([0-9.]*\) .*/\1/p' | head -n 1
}
: > bench-lines.txt
rows=()
for round in $(seq 1 "$ROUNDS"); do
  pg=$(pgb); spread=$(tb ledger); hot=$(tb ledger --hot); http=$(tb http)
  r=$(awk -v a="$spread" -v b="$pg" 'BEGIN { printf "%.2f", a / b }')
  echo "round $round: pgbench=$pg ledger=$spread hot=$hot http=$http ledger/pgbench=$r" >&2
  rows+=("$r $pg $spread $hot $http")
done
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | med; }
ratios() { printf '%s\n' "${rows[@]}" | awk -v a="$1" -v b="$2" '{ printf "%.2f\n", $a / $b }'; }
{
  echo "| benchmark ($CLIENTS clients, ${DURATION}s, $ROUNDS interleaved rounds) | median tx/s | median ratio (per round) |"
  echo "|---|---|---|"
  echo "| pgbench -b tpcb-like | $(col 2) | 1.00× |"
  echo "| timebank bench ledger | $(col 3) | $(ratios 3 2 | med)× of pgbench ($(ratios 3 2 | paste -sd' ')) |"
  echo "| timebank bench ledger --hot | $(col 4) | $(ratios 4 3 | med)× of spread ($(ratios 4 3 | paste -sd' ')) |"
  echo "| timebank bench http | $(col 5) | $(ratios 5 2 | med)× of pgbench ($(ratios 5 2 | paste -sd' ')) |"
} | tee bench-results.md
