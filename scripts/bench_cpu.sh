#!/usr/bin/env bash
# CPU time per transaction, for a machine that is shared and busy: throughput there says more about
# the neighbours than about the code, but the CPU each transaction costs stays nearly the same. One
# run of pgbench's tpcb-like or of `timebank bench ledger|hot|http` (16 clients) or of `timebank bench
# redeem` (200 clients back to back, or paced with RATE=N); between the run's warm-up and its end,
# the CPU time of the client process (with its children), of the PostgreSQL backends connected to
# the run's database and of redis-server is summed and divided by the transactions (for redeem: the
# orders handed out) committed meanwhile.
#
#   bash scripts/bench_cpu.sh pgbench                            (after `make bench`, which makes timebank_pgbench)
#   bash scripts/bench_cpu.sh ledger|hot|http|redeem [BINARY]    (BINARY: bin/timebank by default)
#
# The redis-server figure includes whatever else uses that Redis at the time.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/db_url.sh
export PGPASSWORD=$DB_PASSWORD
PSQL=(psql -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -XAtq)
die() { echo "bench_cpu: ERROR: $*" >&2; exit 1; }
mode=${1:-}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
case $mode in
pgbench)
  db=timebank_pgbench
  [ "$("${PSQL[@]}" -d "$DB_NAME" -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ] ||
    die "no database $db: run 'make bench' first"
  pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -b tpcb-like -c 16 -j 2 -T 16 -n "$db" >"$out" 2>&1 &
  count="SELECT count(*) FROM pgbench_history"
  label="pgbench -b tpcb-like -c 16 -j 2"
  ;;
ledger | hot | http | redeem)
  bin=${2:-bin/timebank}
  [ -x "$bin" ] || die "$bin not found; run 'make build'"
  db=${BENCH_DB:-timebank_bench_cpu} # a database of its own, dropped and made again
  "${PSQL[@]}" -d "$DB_NAME" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" 2>/dev/null
  export TIMEBANK_DATABASE_URL="postgres://$DB_USER:$PGPASSWORD@$PG_HOST:$PG_PORT/$db?sslmode=disable"
  export TIMEBANK_REDIS_PREFIX="benchcpu:$RANDOM:"
  "$bin" migrate up >/dev/null
  case $mode in
  hot) args=(ledger --hot --clients 16 --duration 24s --accounts 300) ;;
  redeem) args=(redeem --volunteers "${VOLUNTEERS:-20000}" --duration 24s --rate "${RATE:-0}") ;;
  *) args=("$mode" --clients 16 --duration 24s --accounts 300) ;;
  esac
  "$bin" bench "${args[@]}" >"$out" 2>&1 &
  count="SELECT coalesce(max(id), 0) FROM ledger_transactions"
  started="SELECT EXISTS (SELECT FROM ledger_transactions WHERE kind = 'transfer')"
  if [ "$mode" = redeem ]; then
    count="SELECT count(*) FROM store_orders WHERE status = 'fulfilled'"
    started="SELECT EXISTS (SELECT FROM store_orders WHERE status = 'fulfilled')"
  fi
  label="timebank bench ${args[*]}"
  ;;
*) die "usage: bench_cpu.sh pgbench | bench_cpu.sh ledger|hot|http|redeem [BINARY]" ;;
esac
client=$!

# ticks PID...: the sum of the processes' user and system CPU time, in clock ticks.
ticks() {
  local s=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$s"
}
sample() {
  local backends redis
  backends=$("${PSQL[@]}" -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()")
  redis=$(redis-cli info server | tr -d '\r' | awk -F: '/^process_id/ { print $2 }')
  # shellcheck disable=SC2046,SC2086
  echo "$(ticks $backends) $(ticks "$client" $(pgrep -P "$client" || true)) $(ticks $redis) $("${PSQL[@]}" -d "$db" -c "$count")"
}
if [ "$mode" = pgbench ]; then
  sleep 4
else # past the set-up: the first timed transfer (or order) is in
  until [ "$("${PSQL[@]}" -d "$db" -c "$started")" = t ]; do
    kill -0 "$client" 2>/dev/null || { cat "$out" >&2; die "the benchmark ended early"; }
    sleep 0.2
  done
  sleep 2
fi
read -r pg1 cl1 rd1 n1 <<<"$(sample)"
t1=$(date +%s.%N)
sleep 8
read -r pg2 cl2 rd2 n2 <<<"$(sample)"
t2=$(date +%s.%N)
wait "$client" || { cat "$out" >&2; die "the benchmark failed"; }
[ "$mode" = redeem ] && grep '^redeem' "$out"
awk -v l="$label" -v pg=$((pg2 - pg1)) -v cl=$((cl2 - cl1)) -v rd=$((rd2 - rd1)) -v n=$((n2 - n1)) \
  -v hz="$(getconf CLK_TCK)" -v t1="$t1" -v t2="$t2" -v ld="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  us = 1e6 / hz / n
  printf "%s: %d tx in %.1f s (%.0f/s); CPU µs per tx: PostgreSQL %.0f, client %.0f, Redis %.0f, total %.0f (load average %s)\n",
    l, n, t2 - t1, n / (t2 - t1), pg * us, cl * us, rd * us, (pg + cl + rd) * us, ld }'
