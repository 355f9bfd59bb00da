#!/usr/bin/env bash
# The README's benchmark table: pgbench's tpcb-like against the same PostgreSQL with the same client
# count, then the ledger directly (spread and hot account) and through the HTTP API, in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-20}
export PGPASSWORD=${TIMEBANK_DB_PASSWORD:-timebank}
DB_USER=${TIMEBANK_DB_USER:-timebank}

psql -h 127.0.0.1 -U "$DB_USER" -d "${TIMEBANK_DB_NAME:-timebank}" -qc "DROP DATABASE IF EXISTS timebank_pgbench" 2>/dev/null
psql -h 127.0.0.1 -U "$DB_USER" -d "${TIMEBANK_DB_NAME:-timebank}" -qc "CREATE DATABASE timebank_pgbench"
pgbench -h 127.0.0.1 -U "$DB_USER" -i -s 16 -q timebank_pgbench >/dev/null 2>&1
pg=$(pgbench -h 127.0.0.1 -U "$DB_USER" -b tpcb-like -c "$CLIENTS" -j 2 -T "$DURATION" -n timebank_pgbench 2>/dev/null \
  | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
echo "pgbench tpcb-like: tps=$pg"

./bin/timebank migrate up >/dev/null
num() { sed -n 's/.* tx\/s=\([0-9.]*\) .*/\1/p'; }
line() { ./bin/timebank bench "$@" --clients "$CLIENTS" --duration "${DURATION}s" | tee /dev/stderr | head -n 1; }
spread=$(line ledger | num)
hot=$(line ledger --hot | num)
http=$(line http | num)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
{
  echo "| benchmark ($CLIENTS clients, ${DURATION}s) | tx/s | ratio |"
  echo "|---|---|---|"
  echo "| pgbench -b tpcb-like | $pg | 1.00× |"
  echo "| timebank bench ledger | $spread | $(ratio "$spread" "$pg") of pgbench |"
  echo "| timebank bench ledger --hot | $hot | $(ratio "$hot" "$spread") of spread |"
  echo "| timebank bench http | $http | $(ratio "$http" "$pg") of pgbench |"
} | tee bench-results.md
